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
