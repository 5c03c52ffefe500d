/**
 * The fleet file: declarative provisioning of companies, firms, estates, buildings,
 * elevators, credentials and users. Loaded by an idempotent upsert into the registry.
 * Secrets may be given as `password` (hashed on load, never stored in clear) or as a
 * ready `password_hash` (scrypt, as written by `store/passwords.ts`).
 */
import { type Static, Type } from '@sinclair/typebox';
import { ELEVATOR_ID_PATTERN } from './topics.ts';

const Id = Type.String({ pattern: '^[a-z0-9][a-z0-9_-]{0,63}$' });
/** People's passwords: hashed with scrypt on load. */
const Secret = {
  password: Type.Optional(Type.String({ minLength: 8 })),
  password_hash: Type.Optional(Type.String({ pattern: '^scrypt\\$' })),
};
/** Machine secrets are random: at least 16 characters, stored as salted SHA-256. */
const MachineSecret = {
  password: Type.Optional(Type.String({ minLength: 16 })),
  password_hash: Type.Optional(Type.String({ pattern: '^(sha256|scrypt)\\$' })),
};

/** `regulator`: a government platform's account that can only pull the GB/T 24476 data sets (api/routes/console/regulator.ts). */
export const ROLES = ['admin', 'property_manager', 'committee_member', 'technician', 'regulator'] as const;
export type Role = (typeof ROLES)[number];

export const SERVICE_ROLES = ['ingest', 'api', 'monitor'] as const;
export type ServiceRole = (typeof SERVICE_ROLES)[number];

export const FleetFile = Type.Object(
  {
    version: Type.Literal(1),
    maintenance_companies: Type.Array(
      Type.Object({
        id: Id,
        name: Type.String(),
        name_en: Type.Optional(Type.String()),
        phone: Type.String(),
      }),
    ),
    property_firms: Type.Array(
      Type.Object({
        id: Id,
        name: Type.String(),
        name_en: Type.Optional(Type.String()),
        phone: Type.String(),
      }),
    ),
    estates: Type.Array(
      Type.Object({
        id: Id,
        name: Type.String(),
        name_en: Type.Optional(Type.String()),
        property_firm_id: Id,
        maintenance_company_id: Id,
        address: Type.Optional(Type.String()),
        lat: Type.Number({ minimum: -90, maximum: 90 }),
        lon: Type.Number({ minimum: -180, maximum: 180 }),
        emergency_phone: Type.String(),
      }),
    ),
    buildings: Type.Array(Type.Object({ id: Id, estate_id: Id, name: Type.String() })),
    elevators: Type.Array(
      Type.Object({
        id: Type.String({ pattern: ELEVATOR_ID_PATTERN }),
        building_id: Id,
        name: Type.String(),
        registration_code: Type.String({ minLength: 1 }),
        manufacturer: Type.Optional(
          Type.String({
            minLength: 1,
            maxLength: 128,
            description: '制造单位 (GB/T 24476 basic information)',
          }),
        ),
        install_date: Type.Optional(
          Type.String({
            pattern: '^\\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\\d|3[01])$',
            description: '安装日期 YYYY-MM-DD, a real calendar date not after the fleet file is loaded',
          }),
        ),
        inspection_due: Type.Optional(
          Type.String({
            pattern: '^\\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\\d|3[01])$',
            description:
              "检验有效期至 YYYY-MM-DD: the next periodic inspection date on the lift's inspection certificate (定期检验合格证, TSG T7001), shown on the QR page",
          }),
        ),
        floors: Type.Integer({ minimum: 2, maximum: 200, description: 'Landings, numbered 1..floors' }),
        floor_height_m: Type.Number({ exclusiveMinimum: 0 }),
        rated_speed_mps: Type.Number({ exclusiveMinimum: 0 }),
        rated_load_kg: Type.Number({ exclusiveMinimum: 0 }),
        device: Type.Object({ username: Type.String({ minLength: 1 }), ...MachineSecret }),
        thresholds: Type.Optional(Type.Record(Type.String(), Type.Number())),
      }),
    ),
    technicians: Type.Optional(Type.Array(Type.Object({ id: Id, company_id: Id, name: Type.String() }))),
    service_credentials: Type.Array(
      Type.Object({
        username: Type.String({ minLength: 1 }),
        role: Type.Union(SERVICE_ROLES.map((r) => Type.Literal(r))),
        ...MachineSecret,
      }),
    ),
    users: Type.Array(
      Type.Object({
        username: Type.String({ minLength: 1 }),
        display_name: Type.String(),
        role: Type.Union(ROLES.map((r) => Type.Literal(r))),
        property_firm_id: Type.Optional(Id),
        estate_id: Type.Optional(Id),
        company_id: Type.Optional(Id),
        ...Secret,
      }),
    ),
  },
  { $id: 'FleetFile', title: 'Lift Watch fleet file' },
);
export type FleetFile = Static<typeof FleetFile>;
export type FleetElevator = FleetFile['elevators'][number];
