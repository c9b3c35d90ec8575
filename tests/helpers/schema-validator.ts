// Validates records against a stream's catalog schema the way a strict target would: JSON Schema
// Draft 7 through ajv, with formats (date, date-time) checked.
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from './paths.js';

// ajv-formats is CommonJS: imported from ESM, its function sits on `default`.
const addFormats = addFormatsModule.default;

const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });
addFormats(ajv);
const compiled = new Map<string, ValidateFunction>();

/** The schema errors of `record` against catalogs/<stream>.json, as readable lines (empty = valid). */
export function schemaErrors(stream: string, record: unknown): string[] {
  let validate = compiled.get(stream);
  if (!validate) {
    const schema = JSON.parse(readFileSync(path.join(repoRoot, 'catalogs', `${stream}.json`), 'utf8')) as object;
    validate = ajv.compile(schema);
    compiled.set(stream, validate);
  }
  if (validate(record)) return [];
  return (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`);
}
