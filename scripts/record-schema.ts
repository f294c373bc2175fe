// Writes docs/record.schema.json and docs/evidence.schema.json, the JSON Schemas of the report record and the
// evidence document, from the zod definitions the code uses (lambda/record-schema.ts). `npm run record-schema`;
// a test fails when a file is out of date.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { evidenceJsonSchema, recordJsonSchema } from '../lambda/record-schema';

writeFileSync(join(__dirname, '..', 'docs', 'record.schema.json'), recordJsonSchema());
writeFileSync(join(__dirname, '..', 'docs', 'evidence.schema.json'), evidenceJsonSchema());
