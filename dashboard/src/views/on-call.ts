/**
 * `#/oncall`: who hears an estate's alarms (issue 15). For the chosen estate: its webhooks
 * (list with format and events in words, add, send a test, remove, the latest deliveries),
 * its on-call roster (the duty tier told in turn, then the managers when nobody is on site,
 * each with the channel that reaches them) and its escalation windows. Admins and property
 * managers only (the API enforces it too). Words for codes come from protocol/words.ts;
 * this screen's own sentences sit in WORDS below.
 */
import {
  DELIVERY_STATUS_WORDS,
  ON_CALL_CHANNEL_WORDS,
  ON_CALL_TIER_WORDS,
  WEBHOOK_EVENT_WORDS,
  WEBHOOK_FORMAT_WORDS,
  wordOf,
} from '../../../protocol/words.ts';
import { api } from '../api.ts';
import { h, mount } from '../dom.ts';
import { field, messageLine, onSubmit, showDone } from '../form.ts';
import { formatTime, lang } from '../i18n.ts';
import type { View } from '../main.ts';
import { estateLabel } from '../names.ts';
import { peopleList } from '../people.ts';
import { store } from '../store.ts';
import { empty, errorBox, loading } from '../ui.ts';

const WORDS = {
  zh: {
    title: '值班与通知',
    hint: '告警无人确认时按顺序通知值班人员；超过到场时限仍无人到场时通知主管。',
    estate: '小区',
    webhooks: '通知渠道',
    noHooks: '尚未添加通知渠道',
    name: '名称',
    format: '类型',
    url: '地址',
    secret: '加签密钥（钉钉机器人必填）',
    events: '订阅',
    add: '添加',
    test: '发送测试',
    remove: '删除',
    tested: '测试消息已发出，结果见下方发送记录',
    added: '已添加',
    secretOnce: '密钥只显示这一次，请妥善保存：',
    deliveries: '最近发送',
    roster: '值班表',
    noRoster: '值班表为空：告警升级时无人可通知',
    person: '人员',
    tier: '层级',
    channel: '通知方式',
    hook: '通知渠道',
    robotUrl: '机器人地址',
    robotSecret: '机器人密钥（可选）',
    order: '顺序',
    windows: '升级时限',
    ackWithin: '确认时限（分钟）',
    arriveWithin: '到场时限（分钟）',
    save: '保存',
    saved: '已保存',
    defaults: '（默认）',
    enabled: '启用',
    disabled: '停用',
  },
  en: {
    title: 'On call and notifications',
    hint: 'An alert nobody acknowledges goes to the next on duty, in order; when nobody is on site in time, to the managers.',
    estate: 'Estate',
    webhooks: 'Webhooks',
    noHooks: 'No webhooks yet',
    name: 'Name',
    format: 'Format',
    url: 'URL',
    secret: 'Signing secret (DingTalk robots: required)',
    events: 'Events',
    add: 'Add',
    test: 'Send a test',
    remove: 'Remove',
    tested: 'Test sent; see the deliveries below',
    added: 'Added',
    secretOnce: 'The secret is shown only this once:',
    deliveries: 'Latest deliveries',
    roster: 'On-call roster',
    noRoster: 'The roster is empty: an escalation reaches nobody',
    person: 'Person',
    tier: 'Tier',
    channel: 'Channel',
    hook: 'Webhook',
    robotUrl: 'Robot URL',
    robotSecret: 'Robot secret (optional)',
    order: 'Order',
    windows: 'Escalation windows',
    ackWithin: 'Acknowledge within (min)',
    arriveWithin: 'On site within (min)',
    save: 'Save',
    saved: 'Saved',
    defaults: '(defaults)',
    enabled: 'On',
    disabled: 'Off',
  },
} as const;
const w = (key: keyof (typeof WORDS)['zh']) => WORDS[lang()][key];
const code = (table: Record<'zh' | 'en', Record<string, string>>, c: string) =>
  wordOf(table, c, lang()) ?? '—';

interface Hook {
  id: string;
  name: string;
  format: string;
  url: string;
  events: string[];
  enabled: boolean;
}
interface Delivery {
  id: string;
  event: string;
  status: string;
  attempts: number;
  created_at: number;
}
interface Entry {
  id: string;
  tier: string;
  position: number;
  display_name: string;
  channel: string;
  webhook_name: string | null;
  robot_url: string | null;
}
interface Roster {
  policy: { ack_within_min: number; arrive_within_min: number; own: boolean };
  entries: Entry[];
}

function options(values: Array<[string, string]>, name: string): HTMLSelectElement {
  return h(
    'select',
    { name },
    values.map(([value, label]) => h('option', { value }, label)),
  );
}

