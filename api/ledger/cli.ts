/**
 * Offline verification of a JSON export: `tsx api/ledger/cli.ts verify FILE [--head SEQ:HASH]`.
 * Exit 0 when the chain holds, 1 naming the first bad index when it does not, 2 on usage.
 * Needs nothing but the file: owners can check a copy without access to the server.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { verifyExport } from './export.ts';
import { parsePinnedHead } from './verify.ts';

const USAGE = 'usage: ledger verify FILE [--head SEQ:HASH]';

function main(argv: string[]): number {
  let parsed: ReturnType<typeof parseArgs<{ options: { head: { type: 'string' } }; allowPositionals: true }>>;
  try {
    parsed = parseArgs({ args: argv, options: { head: { type: 'string' } }, allowPositionals: true });
  } catch (error) {
    console.error(`${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  const [command, file] = parsed.positionals;
  if (command !== 'verify' || !file) {
    console.error(USAGE);
    return 2;
  }
  const pinned = parsed.values.head === undefined ? undefined : parsePinnedHead(parsed.values.head);
  if (pinned === null) {
    console.error(`--head must be SEQ:HASH (64 hex digits)\n${USAGE}`);
    return 2;
  }
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, 'utf8').replace(/^\uFEFF/, ''));
  } catch (error) {
    console.error(`cannot read ${file} as JSON: ${(error as Error).message}`);
    return 2;
  }
  const result = verifyExport(data, pinned);
  if (result.ok) {
    console.log(`OK: ${result.count} entries verified; head ${result.head.seq}:${result.head.hash}`);
    return 0;
  }
  console.error(
    `FAIL: first bad entry at index ${result.index} (seq ${result.seq ?? '?'}): ${result.reason}`,
  );
  return 1;
}

process.exitCode = main(process.argv.slice(2));
