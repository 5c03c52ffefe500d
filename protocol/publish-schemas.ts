/**
 * Writes the protocol's JSON Schemas to docs/schemas/, generated from the TypeBox
 * definitions so the published contract can never drift from the code.
 * `npm run schemas` regenerates them; a unit test fails if the committed files differ.
 */
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SERVICE_SCHEMAS } from './alerts.ts';
import { FleetFile } from './fleet.ts';
import { DEVICE_SCHEMAS, KEPT_VALUES } from './messages.ts';
import { RegulatorDocument } from './regulator.ts';

export const SCHEMA_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'docs', 'schemas');

export function renderSchemas(): Record<string, string> {
  const files: Record<string, string> = {};
  const all = {
    ...DEVICE_SCHEMAS,
    ...SERVICE_SCHEMAS,
    fleet: FleetFile,
    'gbt24476-document': RegulatorDocument,
  };
  // Device messages refer to the kept-value levels by $id; each document carries them.
  const keptValues = Object.fromEntries(KEPT_VALUES.map((level) => [level.$id, level]));
  const device = new Set<unknown>(Object.values(DEVICE_SCHEMAS));
  for (const [name, schema] of Object.entries(all)) {
    const document = {
      $schema: 'http://json-schema.org/draft-07/schema#',
      ...schema,
      ...(device.has(schema) ? { definitions: keptValues } : {}),
    };
    files[`${name}.schema.json`] = `${JSON.stringify(document, null, 2)}\n`;
  }
  return files;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const [file, text] of Object.entries(renderSchemas())) {
    writeFileSync(join(SCHEMA_DIR, file), text);
    console.log(`wrote docs/schemas/${file}`);
  }
}
