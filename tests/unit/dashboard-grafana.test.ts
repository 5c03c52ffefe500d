/** The committed Grafana JSON and provisioning files are exactly what the generator writes. */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BUSINESS_METRICS } from '../../api/plugins/business-metrics.ts';
import { brokerMetricSamples } from '../../broker/metrics-samples.ts';
import { ALERT_RULES, M } from '../../dashboard/grafana/alert-rules.ts';
import { liftHealth, renderAll } from '../../dashboard/grafana/generate.ts';
import type { IngestMetrics } from '../../ingest/ingest.ts';
import { ingestMetricSamples } from '../../ingest/metrics-samples.ts';
import { processSamples } from '../../lib/prometheus.ts';
import { HEALTH_POLICY } from '../../protocol/influx.ts';
import { demoHealthPlans, healthDailyLines } from '../helpers/health-days.ts';

const ROOT = join(import.meta.dirname, '..', '..', 'dashboard', 'grafana');

describe('Grafana as code', () => {
  const files = renderAll();

  for (const [path, content] of Object.entries(files)) {
    it(`${path} is up to date (run: npx tsx dashboard/grafana/generate.ts)`, async () => {
      expect(await readFile(join(ROOT, path), 'utf8')).toBe(content);
    });
  }

  it('alerts only on metric names the API exports, each rule with a unique uid and Chinese words', () => {
    expect(M).toEqual(BUSINESS_METRICS);
    const exported = new Set(Object.values(BUSINESS_METRICS));
    for (const rule of ALERT_RULES) {
      const names = rule.expr.match(/liftwatch_[a-z_]+/g) ?? [];
      expect(names.length, rule.uid).toBeGreaterThan(0);
      for (const name of names) expect(exported, `${rule.uid}: ${name}`).toContain(name);
      expect(rule.summary).toMatch(/[\u4e00-\u9fff]/);
    }
    expect(new Set(ALERT_RULES.map((r) => r.uid)).size).toBe(ALERT_RULES.length);
    const file = files['provisioning/alerting/liftwatch-rules.yaml']!;
    const parsed = JSON.parse(file.slice(file.indexOf('\n') + 1)) as { groups: { rules: unknown[] }[] };
    expect(parsed.groups[0]!.rules).toHaveLength(ALERT_RULES.length);
  });

  it('gives every dashboard a stable uid and unique panel ids, all on a known datasource', () => {
    const dashboards = Object.entries(files)
      .filter(([path]) => path.endsWith('.json'))
      .map(
        ([, text]) =>
          JSON.parse(text) as { uid: string; panels: { id: number; datasource: { uid: string } }[] },
      );
    expect(dashboards.map((d) => d.uid).sort()).toEqual([
      'liftwatch-elevator',
      'liftwatch-fleet',
      'liftwatch-health',
      'liftwatch-ingest',
    ]);
    for (const d of dashboards) {
      expect(new Set(d.panels.map((p) => p.id)).size).toBe(d.panels.length);
      for (const p of d.panels) expect(['liftwatch-influx', 'liftwatch-prom']).toContain(p.datasource.uid);
    }
  });

  it('asks Prometheus only for metric names the ingest, the broker, the API and the process export', () => {
    const zero = new Proxy({ latencyMs: { p50: 0, p90: 0, p99: 0 } } as Record<string, unknown>, {
      get: (target, key) => target[key as string] ?? 0,
    }) as unknown as IngestMetrics;
    const exported = new Set([
      ...ingestMetricSamples(zero).map((m) => m.name),
      ...brokerMetricSamples({
        clientsConnected: 0,
        busQueued: 0,
        inflowWaiting: 0,
        inflowHeldTotal: 0,
        publishesRefused: { topic: 0, retain: 0 },
      }).map((m) => m.name),
      ...processSamples('liftwatch').map((m) => m.name),
      'liftwatch_api_requests_total',
      'liftwatch_api_uptime_seconds',
    ]);
    const asked = files['dashboards/ingest-health.json']!.match(/liftwatch_[a-z_]+/g) ?? [];
    expect(asked.length).toBeGreaterThan(15);
    for (const name of asked) expect(exported, name).toContain(name);
  });

  it('the lift-health panels read fields the ingest’s health stage writes', () => {
    const lines = [
      ...healthDailyLines(demoHealthPlans(Date.parse('2025-05-20T12:00:00+08:00'))).values(),
    ].flat();
    const written = new Set(
      lines.flatMap((l) => [...l.split(' ')[1]!.matchAll(/(?:^|,)(\w+)=/g)].map((m) => m[1]!)),
    );
    const queries = liftHealth().panels!.flatMap((p) =>
      ((p as { targets?: { query: string }[] }).targets ?? []).map((t) => t.query),
    );
    // Every query reads the long-kept policy, where the ingest writes health days (HEALTH_POLICY).
    for (const q of queries) expect(q).toContain(`FROM "${HEALTH_POLICY}"."health_daily"`);
    const asked = new Set(queries.flatMap((q) => [...q.matchAll(/"(\w+)"/g)].map((m) => m[1]!)));
    for (const name of [HEALTH_POLICY, 'health_daily', 'elevator', 'estate']) asked.delete(name);
    // Vibration and braking distance come only from devices that measure them: the traces carry neither.
    for (const name of asked)
      if (!name.startsWith('vibration_mg') && !name.startsWith('stop_distance_mm'))
        expect(written, name).toContain(name);
    expect(asked.size).toBeGreaterThan(20);
    expect(written).toContain('door_close_ms_median');
    expect(written).toContain('door_close_ms_floor');
  });
});
