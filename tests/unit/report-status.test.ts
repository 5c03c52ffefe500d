/**
 * A resident report linked to an alert (protocol/alert-steps.ts): it follows the alert until
 * the resident reopens it after the alert's resolution, and its effective status is the
 * further along of its own and the alert's. The store's SQL twin is checked through the API
 * (tests/integration/api-duty-officer.test.ts).
 */
import { describe, expect, it } from 'vitest';
import {
  effectiveReportStatus,
  type FollowedAlert,
  type FollowingReport,
  followsAlert,
} from '../../protocol/alert-steps.ts';

const T = 1_000_000;
const alert = (over: Partial<FollowedAlert>): FollowedAlert => ({
  state: 'open',
  acknowledged_at: null,
  arrived_at: null,
  resolved_at: null,
  ...over,
});
const report = (over: Partial<FollowingReport> = {}): FollowingReport => ({
  status: 'received',
  feedback: null,
  feedback_at: null,
  ...over,
});
const acked = alert({ state: 'acknowledged', acknowledged_at: T });
const arrived = alert({ state: 'acknowledged', acknowledged_at: T, arrived_at: T + 1 });
const resolved = alert({ state: 'resolved', acknowledged_at: T, resolved_at: T + 2 });

describe('a linked report follows its alert', () => {
  it.each([
    ['no alert', report(), null, 'received', false],
    ['no alert, moved by the firm', report({ status: 'in_progress' }), null, 'in_progress', false],
    ['alert open', report(), alert({}), 'received', true],
    ['alert acknowledged', report(), acked, 'in_progress', true],
    ['someone on site', report(), arrived, 'in_progress', true],
    ['alert resolved', report(), resolved, 'resolved', true],
    ['resolved straight from open', report(), alert({ state: 'resolved', resolved_at: T }), 'resolved', true],
    ['confirmed fixed', report({ feedback: 'fixed', feedback_at: T + 3 }), resolved, 'resolved', true],
    [
      'reopened after the resolution: the queue item it was filed as',
      report({ feedback: 'not_fixed', feedback_at: T + 3 }),
      resolved,
      'received',
      false,
    ],
    [
      'reopened, then closed by the firm',
      report({ status: 'resolved', feedback: 'not_fixed', feedback_at: T + 3 }),
      resolved,
      'resolved',
      false,
    ],
    [
      'a "not fixed" from before the resolution does not reopen it',
      report({ feedback: 'not_fixed', feedback_at: T - 1 }),
      resolved,
      'resolved',
      true,
    ],
    ['rejected earlier stays rejected', report({ status: 'rejected' }), acked, 'rejected', true],
  ] as const)('%s', (_, r, a, status, follows) => {
    expect(effectiveReportStatus(r, a)).toBe(status);
    expect(followsAlert(r, a)).toBe(follows);
  });
});
