/** The demo seed's progress (demo/seed.ts): which steps are done, each marked once. */
import type { RegistryDb } from '../db.ts';

export interface DemoSeedRepository {
  /** The steps already done, with what each recorded. */
  done(): Promise<Map<string, string | null>>;
  /** Marks a step done; a step already marked keeps its first mark. */
  mark(step: string, at: number, detail?: string): Promise<void>;
}

export function demoSeedRepository(db: RegistryDb): DemoSeedRepository {
  return {
    async done() {
      const rows = await db.selectFrom('demo_seed_steps').select(['step', 'detail']).execute();
      return new Map(rows.map((r) => [r.step, r.detail]));
    },
    async mark(step, at, detail) {
      await db
        .insertInto('demo_seed_steps')
        .values({ step, done_at: at, detail: detail ?? null })
        .onConflict((c) => c.column('step').doNothing())
        .execute();
    },
  };
}
