/**
 * Read-side queries other parts need from the registry: who a credential belongs to. (The
 * fleet's elevators are read by the fleet repository, store/repositories/fleet.ts.)
 */
import type { RegistryDb } from './db.ts';
import { verifySecret } from './passwords.ts';

export type Principal =
  | { kind: 'device'; username: string; elevatorId: string }
  | { kind: 'service'; username: string; role: string };

/** Checks an MQTT username/password against device then service credentials. */
export async function authenticateMachine(
  db: RegistryDb,
  username: string,
  password: string,
): Promise<Principal | null> {
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
}
