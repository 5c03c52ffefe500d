/**
 * Child processes for the benchmarks: each part runs as it would on its own machine, as its
 * `npm run start:*` script starts it (`node <flags> --import tsx broker/main.ts`, ...), with
 * its output kept in a log file, and is stopped with SIGTERM (then SIGKILL) at the end.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, readdirSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { parsePrometheus } from '../lib/prometheus.ts';

export const ROOT = join(import.meta.dirname, '..');
const TSX = join(ROOT, 'node_modules', '.bin', 'tsx');

export interface Part {
  name: string;
  child: ChildProcess;
  /** Lines the process printed on stdout, for parts that report (the simulator). */
  stdoutLines: string[];
  exited: Promise<number | null>;
  stop(): Promise<void>;
}

/**
 * The Node flags package.json's start script gives a part (`node <flags> --import tsx
 * <script>`), so the benchmark runs it as a deployment does: the ingest's heap bound.
 */
function nodeFlagsOf(script: string): string[] {
  const scripts = (
    JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }
  ).scripts;
  const line = Object.values(scripts).find((s) => s.startsWith('node ') && s.endsWith(` ${script}`));
  return line ? line.split(' ').filter((token) => token.startsWith('--') && token !== '--import') : [];
}

/** BENCH_NODE_OPTIONS_<PART> (e.g. _INGEST): extra Node flags for one part, on its command line. */
function extraFlagsFor(part: string): string[] {
  return (process.env[`BENCH_NODE_OPTIONS_${part.toUpperCase()}`] ?? '').split(' ').filter(Boolean);
}

export function startPart(
  name: string,
  script: string,
  args: string[],
  env: Record<string, string>,
  logDir: string,
  /** More Node flags for this part (e.g. --expose-gc for a memory figure after a forced GC). */
  flags: string[] = [],
): Part {
  // Node flags go on the command line (`node <flags> --import tsx`): node refuses some of
  // them (--cpu-prof, --trace-gc) in NODE_OPTIONS. A part without flags runs through tsx.
  const { CPU_PROFILE_DIR: profileDir, ...partEnv } = env;
  const nodeFlags = [
    ...nodeFlagsOf(script),
    ...flags,
    ...extraFlagsFor(name),
    ...(profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []),
  ];
  const command =
    nodeFlags.length > 0
      ? [process.execPath, ...nodeFlags, '--import', 'tsx', join(ROOT, script), ...args]
      : [TSX, join(ROOT, script), ...args];
  // A profiled part writes its profile on a clean exit only: give it longer.
  return startProgram(
    name,
    command,
    { LOG_LEVEL: 'warn', ...partEnv },
    logDir,
    profileDir ? 120_000 : 15_000,
  );
}

/** Any program as a part (the relay's Mosquitto): output to `<logDir>/<name>.log`, SIGTERM then SIGKILL. */
export function startProgram(
  name: string,
  command: string[],
  env: Record<string, string>,
  logDir: string,
  killAfterMs = 15_000,
): Part {
  const child = spawn(command[0]!, command.slice(1), {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const log = createWriteStream(join(logDir, `${name}.log`));
  const stdoutLines: string[] = [];
  let partial = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    log.write(chunk);
    const text = partial + chunk.toString('utf8');
    const lines = text.split('\n');
    partial = lines.pop() ?? '';
    stdoutLines.push(...lines.filter((l) => l.trim() !== ''));
  });
  child.stderr!.pipe(log);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    name,
    child,
    stdoutLines,
    exited,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Polls `condition` until it holds; throws with `what` after `timeoutMs`. */
export async function waitUntil(
  what: string,
  condition: () => boolean | Promise<boolean>,
  timeoutMs: number,
  everyMs = 200,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export function portAccepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Reads a Prometheus text endpoint into name{labels} → value. */
export async function scrape(url: string): Promise<Map<string, number>> {
  return parsePrometheus(await (await fetch(url)).text());
}

/** The last line a part printed that parses as JSON (its latest report), or null. */
export function lastJsonLine<T>(part: Part): T | null {
  for (let i = part.stdoutLines.length - 1; i >= 0; i--) {
    try {
      return JSON.parse(part.stdoutLines[i]!) as T;
    } catch {
      // not a report line
    }
  }
  return null;
}

/**
 * The `q` quantile (0..1) of a Prometheus histogram over the interval between two scrapes,
 * as the upper bound of the bucket it falls in (never an underestimate); null when the
 * interval saw no samples, Infinity when it falls past the last finite bound.
 */
export function intervalQuantile(
  before: Map<string, number>,
  after: Map<string, number>,
  family: string,
  q: number,
): number | null {
  const prefix = `${family}_bucket{le="`;
  const buckets: [number, number][] = [];
  for (const [key, value] of after) {
    if (!key.startsWith(prefix)) continue;
    const le = key.slice(prefix.length, -2);
    buckets.push([le === '+Inf' ? Number.POSITIVE_INFINITY : Number(le), value - (before.get(key) ?? 0)]);
  }
  buckets.sort((a, b) => a[0] - b[0]);
  const total = buckets.at(-1)?.[1] ?? 0;
  if (total <= 0) return null;
  return buckets.find(([, cumulative]) => cumulative >= q * total)![0];
}

/**
 * CPU seconds (user + system) used so far by a process and every descendant: the tsx
 * binary runs the part in a child node, and influxd is a process of its own.
 */
export function treeCpuSeconds(rootPid: number): number {
  const parentOf = new Map<number, number>();
  const ticks = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // exited while we looked
    }
    // The command name (field 2) may hold spaces; the fields after its ')' are fixed.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const pid = Number(entry);
    parentOf.set(pid, Number(fields[1]));
    ticks.set(pid, Number(fields[11]) + Number(fields[12]));
  }
  let total = 0;
  for (const [pid, t] of ticks) {
    for (let p: number | undefined = pid; p !== undefined && p > 1; p = parentOf.get(p)) {
      if (p === rootPid) {
        total += t;
        break;
      }
    }
  }
  return total / CLOCK_TICKS_PER_S;
}

/** USER_HZ: 100 on every Linux this runs on (sysconf(_SC_CLK_TCK) is not reachable from Node). */
const CLOCK_TICKS_PER_S = 100;

/**
 * Machine-wide CPU seconds so far, from /proc/stat: busy (user, nice, system, irq, softirq)
 * and stolen (a virtual machine's time taken by its hypervisor for other guests). A run on
 * a machine with much steal measures the neighbours as well as the code.
 */
export function machineCpuSeconds(): { busy: number; steal: number } {
  const fields = readFileSync('/proc/stat', 'utf8')
    .split('\n', 1)[0]!
    .trim()
    .split(/\s+/)
    .slice(1)
    .map(Number);
  const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = fields;
  return {
    busy: (user + nice + system + irq + softirq) / CLOCK_TICKS_PER_S,
    steal: steal / CLOCK_TICKS_PER_S,
  };
}
