// Singer message shapes (spec 0.3.0). Types are upper-case exactly: several targets ignore or
// crash on any other spelling.

export type JsonSchema = {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  [key: string]: unknown;
};

export interface SchemaMessage {
  type: 'SCHEMA';
  stream: string;
  schema: JsonSchema;
  key_properties: string[];
  bookmark_properties?: string[];
}

export interface StateMessage {
  type: 'STATE';
  value: unknown;
}

/**
 * Not in spec 0.3.0 but the convention of singer-python and the Meltano SDK: a target that honours
 * it keeps only the rows of this `version` of a FULL_TABLE stream; others ignore it.
 */
export interface ActivateVersionMessage {
  type: 'ACTIVATE_VERSION';
  stream: string;
  version: number;
}
