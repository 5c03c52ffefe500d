/**
 * `npm run eval [-- --suite short|full] [--scenario NAME] [--chunk-ms N]`: replays the
 * scenario suite through the real broker, ingest, detection, influxd and SQLite registry
 * (bench/eval-harness.ts), then prints the misses and false alarms, the per-code table
 * and, as the last line, one JSON object: precision, recall, false_alerts_clean, per_code.
 */
import { parseArgs } from 'node:util';
import { runEval } from './eval-harness.ts';
import { formatTable } from './eval-score.ts';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      suite: { type: 'string', default: 'full' },
      scenario: { type: 'string' },
      'chunk-ms': { type: 'string' },
    },
  });
  if (values.suite !== 'short' && values.suite !== 'full') throw new Error('--suite is short or full');
  const say = (line: string) => process.stderr.write(`eval: ${line}\n`);
  const result = await runEval({
    suite: values.suite,
    ...(values.scenario ? { scenario: values.scenario } : {}),
    ...(values['chunk-ms'] ? { chunkMs: Number(values['chunk-ms']) } : {}),
    progress: say,
  });
  for (const run of result.runs)
    if (run.unpublished > 0)
      say(`${run.scenario}: ${run.unpublished} alerts stored but not seen on alerts/+`);
  const mismatches = result.scores.flatMap((s) => s.mismatches);
  if (mismatches.length > 0) {
    console.log('Misses and false alarms:');
    for (const m of mismatches)
      console.log(
        `  ${m.kind.padEnd(11)} ${m.code} ${m.elevator} @${m.at_s}s (${m.scenario})${m.note ? `: ${m.note}` : ''}`,
      );
  }
  console.log(formatTable(result.summary));
  const { summary } = result;
  console.log(
    JSON.stringify({
      precision: summary.precision,
      recall: summary.recall,
      false_alerts_clean: summary.false_alerts_clean,
      trapped_max_over_threshold_s: summary.trapped_max_over_threshold_s,
      per_code: summary.per_code,
    }),
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
