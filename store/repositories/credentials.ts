/**
 * Machine credentials: devices and services log in to MQTT with a username and secret,
 * checked here against `device_credentials` then `service_credentials`. Services that run
 * inside the all-in-one process get a fresh internal credential on every start: nothing to
 * configure, stored only as a hash, and a restart revokes the previous one.
 */
import type { ServiceRole } from '../../protocol/index.ts';
import type { RegistryDb } from '../db.ts';
import { hashMachineSecret, randomSecret, verifySecret } from '../passwords.ts';

export type MachinePrincipal =
  | { kind: 'device'; username: string; elevatorId: string }
  | { kind: 'service'; username: string; role: string };

export interface CredentialRepository {
  /** The device or service the secret belongs to; null for an unknown name or a wrong secret. */
  authenticateMachine(username: string, password: string): Promise<MachinePrincipal | null>;
  /** A new secret for `internal-{role}`, replacing the previous one. */
  issueInternal(role: ServiceRole): Promise<{ username: string; password: string }>;
}

export function credentialRepository(db: RegistryDb): CredentialRepository {
  return {
    async authenticateMachine(username, password) {
      const device = await db
        .selectFrom('device_credentials')
        .select(['elevator_id', 'password_hash'])
        .where('username', '=', username)
        .executeTakeFirst();
      if (device) {
        return verifySecret(password, device.password_hash)
          ? { kind: 'device', username, elevatorId: device.elevator_id }
          : null;
      }
      const service = await db
        .selectFrom('service_credentials')
        .select(['role', 'password_hash'])
        .where('username', '=', username)
        .executeTakeFirst();
      if (service && verifySecret(password, service.password_hash)) {
        return { kind: 'service', username, role: service.role };
      }
      return null;
    },

    async issueInternal(role) {
      const username = `internal-${role}`;
      const password = randomSecret(24);
      const row = { username, role, password_hash: hashMachineSecret(password) };
      await db
        .insertInto('service_credentials')
        .values(row)
        .onConflict((oc) => oc.column('username').doUpdateSet(row))
        .execute();
      return { username, password };
    },
  };
}
