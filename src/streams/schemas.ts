// The JSON Schemas in catalogs/, loaded once.
import { readFileSync } from 'node:fs';
import { packageFile } from '../package-files.js';
import type { JsonSchema } from '../singer/messages.js';

const cache = new Map<string, JsonSchema>();

export function loadSchema(name: string): JsonSchema {
  let schema = cache.get(name);
  if (!schema) {
    schema = JSON.parse(readFileSync(packageFile(`catalogs/${name}.json`), 'utf8')) as JsonSchema;
    cache.set(name, schema);
  }
  return schema;
}
