// Writes docs/record.schema.json, the JSON Schema of the report record, from the zod definition the code
// uses (lambda/record-schema.ts). `npm run record-schema`; a test fails when the file is out of date.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { recordJsonSchema } from '../lambda/record-schema';

writeFileSync(join(__dirname, '..', 'docs', 'record.schema.json'), recordJsonSchema());
