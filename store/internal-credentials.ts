/**
 * Credentials for services that run inside the all-in-one process. A fresh random secret
 * on every start, stored only as a hash: nothing to configure, nothing to leak, and a
 * restart revokes the previous one.
 */
import type { ServiceRole } from '../protocol/index.ts';
import type { RegistryDb } from './db.ts';
import { hashMachineSecret, randomSecret } from './passwords.ts';

export async function issueInternalCredential(
  db: RegistryDb,
  role: ServiceRole,
): Promise<{ username: string; password: string }> {
  const username = `internal-${role}`;
  const password = randomSecret(24);
  const row = { username, role, password_hash: hashMachineSecret(password) };
  await db
    .insertInto('service_credentials')
    .values(row)
    .onConflict((oc) => oc.column('username').doUpdateSet(row))
    .execute();
  return { username, password };
}
