/**
 * `npm run eval [-- --suite short|full] [--scenario NAME] [--chunk-ms N]`: replays the
 * scenario suite through the real broker, ingest, detection, influxd and SQLite registry
 * (bench/eval-harness.ts), then prints the misses and false alarms, the per-code table
 * and, as the last line, one JSON object: precision, recall, false_alerts_clean, per_code,
 * and `health` (issue 16: lead time, degrading lifts flagged before their first fault, early
 * visits per healthy lift and quarter; bench/eval-health.ts). `--health short|full|none`
 * (default: as the suite), `--health-only` skips the fault replay.
 */
import { parseArgs } from 'node:util';
import { HEALTH_PLAN, HEALTH_PLAN_SHORT } from '../simulators/scenarios/health-plan.ts';
import { runEval } from './eval-harness.ts';
import { type HealthEvalSummary, runHealthEval } from './eval-health.ts';
import { formatTable } from './eval-score.ts';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      suite: { type: 'string', default: 'full' },
      scenario: { type: 'string' },
      'chunk-ms': { type: 'string' },
      health: { type: 'string' },
      'health-only': { type: 'boolean', default: false },
    },
  });
  const healthPlan = values.health ?? values.suite;
  if (!['short', 'full', 'none'].includes(healthPlan)) throw new Error('--health is short, full or none');
  if (values.suite !== 'short' && values.suite !== 'full') throw new Error('--suite is short or full');
  const say = (line: string) => process.stderr.write(`eval: ${line}\n`);
  const health =
    healthPlan === 'none'
      ? null
      : runHealthEval(healthPlan === 'full' ? HEALTH_PLAN : HEALTH_PLAN_SHORT, say);
  if (health) printHealth(health);
  if (values['health-only']) {
    console.log(JSON.stringify({ health: healthFigures(health) }));
    return;
  }
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
      ...(health ? { health: healthFigures(health) } : {}),
    }),
  );
}

function healthFigures(h: HealthEvalSummary | null) {
  if (!h) return null;
  return {
    median_lead_days: h.median_lead_days,
    flagged_before_fault_share: h.flagged_before_fault_share,
    early_visits_per_healthy_lift_quarter: h.early_visits_per_healthy_lift_quarter,
    early_visits_per_healthy_lift_quarter_max: h.early_visits_per_healthy_lift_quarter_max,
    lifts: h.lifts.map((l) => ({
      id: l.id,
      component: l.component,
      fault_day: l.faultDay,
      first_early_day: l.firstEarlyDay,
      lead_days: l.leadDays,
      early_visits: l.earlyVisits,
    })),
  };
}

function printHealth(h: HealthEvalSummary): void {
  console.log('Health (condition-based maintenance):');
  for (const l of h.lifts)
    console.log(
      `  ${l.id.padEnd(14)} ${(l.component ?? 'healthy').padEnd(13)} fault day ${String(l.faultDay ?? '–').padStart(3)}  first early request ${String(l.firstEarlyDay ?? '–').padStart(3)} (${l.namedComponent ?? '–'})  lead ${l.leadDays ?? '–'} d  early visits ${l.earlyVisits}`,
    );
  console.log(
    `  median lead ${h.median_lead_days} d, flagged before fault ${h.flagged_before_fault_share}, early visits per healthy lift-quarter ${h.early_visits_per_healthy_lift_quarter} (max ${h.early_visits_per_healthy_lift_quarter_max}), ${h.wall_s} s`,
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
