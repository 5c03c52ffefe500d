/**
 * The accounts (admin only, read-only here; creating and changing them stays in the API,
 * audited): who, in which role, over which estate, firm or company.
 */
import { api } from '../api.ts';
import { h, mount } from '../dom.ts';
import { t } from '../i18n.ts';
import type { View } from '../main.ts';
import { estateName } from '../names.ts';
import { empty, errorBox, loading } from '../ui.ts';

interface UserRow {
  username: string;
  display_name: string;
  role: string;
  property_firm_id: string | null;
  estate_id: string | null;
  company_id: string | null;
  /** The firm's or company's name. */
  scope_name?: string | null;
}

const ROLE_KEYS = {
  admin: 'roleAdmin',
  property_manager: 'roleManager',
  committee_member: 'roleCommittee',
  technician: 'roleTechnician',
  regulator: 'roleRegulator',
} as const;

function row(u: UserRow): HTMLElement {
  const role = ROLE_KEYS[u.role as keyof typeof ROLE_KEYS];
  return h(
    'tr',
    { 'data-user': u.username },
    h('td', {}, u.display_name),
    h('td', { class: 'mono' }, u.username),
    h('td', {}, role ? t(role) : '—'),
    h(
      'td',
      {},
      u.estate_id
        ? estateName(u.estate_id)
        : u.property_firm_id || u.company_id
          ? (u.scope_name ?? '—')
          : t('all'),
    ),
  );
}

export const usersView: View = (host) => {
  const body = h('div', { 'data-testid': 'user-list' }, loading());
  mount(host, body);
  const load = async () => {
    try {
      const users = await api.get<UserRow[]>('/users');
      mount(
        body,
        users.length
          ? h(
              'table',
              { class: 'table' },
              h(
                'tr',
                {},
                [t('displayName'), t('username'), t('role'), t('scope')].map((c) => h('th', {}, c)),
              ),
              users.map(row),
            )
          : empty(),
      );
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
