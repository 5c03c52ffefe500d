import { describe, expect, it } from 'vitest';
import {
  decodeServiceMessage,
  parseServiceTopic,
  SERVICE_MESSAGE_MAX_BYTES,
  topics,
  validateServiceMessage,
} from '../../protocol/index.ts';
import { alertMessageFixture, visitMessageFixture } from '../helpers/alerts.ts';

const bytes = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value));

describe('service topics', () => {
  it.each([
    ['alerts/a-1', { kind: 'alert', elevatorId: 'a-1' }],
    ['visits/b2-e1', { kind: 'visit', elevatorId: 'b2-e1' }],
    ['alerts/A', null],
    ['alerts/a/extra', null],
    ['elevators/a/telemetry', null],
    ['constructor/a', null],
    ['toString/a', null],
  ])('parses %s', (topic, expected) => {
    expect(parseServiceTopic(topic)).toEqual(expected);
  });

  it('builds what it parses', () => {
    expect(parseServiceTopic(topics.alert('e-1'))).toEqual({ kind: 'alert', elevatorId: 'e-1' });
    expect(parseServiceTopic(topics.visit('e-1'))).toEqual({ kind: 'visit', elevatorId: 'e-1' });
  });
});

describe('service message validation', () => {
  const alert = alertMessageFixture({ id: 'a1', elevator_id: 'e-1' }, 'acknowledged');
  const visit = visitMessageFixture({ id: 'v1', elevator_id: 'e-1' });

  it('accepts the lifecycle messages as they are built', () => {
    expect(decodeServiceMessage('alerts/e-1', bytes(alert))).toEqual({
      ok: true,
      kind: 'alert',
      elevatorId: 'e-1',
      message: alert,
    });
    expect(decodeServiceMessage('visits/e-1', bytes(visit))).toMatchObject({ ok: true, kind: 'visit' });
  });

  it.each([
    ['not JSON', 'alerts/e-1', '{"id":', 'SERVICE_MESSAGE_UNREADABLE'],
    ['empty', 'alerts/e-1', '', 'SERVICE_MESSAGE_UNREADABLE'],
    ['too deep', 'alerts/e-1', `${'['.repeat(40)}${']'.repeat(40)}`, 'SERVICE_MESSAGE_UNREADABLE'],
    ['too large', 'alerts/e-1', `"${'x'.repeat(SERVICE_MESSAGE_MAX_BYTES)}"`, 'SERVICE_MESSAGE_UNREADABLE'],
    ['not a service topic', 'elevators/e-1/status', {}, 'SERVICE_TOPIC_UNKNOWN'],
    [
      'the old stub',
      'alerts/e-1',
      { id: 'a', code: 'x', state: 'open', opened_at: 1 },
      'SERVICE_MESSAGE_INVALID',
    ],
    ['an unknown state', 'alerts/e-1', { ...alert, state: 'closed' }, 'SERVICE_MESSAGE_INVALID'],
    ['a missing transition', 'alerts/e-1', { ...alert, transition: undefined }, 'SERVICE_MESSAGE_INVALID'],
    ['a verdict out of range', 'visits/e-1', { ...visit, evidence_score: 101 }, 'SERVICE_MESSAGE_INVALID'],
    ['a visit on the alert topic', 'alerts/e-1', visit, 'SERVICE_MESSAGE_INVALID'],
    ['another elevator', 'alerts/e-2', alert, 'SERVICE_MESSAGE_WRONG_ELEVATOR'],
  ])('refuses %s with its code', (_label, topic, body, code) => {
    const result = decodeServiceMessage(topic, bytes(body));
    expect(result).toMatchObject({ ok: false, code });
    if (!result.ok) expect(result.reason.length).toBeGreaterThan(0);
  });

  it('names the field that failed', () => {
    const result = validateServiceMessage('alert', { ...alert, count: 0 });
    expect(result).toMatchObject({ ok: false, code: 'SERVICE_MESSAGE_INVALID' });
    if (!result.ok) expect(result.reason).toContain('/count');
  });
});
