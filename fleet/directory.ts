/**
 * The fleet as the API sees it, loaded once into memory: elevators by id and by QR
 * token, and who owns which estate. A QR hit or a tenancy check costs a map lookup,
 * not a query. `reload()` picks up a fleet file loaded while running.
 */
import type { RegistryDb } from '../store/db.ts';

export interface EstateEntry {
  id: string;
  name: string;
  nameEn: string | null;
  propertyFirmId: string;
  maintenanceCompanyId: string;
  emergencyPhone: string;
  companyName: string;
  companyNameEn: string | null;
  companyPhone: string;
  firmName: string;
  firmNameEn: string | null;
  firmPhone: string;
}

export interface ElevatorEntry {
  id: string;
  name: string;
  estateId: string;
  buildingId: string;
  buildingName: string;
  registrationCode: string;
  floors: number;
  publicToken: string;
}

export class Directory {
  readonly #db: RegistryDb;
  #elevators = new Map<string, ElevatorEntry>();
  #byToken = new Map<string, ElevatorEntry>();
  #estates = new Map<string, EstateEntry>();
  #buildings = new Map<string, { id: string; estateId: string; name: string }>();

  constructor(db: RegistryDb) {
    this.#db = db;
  }

  async reload(): Promise<void> {
    const estates = await this.#db
      .selectFrom('estates as e')
      .innerJoin('maintenance_companies as c', 'c.id', 'e.maintenance_company_id')
      .innerJoin('property_firms as f', 'f.id', 'e.property_firm_id')
      .select([
        'e.id',
        'e.name',
        'e.name_en',
        'e.property_firm_id',
        'e.maintenance_company_id',
        'e.emergency_phone',
        'c.name as company_name',
        'c.name_en as company_name_en',
        'c.phone as company_phone',
        'f.name as firm_name',
        'f.name_en as firm_name_en',
        'f.phone as firm_phone',
      ])
      .execute();
    const buildings = await this.#db.selectFrom('buildings').selectAll().execute();
    const elevators = await this.#db
      .selectFrom('elevators')
      .select(['id', 'name', 'estate_id', 'building_id', 'registration_code', 'floors', 'public_token'])
      .orderBy('id')
      .execute();
    this.#estates = new Map(
      estates.map((e) => [
        e.id,
        {
          id: e.id,
          name: e.name,
          nameEn: e.name_en,
          propertyFirmId: e.property_firm_id,
          maintenanceCompanyId: e.maintenance_company_id,
          emergencyPhone: e.emergency_phone,
          companyName: e.company_name,
          companyNameEn: e.company_name_en,
          companyPhone: e.company_phone,
          firmName: e.firm_name,
          firmNameEn: e.firm_name_en,
          firmPhone: e.firm_phone,
        },
      ]),
    );
    this.#buildings = new Map(
      buildings.map((b) => [b.id, { id: b.id, estateId: b.estate_id, name: b.name }]),
    );
    const byId = new Map<string, ElevatorEntry>();
    const byToken = new Map<string, ElevatorEntry>();
    for (const r of elevators) {
      const entry: ElevatorEntry = {
        id: r.id,
        name: r.name,
        estateId: r.estate_id,
        buildingId: r.building_id,
        buildingName: this.#buildings.get(r.building_id)?.name ?? '',
        registrationCode: r.registration_code,
        floors: r.floors,
        publicToken: r.public_token,
      };
      byId.set(r.id, entry);
      byToken.set(r.public_token, entry);
    }
    this.#elevators = byId;
    this.#byToken = byToken;
  }

  elevator(id: string): ElevatorEntry | undefined {
    return this.#elevators.get(id);
  }

  elevatorByToken(token: string): ElevatorEntry | undefined {
    return this.#byToken.get(token);
  }

  elevators(): IterableIterator<ElevatorEntry> {
    return this.#elevators.values();
  }

  estate(id: string): EstateEntry | undefined {
    return this.#estates.get(id);
  }

  estates(): IterableIterator<EstateEntry> {
    return this.#estates.values();
  }

  building(id: string): { id: string; estateId: string; name: string } | undefined {
    return this.#buildings.get(id);
  }
}
