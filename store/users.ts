/**
 * A console user as the registry stores it: the one row shape that the fleet loader and the
 * users API both write, so an optional scope left out becomes NULL the same way in each.
 */
import type { UserTable } from './schema.ts';

export type UserFields = Pick<UserTable, 'username' | 'display_name' | 'role'> &
  Partial<Pick<UserTable, 'property_firm_id' | 'estate_id' | 'company_id'>>;

export function userRow(user: UserFields, passwordHash: string): UserTable {
  return {
    username: user.username,
    display_name: user.display_name,
    role: user.role,
    property_firm_id: user.property_firm_id ?? null,
    estate_id: user.estate_id ?? null,
    company_id: user.company_id ?? null,
    password_hash: passwordHash,
  };
}
