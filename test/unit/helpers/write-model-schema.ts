// Regenerates docs/model.schema.json from the catalogue: npx tsx test/unit/helpers/write-model-schema.ts
import { writeFileSync } from 'node:fs';
import { modelJsonSchema, schemaJson } from '../../../src/core/model/model-schema.ts';

export const SCHEMA_PATH = new URL('../../../docs/model.schema.json', import.meta.url);
export const schemaText = (): string => `${schemaJson(modelJsonSchema())}\n`;

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop()!)) {
  writeFileSync(SCHEMA_PATH, schemaText());
  console.log(`wrote ${SCHEMA_PATH.pathname}`);
}
