/**
 * `#/audit`: the audit log (admins: all; property managers: their estates), newest first,
 * in words: when, who (display name; 'system' for the escalation sender), what (every
 * action code has its words in protocol/words.ts, which the type enforces), on what, in
 * which estate, and the note or the escalation step where there is one. Never a raw code or
 * JSON: a detail field without words is left out.
 */
import {
  ALERT_STATE_WORDS,
  AUDIT_ACTION_WORDS,
  AUDIT_TARGET_WORDS,
  ESCALATION_STATUS_WORDS,
  escalationStepWords,
  REPORT_STATUS_WORDS,
  wordOf,
} from '../../../protocol/words.ts';
import { api } from '../api.ts';
import { h, mount } from '../dom.ts';
import { formatTime, lang } from '../i18n.ts';
import type { View } from '../main.ts';
import { estateName } from '../names.ts';
import { personName } from '../people.ts';
import { empty, errorBox, loading } from '../ui.ts';

const WORDS = {
  zh: {
    title: '操作记录',
    at: '时间',
    who: '操作人',
    what: '操作',
    target: '对象',
    estate: '小区',
    detail: '说明',
    more: '更多',
    system: '系统',
    resident: '住户（二维码页）',
    note: '备注',
    to: '通知',
  },
  en: {
    title: 'Audit log',
    at: 'When',
    who: 'Who',
    what: 'What',
    target: 'On',
    estate: 'Estate',
    detail: 'Detail',
    more: 'More',
    system: 'System',
    resident: 'Resident (QR page)',
    note: 'Note',
    to: 'Told',
  },
} as const;
const w = (key: keyof (typeof WORDS)['zh']) => WORDS[lang()][key];

interface AuditRow {
  id: number;
  at: number;
  actor: string;
  action: string;
  target_type: string;
  estate_id: string | null;
  detail: unknown;
}

function actionWords(action: string): string {
  return Object.hasOwn(AUDIT_ACTION_WORDS, action)
    ? AUDIT_ACTION_WORDS[action as keyof typeof AUDIT_ACTION_WORDS][lang()]
    : '—';
}

/** The parts of a detail a person can read: a note, an escalation step and who it told. */
function detailWords(row: AuditRow): string {
  const d = (typeof row.detail === 'object' && row.detail ? row.detail : {}) as Record<string, unknown>;
  const parts: string[] = [];
  if (typeof d.step === 'string') parts.push(escalationStepWords(d.step, lang()));
  // `to` is a person told for an escalation, but a state moved to for an alert's or a
  // report's own step (api/routes/console/alerts.ts, reports.ts): "已确认 → 已解决".
  const states =
    row.action === 'report.status'
      ? REPORT_STATUS_WORDS
      : row.target_type === 'alert' && row.action !== 'alert.escalate'
        ? ALERT_STATE_WORDS
        : null;
  if (states) {
    const from = typeof d.from === 'string' ? wordOf(states, d.from, lang()) : undefined;
    const to = typeof d.to === 'string' ? wordOf(states, d.to, lang()) : undefined;
    if (to && from !== to) parts.push(from ? `${from} → ${to}` : to);
  } else if (typeof d.to === 'string') parts.push(`${w('to')}：${personName(d.to)}`);
  if (typeof d.status === 'string') {
    const status = wordOf(ESCALATION_STATUS_WORDS, d.status, lang());
    if (status) parts.push(status);
  }
  if (typeof d.note === 'string' && d.note) parts.push(`${w('note')}：${d.note}`);
  if (typeof d.name === 'string') parts.push(d.name);
  return parts.join('；');
}

function row(r: AuditRow): HTMLElement {
  return h(
    'tr',
    { 'data-audit': r.id, 'data-action': r.action },
    h('td', { class: 'nowrap' }, formatTime(r.at)),
    // 'resident': an anonymous write from a QR page (api/plugins/context.ts), not a login.
    h(
      'td',
      {},
      r.actor === 'system' ? w('system') : r.actor === 'resident' ? w('resident') : personName(r.actor),
    ),
    h('td', {}, actionWords(r.action)),
    h('td', {}, wordOf(AUDIT_TARGET_WORDS, r.target_type, lang()) ?? '—'),
    h('td', {}, r.estate_id ? estateName(r.estate_id) : '—'),
    h('td', {}, detailWords(r)),
  );
}

export const auditView: View = (host) => {
  const body = h('div', { 'data-testid': 'audit-list' }, loading());
  mount(host, h('h1', {}, w('title')), body);
  const rows: AuditRow[] = [];
  let next: number | null = 0;
  const draw = () =>
    mount(
      body,
      rows.length
        ? h(
            'table',
            { class: 'table' },
            h(
              'tr',
              {},
              [w('at'), w('who'), w('what'), w('target'), w('estate'), w('detail')].map((c) =>
                h('th', {}, c),
              ),
            ),
            rows.map(row),
          )
        : empty(),
      next !== null ? h('button', { type: 'button', onclick: () => void load() }, w('more')) : null,
    );
  const load = async () => {
    if (next === null) return;
    try {
      const page = await api.get<{ items: AuditRow[]; next_offset: number | null }>('/audit', {
        limit: 50,
        offset: next,
      });
      rows.push(...page.items);
      next = page.next_offset;
      draw();
    } catch (error) {
      mount(
        body,
        errorBox(error, () => void load()),
      );
    }
  };
  void load();
  return undefined;
};
