/**
 * What one webhook delivery sends, per format, as pure functions: the generic JSON event,
 * the WeCom group-robot markdown message and the DingTalk custom-robot markdown message,
 * and their signatures. Generic and WeCom carry our `X-LiftWatch-Signature` (WeCom robots
 * have no signing of their own); DingTalk is signed its documented way as well
 * (`timestamp` + `sign` query parameters, HMAC-SHA256 of "timestamp\nsecret", base64).
 */
import { createHmac } from 'node:crypto';
import type { WebhookEvent, WebhookFormat } from '../../store/schema.ts';

export const SIGNATURE_HEADER = 'x-liftwatch-signature';
export const TIMESTAMP_HEADER = 'x-liftwatch-timestamp';
export const EVENT_HEADER = 'x-liftwatch-event';
export const DELIVERY_HEADER = 'x-liftwatch-delivery';

/** The event as the generic format sends it; the robot formats render it as markdown. */
export interface WebhookPayload {
  event: WebhookEvent | 'ping' | 'alert.escalation';
  delivery_id: string;
  sent_at: number;
  estate: { id: string; name: string; name_en: string | null };
  elevator: { id: string; name: string; building: string; registration_code: string } | null;
  alert?: {
    id: string;
    code: string;
    label_zh: string;
    label_en: string;
    severity: string;
    state: string;
    opened_at: number;
    last_seen_at: number;
  };
  /** An escalation step (api/webhooks/escalations.ts): who is told, and the message in Chinese. */
  escalation?: {
    step: string;
    step_words: string;
    to: { username: string | null; display_name: string | null };
    /** The message a person reads, one line each (Chinese, Beijing time). */
    text: string[];
    link: string;
  };
  visit?: {
    id: string;
    status: string;
    verdict: string | null;
    evidence_score: number | null;
    kind: string | null;
    company_id: string | null;
  };
}

export interface OutgoingRequest {
  url: string;
  body: string;
  headers: Record<string, string>;
}

/** sha256=hex(HMAC(secret, "{timestamp}.{raw body}")): the timestamp is signed so a replay can be refused. */
export function signGeneric(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** DingTalk custom robot "加签": base64(HMAC-SHA256(key=secret, "{timestamp ms}\n{secret}")). */
export function signDingTalk(secret: string, timestampMs: string): string {
  return createHmac('sha256', secret).update(`${timestampMs}\n${secret}`).digest('base64');
}

const STATE_WORDS: Record<string, string> = {
  open: '新告警 Open',
  acknowledged: '已确认 Acknowledged',
  resolved: '已解除 Resolved',
};
const VERDICT_WORDS: Record<string, string> = {
  verified: '维保已核实 Verified',
  suspect: '维保存疑 Suspect',
  fake: '疑似虚假维保 Likely fake',
};

/** Title and markdown lines a person reads in the group chat, Chinese first, then English. */
export function robotText(p: WebhookPayload): { title: string; lines: string[] } {
  const where = p.elevator
    ? `${p.estate.name} ${p.elevator.name}（${p.elevator.registration_code}）`
    : p.estate.name;
  if (p.escalation) {
    const [title = '告警升级', ...rest] = p.escalation.text;
    return { title: title.replace(/\*\*/g, ''), lines: [title, ...rest] };
  }
  if (p.alert) {
    const a = p.alert;
    return {
      title: `${a.label_zh} ${a.label_en}`,
      lines: [
        `**${STATE_WORDS[a.state] ?? a.state}：${a.label_zh} ${a.label_en}**`,
        `电梯 Lift: ${where}`,
        `级别 Severity: ${a.severity}`,
        `发生 Opened: ${new Date(a.opened_at).toISOString()}`,
      ],
    };
  }
  if (p.visit) {
    const v = p.visit;
    const verdict = v.verdict ? (VERDICT_WORDS[v.verdict] ?? v.verdict) : `维保 ${v.status}`;
    return {
      title: verdict,
      lines: [`**${verdict}**`, `电梯 Lift: ${where}`, `评分 Evidence score: ${v.evidence_score ?? '-'}`],
    };
  }
  return { title: 'Lift Watch', lines: [`**Lift Watch 测试消息 test message**`, `小区 Estate: ${where}`] };
}

export function buildRequest(
  format: WebhookFormat,
  url: string,
  secret: string,
  payload: WebhookPayload,
  timestampMs: number,
): OutgoingRequest {
  const timestamp = String(timestampMs);
  let body: string;
  let target = url;
  switch (format) {
    case 'generic':
      body = JSON.stringify(payload);
      break;
    case 'wecom': {
      const { lines } = robotText(payload);
      body = JSON.stringify({ msgtype: 'markdown', markdown: { content: lines.join('\n') } });
      break;
    }
    case 'dingtalk': {
      const { title, lines } = robotText(payload);
      body = JSON.stringify({ msgtype: 'markdown', markdown: { title, text: lines.join('\n\n') } });
      const signed = new URL(url);
      signed.searchParams.set('timestamp', timestamp);
      signed.searchParams.set('sign', signDingTalk(secret, timestamp));
      target = signed.toString();
      break;
    }
  }
  return {
    url: target,
    body,
    headers: {
      'content-type': 'application/json; charset=utf-8',
      'user-agent': 'LiftWatch-Webhook/1',
      [EVENT_HEADER]: payload.event,
      [DELIVERY_HEADER]: payload.delivery_id,
      [TIMESTAMP_HEADER]: timestamp,
      [SIGNATURE_HEADER]: signGeneric(secret, timestamp, body),
    },
  };
}

/**
 * Robots answer HTTP 200 with an `errcode`; 0 is success. Their rate limits (DingTalk 130101,
 * WeCom 45009) are worth a retry, any other code is not.
 */
export function robotOutcome(format: WebhookFormat, text: string): 'ok' | 'retry' | 'fail' {
  if (format === 'generic') return 'ok';
  try {
    const code = (JSON.parse(text) as { errcode?: unknown }).errcode;
    if (code === undefined || code === 0) return 'ok';
    return code === 130101 || code === 45009 ? 'retry' : 'fail';
  } catch {
    return 'fail';
  }
}
