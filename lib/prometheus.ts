/**
 * Prometheus text exposition: the one renderer every part's /metrics uses, and the bare
 * endpoint a part running alone serves it on. Samples are plain objects so a part can
 * provide them without knowing the format.
 */
import { createServer, type Server } from 'node:http';

export interface MetricSample {
  name: string;
  help: string;
  type: 'counter' | 'gauge' | 'histogram';
  /** A histogram's base name: its `_bucket`, `_sum` and `_count` samples share one HELP and TYPE. */
  family?: string;
  value: number;
  labels?: Record<string, string>;
}

export type MetricsProvider = () => MetricSample[] | Promise<MetricSample[]>;

function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

export function formatPrometheus(samples: readonly MetricSample[]): string {
  const byName = new Map<string, MetricSample[]>();
  for (const s of samples) {
    const family = s.family ?? s.name;
    const group = byName.get(family);
    if (group) group.push(s);
    else byName.set(family, [s]);
  }
  const lines: string[] = [];
  for (const [name, group] of byName) {
    lines.push(`# HELP ${name} ${group[0]!.help}`, `# TYPE ${name} ${group[0]!.type}`);
    for (const s of group) {
      const labels = s.labels
        ? `{${Object.entries(s.labels)
            .map(([k, v]) => `${k}="${escapeLabel(v)}"`)
            .join(',')}}`
        : '';
      lines.push(`${s.name}${labels} ${s.value}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

/** Reads exposition text back into `name{labels}` → value (the benchmarks' and tests' scrape). */
export function parsePrometheus(text: string): Map<string, number> {
  const values = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line.startsWith('#') || line.trim() === '') continue;
    const space = line.lastIndexOf(' ');
    values.set(line.slice(0, space), Number(line.slice(space + 1)));
  }
  return values;
}

/** The process's own memory, so every part reports RSS the same way. */
export function processSamples(prefix: string): MetricSample[] {
  const memory = process.memoryUsage();
  return [
    { name: `${prefix}_process_rss_bytes`, help: 'Resident set size', type: 'gauge', value: memory.rss },
    {
      name: `${prefix}_process_heap_used_bytes`,
      help: 'V8 heap in use',
      type: 'gauge',
      value: memory.heapUsed,
    },
    {
      name: `${prefix}_process_heap_total_bytes`,
      help: 'V8 heap reserved (used, garbage not yet collected, free pages)',
      type: 'gauge',
      value: memory.heapTotal,
    },
    {
      name: `${prefix}_process_external_bytes`,
      help: 'Memory outside the V8 heap held by JS objects (Buffers)',
      type: 'gauge',
      value: memory.external,
    },
  ];
}

/** A bare /metrics endpoint for a part running alone (no API beside it to merge into). */
export function serveMetrics(port: number, host: string, samples: () => MetricSample[]): Promise<Server> {
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://metrics');
    if (url.pathname !== '/metrics') {
      response.writeHead(404).end('only /metrics here\n');
      return;
    }
    // `/metrics?gc=1` in a process started with --expose-gc (a bench's memory figure): a full
    // collection first, so the heap samples are live data, not garbage a later GC would free.
    const gc = (globalThis as { gc?: () => void }).gc;
    if (url.searchParams.has('gc') && gc) gc();
    response.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(formatPrometheus(samples()));
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}

/** Closes what serveMetrics opened; a scraper's idle keep-alive connection does not hold it up. */
export function stopMetrics(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((err) => (err ? reject(err) : resolve()));
    server.closeAllConnections();
  });
}
