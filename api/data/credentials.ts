/**
 * Sessions, bearer tokens and password checks over the store's users repository. Secrets
 * are random 256-bit values; only their SHA-256 is stored. The password check is scrypt run off the event loop, so a
 * burst of logins does not stall the QR pages.
 */
import { createHash, randomBytes, randomUUID, scrypt, timingSafeEqual } from 'node:crypto';
import type { UserRepository, UserRow } from '../../store/repositories/users.ts';

const TOKEN_PREFIX = 'lw_';

export function sha256(value: string): string {
  return createHash('sha256').update(value).digest('base64url');
}

function newSecret(): string {
  return randomBytes(32).toString('base64url');
}

function scryptAsync(password: string, salt: Buffer, keylen: number, options: object): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(password, salt, keylen, options, (error, key) => (error ? reject(error) : resolve(key))),
  );
}

/** Same format as store/passwords.ts; false for anything malformed. */
export async function verifyUserPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts[0] !== 'scrypt' || parts.length !== 6) return false;
  const [, n, r, p, salt, hash] = parts as [string, string, string, string, string, string];
  const expected = Buffer.from(hash, 'base64url');
  const N = Number(n);
  const actual = await scryptAsync(password, Buffer.from(salt, 'base64url'), expected.length, {
    N,
    r: Number(r),
    p: Number(p),
    maxmem: 256 * N * Number(r) + 1024 * 1024,
  });
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

/** Spent on unknown usernames so their answer takes as long as a wrong password. */
const DUMMY_HASH = `scrypt$16384$8$1$${randomBytes(16).toString('base64url')}$${randomBytes(32).toString('base64url')}`;

export async function checkLogin(
  users: UserRepository,
  username: string,
  password: string,
): Promise<UserRow | null> {
  const user = await users.withPasswordHash(username);
  const ok = await verifyUserPassword(password, user?.password_hash ?? DUMMY_HASH);
  if (!user || !ok) return null;
  const { password_hash: _, ...row } = user;
  return row;
}

export async function createSession(
  users: UserRepository,
  input: { username: string; ip: string | null; now: number; ttlMs: number },
): Promise<{ value: string; expiresAt: number }> {
  const value = newSecret();
  const expiresAt = input.now + input.ttlMs;
  await users.createSession({
    idHash: sha256(value),
    username: input.username,
    createdAt: input.now,
    expiresAt,
    ip: input.ip,
  });
  return { value, expiresAt };
}

export async function userBySession(
  users: UserRepository,
  value: string,
  now: number,
): Promise<UserRow | null> {
  const row = await users.userBySession(sha256(value));
  if (!row || row.expires_at <= now) return null;
  const { expires_at: _, ...user } = row;
  return user;
}

export async function deleteSession(users: UserRepository, value: string): Promise<void> {
  await users.deleteSession(sha256(value));
}

export async function createApiToken(
  users: UserRepository,
  input: { username: string; name: string; now: number },
): Promise<{ id: string; token: string }> {
  const id = randomUUID();
  const token = TOKEN_PREFIX + newSecret();
  await users.createToken({
    id,
    tokenHash: sha256(token),
    username: input.username,
    name: input.name,
    createdAt: input.now,
  });
  return { id, token };
}

export async function userByApiToken(
  users: UserRepository,
  token: string,
  now: number,
): Promise<UserRow | null> {
  if (!token.startsWith(TOKEN_PREFIX)) return null;
  return (await users.userByToken(sha256(token), now)) ?? null;
}
