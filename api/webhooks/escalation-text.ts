/**
 * The message an on-call person reads when an escalation step reaches them: Chinese, times
 * in Beijing time, who has acted so far (with their note), where the SLA clocks stand and a
 * link to the lift in the console. Pure: the sender passes names and the clock.
 */
import { ALERT_STATE_WORDS, escalationStepWords, SEVERITY_WORDS, wordOf } from '../../protocol/words.ts';
import type { AlertTable } from '../../store/schema.ts';
import { beijingTime } from '../exports/csv.ts';

export interface EscalationContext {
  alert: AlertTable;
  step: string;
  labelZh: string;
  where: string;
  /** Display name of whoever is told (or their username). */
  to: string | null;
  /** Display names by username, for who acted. */
  nameOf: (username: string) => string;
  ackWithinMs: number;
  arriveWithinMs: number;
  link: string;
  now: number;
}

const minutes = (ms: number) => Math.max(0, Math.floor(ms / 60_000));

/** "超时 3 分钟" past the limit, "剩余 2 分钟" before it. */
function clock(elapsedMs: number, limitMs: number): string {
  return elapsedMs >= limitMs
    ? `已超时 ${minutes(elapsedMs - limitMs)} 分钟`
    : `剩余 ${Math.ceil((limitMs - elapsedMs) / 60_000)} 分钟`;
}

export function escalationLines(c: EscalationContext): string[] {
  const a = c.alert;
  const elapsed = c.now - a.opened_at;
  const state = wordOf(ALERT_STATE_WORDS, a.state, 'zh') ?? '处理中';
  const lines = [
    `**【${c.step === 'duty:1' ? '值班通知' : '告警升级'}】${c.where} ${c.labelZh}**`,
    `步骤：${escalationStepWords(c.step, 'zh')}${c.to ? `（${c.to}）` : ''}`,
    `电梯：${c.where}`,
    `级别：${wordOf(SEVERITY_WORDS, a.severity, 'zh') ?? '—'}；状态：${state}`,
    `发生时间：${beijingTime(a.opened_at)}（北京时间），已过 ${minutes(elapsed)} 分钟`,
  ];
  if (a.acknowledged_at !== null && a.acknowledged_by) {
    lines.push(
      `确认：${c.nameOf(a.acknowledged_by)} 于 ${beijingTime(a.acknowledged_at)}${a.ack_note ? `，备注：${a.ack_note}` : ''}`,
    );
    lines.push(
      `响应时限 ${minutes(c.ackWithinMs)} 分钟：已响应（用时 ${minutes(a.acknowledged_at - a.opened_at)} 分钟）`,
    );
  } else {
    lines.push('确认：尚无人确认');
    lines.push(`响应时限 ${minutes(c.ackWithinMs)} 分钟：${clock(elapsed, c.ackWithinMs)}`);
  }
  lines.push(`到场时限 ${minutes(c.arriveWithinMs)} 分钟：${clock(elapsed, c.arriveWithinMs)}`);
  lines.push(`查看：${c.link}`);
  return lines;
}
