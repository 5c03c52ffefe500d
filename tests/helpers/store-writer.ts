/**
 * One writer process of tests/integration/store-concurrency.test.ts: opens the registry
 * the test names (its own pool or SQLite connection), says `ready`, waits for `go` on
 * stdin so every writer starts at once, writes, and prints one JSON line of what it saw.
 *
 *   node --import tsx tests/helpers/store-writer.ts '<json WriterTask>'
 */
import { createInterface } from 'node:readline';
import { createAlertLifecycle } from '../../alerts/lifecycle.ts';
import { LedgerError } from '../../ledger/errors.ts';
import { createFundLedger } from '../../ledger/ledger.ts';
import type { Actor } from '../../ledger/types.ts';
import type { AlertMessage } from '../../protocol/index.ts';
import { openRegistry, type RegistryTarget } from '../../store/db.ts';
import { storeOver } from '../../store/store.ts';

export type WriterTask =
  | {
      kind: 'alerts';
      target: RegistryTarget;
      elevatorId: string;
      code: 'passenger_trapped';
      findings: number;
      at: number;
    }
  | {
      kind: 'ledger';
      target: RegistryTarget;
      fundId: string;
      actor: Actor;
      /** Each write: its idempotency key and amount (the body). */
      writes: { key: string; amountFen: number }[];
    };

export interface AlertsOutcome {
  transitions: AlertMessage['transition'][];
}

export interface LedgerOutcome {
  results: {
    key: string;
    amountFen: number;
    status: 'ok' | 'conflict' | 'error';
    id?: string;
    error?: string;
  }[];
}

async function waitForGo(): Promise<void> {
  const lines = createInterface({ input: process.stdin });
  process.stdout.write('ready\n');
  for await (const line of lines) if (line.trim() === 'go') break;
  lines.close();
}

async function run(task: WriterTask): Promise<AlertsOutcome | LedgerOutcome> {
  const db = await openRegistry(task.target);
  try {
    if (task.kind === 'alerts') {
      const transitions: AlertMessage['transition'][] = [];
      const lifecycle = createAlertLifecycle({
        alerts: storeOver(db).alerts,
        clock: Date.now,
        publish: (_topic, payload) => {
          if ('transition' in payload) transitions.push(payload.transition);
        },
      });
      await waitForGo();
      for (let i = 0; i < task.findings; i++) {
        await lifecycle.apply([
          { kind: 'raise', elevatorId: task.elevatorId, code: task.code, at: task.at + i, evidence: { i } },
        ]);
      }
      return { transitions };
    }
    const ledger = createFundLedger({ repository: storeOver(db).ledger });
    await waitForGo();
    const results: LedgerOutcome['results'] = [];
    for (const w of task.writes) {
      try {
        const tx = await ledger.recordContribution(
          { fundId: task.fundId, actor: task.actor, idempotencyKey: w.key },
          { period: '2025-03', amountFen: w.amountFen },
        );
        results.push({ ...w, status: 'ok', id: tx.id });
      } catch (error) {
        if (error instanceof LedgerError && error.reason === 'IDEMPOTENCY_MISMATCH')
          results.push({ ...w, status: 'conflict' });
        else results.push({ ...w, status: 'error', error: String(error) });
      }
    }
    return { results };
  } finally {
    await db.destroy();
  }
}

const task = JSON.parse(process.argv[2] ?? '{}') as WriterTask;
run(task).then(
  (outcome) => {
    process.stdout.write(`${JSON.stringify(outcome)}\n`);
  },
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
    process.exitCode = 1;
  },
);
