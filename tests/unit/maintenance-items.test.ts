/** The phone's TSG T5002 checklist and the visit judge count the same items per class. */
import { describe, expect, it } from 'vitest';
import { TSG_ITEM_COUNT } from '../../ingest/visits/limits.ts';
import { VISIT_KINDS } from '../../protocol/index.ts';
import { MAINTENANCE_ITEMS, maintenanceItemsFor } from '../../protocol/maintenance-items.ts';

describe('TSG T5002 item catalogue', () => {
  it.each(VISIT_KINDS)('%s: as many items as the judge requires, numbered 1..n', (kind) => {
    const items = maintenanceItemsFor(kind);
    expect(items).toHaveLength(TSG_ITEM_COUNT[kind]);
    expect(items.map((i) => i.number)).toEqual(items.map((_, i) => i + 1));
  });

  it('the half-monthly safety items sit where the evidence looks for them', () => {
    const byNumber = new Map(MAINTENANCE_ITEMS.map((i) => [i.number, i]));
    expect(byNumber.get(12)).toMatchObject({ name: '轿顶检修开关、停止装置', place: 'car_top_shaft' });
    expect(byNumber.get(29)).toMatchObject({ name: '层门锁紧元件啮合长度', place: 'landing' });
    expect(byNumber.get(31)).toMatchObject({ name: '底坑停止装置', place: 'pit' });
    expect(byNumber.get(76)).toMatchObject({ table: 'A-4', name: '缓冲器' });
  });
});
