/**
 * readRefusal against InfluxDB 1.6's answers as measured (tests/integration/influx-refusals):
 * which lines an answer names for certain, with which reason, and whether the rest of the
 * batch can be counted as stored or must be sent again.
 */
import { describe, expect, it } from 'vitest';
import { readRefusal } from '../../ingest/influx-writer.ts';

const DAY = 86_400_000;
const NOW = Date.now();
const good = `telemetry,elevator=a seq=1i,vibration_mg=1.5 ${NOW}`;
const bad1 = `telemetry,elevator=a seq=2i,stray field=1i ${NOW + 1}`;
const bad2 = `telemetry,elevator=a seq=3i,stray field=1i ${NOW + 2}`;
const old = `telemetry,elevator=a seq=4i ${NOW - 40 * DAY}`;
const conflict = `telemetry,elevator=a seq=5i,vibration_mg="n/a" ${NOW + 3}`;
const answer = (error: string) => `A 400 Bad Request error occurred: ${JSON.stringify({ error })}\n`;
const parse = (line: string) => `unable to parse '${line}': invalid field format`;
const CONFLICT =
  'partial write: field type conflict: input field "vibration_mg" on measurement "telemetry" is type string, already exists as type float';

const cases: Array<[string, string[], string, Record<string, string>, boolean]> = [
  [
    'parse errors alone: each line with its reason, the rest stored',
    [good, bad1, bad2],
    answer(`partial write: ${parse(bad1)}\n${parse(bad2)} dropped=0`),
    { [bad1]: 'unable to parse: invalid field format', [bad2]: 'unable to parse: invalid field format' },
    true,
  ],
  [
    'nothing parsable: every line named, nothing stored',
    [bad1, bad2],
    answer(`${parse(bad1)}\n${parse(bad2)}`),
    { [bad1]: 'unable to parse: invalid field format', [bad2]: 'unable to parse: invalid field format' },
    false,
  ],
  [
    'a quoted line the batch does not hold: the rest is sent again',
    [good, bad1],
    answer(`partial write: ${parse(bad1)}\n${parse('something else')} dropped=0`),
    { [bad1]: 'unable to parse: invalid field format' },
    false,
  ],
  [
    'beyond retention (may hide parse errors): the rest is sent again',
    [good, bad1, old],
    answer('partial write: points beyond retention policy dropped=1'),
    { [old]: 'partial write: points beyond retention policy dropped=1' },
    false,
  ],
  [
    'a type conflict (may hide retention and parse errors): the rest is sent again',
    [good, old, conflict],
    answer(`${CONFLICT} dropped=1`),
    { [conflict]: `${CONFLICT} dropped=1` },
    false,
  ],
  [
    'a count the named lines do not make up: nothing named (the batch is split)',
    [good, conflict],
    answer(`${CONFLICT} dropped=2`),
    {},
    false,
  ],
];

describe('readRefusal', () => {
  it.each(cases)('%s', (_name, batch, message, refused, restStored) => {
    const verdict = readRefusal(batch, message, 30 * DAY);
    expect(Object.fromEntries(verdict.refused)).toEqual(refused);
    expect(verdict.restStored).toBe(restStored);
  });

  it('matches a line InfluxDB quoted with its leading blanks trimmed', () => {
    const padded = `  ${bad1}`;
    const verdict = readRefusal([good, padded], answer(`partial write: ${parse(bad1)} dropped=0`), 30 * DAY);
    expect([...verdict.refused.keys()]).toEqual([padded]);
    expect(verdict.restStored).toBe(true);
  });
});
