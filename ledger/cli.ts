/**
 * Offline verification of a JSON export: `tsx ledger/cli.ts verify FILE --head SEQ:HASH`.
 * Exit 0 when the export holds against the pinned head, 1 naming the first bad index or
 * field when it does not, 2 on usage, 3 when it holds but no head was pinned: an export
 * cut short with its head rewritten looks whole on its own, so pin the head the QR page
 * (or a statement) publishes. Needs nothing but the file: owners can check a copy
 * without access to the server.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { verifyExport } from './export-verify.ts';
import { parsePinnedHead, type VerifyFailure } from './verify.ts';

const USAGE =
  'usage: ledger verify FILE --head SEQ:HASH   (the head the QR page shows, e.g. 42:1f0c9a7b3e5d2c81)';

export function describeFailure(f: VerifyFailure): string {
  const where =
    f.part === 'header'
      ? `header field ${f.field}`
      : f.part === 'postings'
        ? `posting at index ${f.index} (${f.field})`
        : `entry at index ${f.index} (seq ${f.seq ?? '?'})${f.field ? ` [${f.field}]` : ''}`;
  return `FAIL: first bad ${where}: ${f.reason}`;
}

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
    console.error(`--head must be SEQ:HASH (at least the first 16 hex digits)\n${USAGE}`);
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
  if (!result.ok) {
    console.error(describeFailure(result));
    return 1;
  }
  const head = `${result.head.seq}:${result.head.hash}`;
  if (!result.pinned) {
    console.error(
      `UNPINNED: ${result.count} entries are consistent up to head ${head}, but without --head a cut tail with a rewritten head cannot be detected.\n` +
        'Pin the head published on the QR page or the monthly statement: --head SEQ:HASH',
    );
    return 3;
  }
  console.log(
    `OK: ${result.count} entries verified against the pinned head ${pinned!.seq}:${pinned!.hash}; head ${head}`,
  );
  return 0;
}

process.exitCode = main(process.argv.slice(2));
