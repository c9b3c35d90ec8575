// The JSON Schemas in catalogs/, loaded once. They sit beside src/ and dist/ alike, so one relative
// path serves the TypeScript sources in tests and the built CLI.
import { readFileSync } from 'node:fs';
import type { JsonSchema } from '../singer/messages.js';

const cache = new Map<string, JsonSchema>();

export function loadSchema(name: string): JsonSchema {
  let schema = cache.get(name);
  if (!schema) {
    schema = JSON.parse(readFileSync(new URL(`../../catalogs/${name}.json`, import.meta.url), 'utf8')) as JsonSchema;
    cache.set(name, schema);
  }
  return schema;
}