export const onCallView: View = (host) => {
  const estates = store.estates;
  if (estates.length === 0) {
    mount(host, empty());
    return undefined;
  }
  const params = new URLSearchParams(location.hash.split('?')[1] ?? '');
  let estateId = estates.some((e) => e.id === params.get('estate')) ? params.get('estate')! : estates[0]!.id;
  const picker = options(
    estates.map((e) => [e.id, estateLabel(e)]),
    'estate',
  );
  picker.value = estateId;
  picker.addEventListener('change', () => {
    estateId = picker.value;
    history.replaceState(null, '', `#/oncall?estate=${encodeURIComponent(estateId)}`);
    void load();
  });
  const body = h('div', { 'data-testid': 'on-call' }, loading());
  mount(
    host,
    h('h1', {}, w('title')),
    h('p', { class: 'muted' }, w('hint')),
    field(w('estate'), picker),
    body,
  );

  const path = () => `/estates/${encodeURIComponent(estateId)}`;

  async function load(): Promise<void> {
    try {
      const [hooks, roster] = await Promise.all([
        api.get<Hook[]>(`${path()}/webhooks`),
        api.get<Roster>(`${path()}/on-call`),
      ]);
      const deliveries = await Promise.all(
        hooks.map((hook) =>
          api.get<{ items: Delivery[] }>(`${path()}/webhooks/${hook.id}/deliveries`, { limit: 3 }),
        ),
      );
      mount(
        body,
        hooksSection(
          hooks,
          deliveries.map((d) => d.items),
        ),
        rosterSection(roster, hooks),
        windowsSection(roster),
      );
    } catch (error) {
      mount(
        body,
        errorBox(error, () => void load()),
      );
    }
  }

  function hooksSection(hooks: Hook[], deliveries: Delivery[][]): HTMLElement {
    const line = messageLine('webhook-message');
    const list = hooks.length
      ? h(
          'table',
          { class: 'table', 'data-testid': 'webhook-list' },
          h(
            'tr',
            {},
            [w('name'), w('format'), w('url'), w('events'), w('deliveries'), ''].map((c) => h('th', {}, c)),
          ),
          hooks.map((hook, i) =>
            h(
              'tr',
              { 'data-webhook': hook.id },
              h(
                'td',
                {},
                hook.name,
                ' ',
                h('span', { class: 'badge' }, hook.enabled ? w('enabled') : w('disabled')),
              ),
              h('td', {}, code(WEBHOOK_FORMAT_WORDS, hook.format)),
              h('td', { class: 'mono wrap' }, hook.url),
              h('td', {}, hook.events.map((e) => code(WEBHOOK_EVENT_WORDS, e)).join('、')),
              h(
                'td',
                {},
                (deliveries[i] ?? []).map((d) =>
                  h(
                    'div',
                    { class: 'small', 'data-delivery-status': d.status },
                    `${formatTime(d.created_at)} ${code(WEBHOOK_EVENT_WORDS, d.event)} ${code(DELIVERY_STATUS_WORDS, d.status)}`,
                  ),
                ),
              ),
              h(
                'td',
                {},
                h(
                  'button',
                  {
                    type: 'button',
                    onclick: async () => {
                      await api.post(`${path()}/webhooks/${hook.id}/test`);
                      showDone(line, w('tested'));
                    },
                  },
                  w('test'),
                ),
                ' ',
                h(
                  'button',
                  {
                    type: 'button',
                    class: 'danger',
                    onclick: async () => {
                      await api.del(`${path()}/webhooks/${hook.id}`);
                      await load();
                    },
                  },
                  w('remove'),
                ),
              ),
            ),
          ),
        )
      : h('p', { class: 'muted' }, w('noHooks'));
    const name = h('input', { name: 'name', required: true, maxlength: 100 });
    const format = options(
      (['wecom', 'dingtalk', 'generic'] as const).map((f) => [f, code(WEBHOOK_FORMAT_WORDS, f)]),
      'format',
    );
    const url = h('input', { name: 'url', type: 'url', required: true, placeholder: 'https://' });
    const secret = h('input', { name: 'secret', minlength: 16 });
    const form = h(
      'form',
      { class: 'inline-form', 'data-testid': 'webhook-form' },
      field(w('name'), name),
      field(w('format'), format),
      field(w('url'), url),
      field(w('secret'), secret),
      h('button', { type: 'submit', class: 'primary' }, w('add')),
    );
    onSubmit(form, line, async () => {
      const made = await api.post<{ secret: string }>(`${path()}/webhooks`, {
        name: name.value,
        format: format.value,
        url: url.value,
        ...(secret.value ? { secret: secret.value } : {}),
      });
      await load();
      const again = document.querySelector<HTMLElement>('[data-testid=webhook-message]');
      if (again) showDone(again, `${w('added')}。${w('secretOnce')} ${made.secret}`);
    });
    return h('section', { 'data-testid': 'webhooks' }, h('h2', {}, w('webhooks')), list, form, line);
  }

  function rosterSection(roster: Roster, hooks: Hook[]): HTMLElement {
    const line = messageLine('roster-message');
    const list = roster.entries.length
      ? h(
          'table',
          { class: 'table', 'data-testid': 'roster-list' },
          h(
            'tr',
            {},
            [w('tier'), w('order'), w('person'), w('channel'), ''].map((c) => h('th', {}, c)),
          ),
          roster.entries.map((e) =>
            h(
              'tr',
              { 'data-entry': e.id },
              h('td', {}, code(ON_CALL_TIER_WORDS, e.tier)),
              h('td', {}, String(e.position)),
              h('td', {}, e.display_name),
              h(
                'td',
                {},
                code(ON_CALL_CHANNEL_WORDS, e.channel),
                e.webhook_name ? `：${e.webhook_name}` : '',
                e.robot_url ? h('div', { class: 'mono small wrap' }, e.robot_url) : null,
              ),
              h(
                'td',
                {},
                h(
                  'button',
                  {
                    type: 'button',
                    class: 'danger',
                    onclick: async () => {
                      await api.del(`${path()}/on-call/${e.id}`);
                      await load();
                    },
                  },
                  w('remove'),
                ),
              ),
            ),
          ),
        )
      : h('p', { class: 'muted' }, w('noRoster'));
    const person = options(
      peopleList().map((p) => [p.username, p.name]),
      'username',
    );
    const tier = options(
      (['duty', 'manager'] as const).map((t) => [t, code(ON_CALL_TIER_WORDS, t)]),
      'tier',
    );
    const channel = options(
      (['webhook', 'wecom', 'dingtalk'] as const).map((c) => [c, code(ON_CALL_CHANNEL_WORDS, c)]),
      'channel',
    );
    const hook = options(
      hooks.map((x) => [x.id, x.name]),
      'webhook_id',
    );
    const robotUrl = h('input', { name: 'robot_url', type: 'url', placeholder: 'https://' });
    const robotSecret = h('input', { name: 'robot_secret' });
    const hookField = field(w('hook'), hook);
    const robotFields = h('div', {}, field(w('robotUrl'), robotUrl), field(w('robotSecret'), robotSecret));
    const showChannel = () => {
      hookField.hidden = channel.value !== 'webhook';
      robotFields.hidden = channel.value === 'webhook';
    };
    channel.addEventListener('change', showChannel);
    showChannel();
    const form = h(
      'form',
      { class: 'inline-form', 'data-testid': 'roster-form' },
      field(w('person'), person),
      field(w('tier'), tier),
      field(w('channel'), channel),
      hookField,
      robotFields,
      h('button', { type: 'submit', class: 'primary' }, w('add')),
    );
    onSubmit(form, line, async () => {
      await api.post(`${path()}/on-call`, {
        username: person.value,
        tier: tier.value,
        channel: channel.value,
        ...(channel.value === 'webhook'
          ? { webhook_id: hook.value }
          : { robot_url: robotUrl.value, ...(robotSecret.value ? { robot_secret: robotSecret.value } : {}) }),
      });
      await load();
    });
    return h('section', { 'data-testid': 'roster' }, h('h2', {}, w('roster')), list, form, line);
  }

  function windowsSection(roster: Roster): HTMLElement {
    const line = messageLine('windows-message');
    const ack = h('input', {
      name: 'ack',
      type: 'number',
      min: 1,
      max: 120,
      required: true,
      value: roster.policy.ack_within_min,
    });
    const arrive = h('input', {
      name: 'arrive',
      type: 'number',
      min: 1,
      max: 240,
      required: true,
      value: roster.policy.arrive_within_min,
    });
    const form = h(
      'form',
      { class: 'inline-form', 'data-testid': 'windows-form' },
      field(w('ackWithin'), ack),
      field(w('arriveWithin'), arrive),
      h('button', { type: 'submit', class: 'primary' }, w('save')),
    );
    onSubmit(form, line, async () => {
      await api.put(`${path()}/escalation-policy`, {
        ack_within_min: Number(ack.value),
        arrive_within_min: Number(arrive.value),
      });
      showDone(line, w('saved'));
    });
    return h(
      'section',
      { 'data-testid': 'windows' },
      h('h2', {}, w('windows'), roster.policy.own ? '' : ` ${w('defaults')}`),
      form,
      line,
    );
  }

  void load();
  return undefined;
};
