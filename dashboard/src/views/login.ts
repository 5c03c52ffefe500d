/** The login form: username and password, the API sets the HttpOnly session cookie. */
import { ApiError, api } from '../api.ts';
import { h, mount } from '../dom.ts';
import { errorText, t } from '../i18n.ts';
import { unlock } from '../sound.ts';
import type { Me } from '../types.ts';

export function loginView(host: HTMLElement, done: (me: Me) => void): void {
  const message = h('p', { class: 'form-error', role: 'alert', 'aria-live': 'assertive' });
  const user = h('input', { name: 'username', autocomplete: 'username', required: true, maxlength: 128 });
  const pass = h('input', {
    name: 'password',
    type: 'password',
    autocomplete: 'current-password',
    required: true,
    maxlength: 256,
  });
  const submit = h('button', { type: 'submit', class: 'primary' }, t('login'));
  const form = h(
    'form',
    { class: 'login', 'aria-labelledby': 'login-title' },
    h('h1', { id: 'login-title' }, t('appName')),
    h('label', { class: 'field block' }, h('span', {}, t('username')), user),
    h('label', { class: 'field block' }, h('span', {}, t('password')), pass),
    message,
    submit,
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    // This click is the user gesture that lets the alarm sound later.
    void unlock();
    submit.disabled = true;
    message.textContent = t('loggingIn');
    try {
      done(await api.post<Me>('/auth/login', { username: user.value.trim(), password: pass.value }));
    } catch (error) {
      message.textContent =
        error instanceof ApiError && error.code === 'LOGIN_FAILED'
          ? t('loginFailed')
          : t('actionFailed', { msg: errorText(error) });
      submit.disabled = false;
      pass.select();
    }
  });
  mount(host, form);
  user.focus();
}
