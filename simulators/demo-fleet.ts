/**
 * The demo fleet: 3 estates in Shenzhen, 40 elevators in 16 buildings, one maintenance company per pair
 * of estates, the demo accounts. Structure is fixed; secrets are random and written once
 * to DATA_DIR/demo-fleet.json, so nothing secret is committed and reruns keep them.
 * `generateFleet({ elevators: 10000 })` builds the load-test fleet the same way.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { FleetFile } from '../protocol/index.ts';

/** A random secret of at least 16 characters, as the fleet schema asks of machines. */
const randomSecret = (bytes = 18) => randomBytes(bytes).toString('base64url');

import { randomBytes } from 'node:crypto';

/** The local (UTC+8) date `days` from today, YYYY-MM-DD. */
function daysFromNow(days: number): string {
  return new Date(Date.now() + 8 * 3_600_000 + days * 86_400_000).toISOString().slice(0, 10);
}

interface EstatePlan {
  id: string;
  name: string;
  name_en: string;
  lat: number;
  lon: number;
  buildings: { floors: number; cars: number; speed: number }[];
}

const DEMO_ESTATES: EstatePlan[] = [
  {
    id: 'lianhua',
    name: '莲花花园',
    name_en: 'Lianhua Garden',
    lat: 22.5535,
    lon: 114.0556,
    buildings: [
      { floors: 18, cars: 2, speed: 1.75 },
      { floors: 18, cars: 2, speed: 1.75 },
      { floors: 32, cars: 3, speed: 2.5 },
      { floors: 32, cars: 3, speed: 2.5 },
      { floors: 11, cars: 2, speed: 1.0 },
    ],
  },
  {
    id: 'xiangmi',
    name: '香蜜湖苑',
    name_en: 'Xiangmi Lake Court',
    lat: 22.5468,
    lon: 114.0228,
    buildings: [
      { floors: 26, cars: 3, speed: 2.0 },
      { floors: 26, cars: 3, speed: 2.0 },
      { floors: 26, cars: 3, speed: 2.0 },
      { floors: 9, cars: 1, speed: 1.0 },
      { floors: 18, cars: 2, speed: 1.75 },
    ],
  },
  {
    id: 'longgang',
    name: '龙岗新村',
    name_en: 'Longgang New Village',
    lat: 22.7206,
    lon: 114.2466,
    buildings: [
      { floors: 33, cars: 4, speed: 2.5 },
      { floors: 33, cars: 4, speed: 2.5 },
      { floors: 24, cars: 2, speed: 1.75 },
      { floors: 24, cars: 2, speed: 1.75 },
      { floors: 6, cars: 2, speed: 1.0 },
      { floors: 6, cars: 2, speed: 1.0 },
    ],
  },
];

export interface GenerateFleetOptions {
  /** When set, the fleet is this many elevators in generated estates (load tests). */
  elevators?: number;
  /** Password given to every demo user; default random. */
  userPassword?: string;
}

/** Makers of the demo's lifts (basic information only; the models do not depend on them). */
const MAKERS = [
  '日立电梯（中国）有限公司',
  '奥的斯电梯（中国）有限公司',
  '通力电梯有限公司',
  '广州广日电梯工业有限公司',
];

export function generateFleet(options: GenerateFleetOptions = {}): FleetFile {
  const plans = options.elevators ? loadTestPlans(options.elevators) : DEMO_ESTATES;
  const fleet: FleetFile = {
    version: 1,
    maintenance_companies: [
      {
        id: 'huaxia-lift',
        name: '华夏电梯维保有限公司',
        name_en: 'Huaxia Lift Maintenance',
        phone: '0755-2000-1000',
      },
      {
        id: 'pengcheng-lift',
        name: '鹏城电梯服务有限公司',
        name_en: 'Pengcheng Lift Service',
        phone: '0755-2000-2000',
      },
    ],
    property_firms: [
      {
        id: 'anju-pm',
        name: '安居物业管理有限公司',
        name_en: 'Anju Property Management',
        phone: '0755-3000-1000',
      },
      {
        id: 'hexin-pm',
        name: '和信物业服务有限公司',
        name_en: 'Hexin Property Services',
        phone: '0755-3000-2000',
      },
    ],
    estates: [],
    buildings: [],
    elevators: [],
    technicians: [
      { id: 'tech-wang', company_id: 'huaxia-lift', name: '王师傅' },
      { id: 'tech-li', company_id: 'huaxia-lift', name: '李师傅' },
      { id: 'tech-zhao', company_id: 'pengcheng-lift', name: '赵师傅' },
    ],
    service_credentials: [
      { username: 'svc-ingest', role: 'ingest', password: randomSecret() },
      { username: 'svc-api', role: 'api', password: randomSecret() },
    ],
    users: [],
  };
  plans.forEach((plan, estateIndex) => {
    fleet.estates.push({
      id: plan.id,
      name: plan.name,
      name_en: plan.name_en,
      property_firm_id: estateIndex % 2 === 0 ? 'anju-pm' : 'hexin-pm',
      maintenance_company_id: estateIndex === 2 ? 'pengcheng-lift' : 'huaxia-lift',
      address: `深圳市 ${plan.name}`,
      lat: plan.lat,
      lon: plan.lon,
      emergency_phone: `0755-8${String(estateIndex).padStart(3, '0')}-9${String(estateIndex).padStart(3, '0')}`,
    });
    plan.buildings.forEach((building, buildingIndex) => {
      const buildingId = `${plan.id}-b${buildingIndex + 1}`;
      fleet.buildings.push({ id: buildingId, estate_id: plan.id, name: `${buildingIndex + 1}栋` });
      for (let car = 1; car <= building.cars; car++) {
        const id = `${buildingId}-e${car}`;
        fleet.elevators.push({
          id,
          building_id: buildingId,
          name: `${buildingIndex + 1}栋${car}号梯`,
          registration_code: `${options.elevators ? '9' : '3'}1104403${String(estateIndex).padStart(2, '0')}${String(buildingIndex).padStart(3, '0')}${String(car).padStart(3, '0')}`,
          // GB/T 24476 basic information: the estate's maker and the building's hand-over year.
          manufacturer: MAKERS[(estateIndex + buildingIndex) % MAKERS.length]!,
          install_date: `${2008 + ((estateIndex * 5 + buildingIndex) % 15)}-0${1 + (buildingIndex % 9)}-15`,
          // Inspected yearly: spread over the year ahead, a few lapsed or due within a month.
          inspection_due: daysFromNow(((estateIndex * 97 + buildingIndex * 31 + car * 53) % 380) - 15),
          floors: building.floors,
          floor_height_m: 3.0,
          rated_speed_mps: building.speed,
          rated_load_kg: building.floors > 20 ? 1050 : 800,
          device: { username: `dev-${id}`, password: randomSecret() },
        });
      }
    });
  });
  const userPassword = options.userPassword ?? randomSecret(9);
  fleet.users.push(
    { username: 'admin', display_name: '系统管理员', role: 'admin', password: userPassword },
    {
      username: 'duty-anju',
      display_name: '安居值班员',
      role: 'property_manager',
      property_firm_id: 'anju-pm',
      password: userPassword,
    },
    {
      // Four eyes on the firm's side of the fund: a second manager approves what the first proposes.
      username: 'manager-anju',
      display_name: '安居物业经理',
      role: 'property_manager',
      property_firm_id: 'anju-pm',
      password: userPassword,
    },
    {
      username: 'duty-hexin',
      display_name: '和信值班员',
      role: 'property_manager',
      property_firm_id: 'hexin-pm',
      password: userPassword,
    },
    {
      username: 'committee-lianhua',
      display_name: '莲花业委会',
      role: 'committee_member',
      estate_id: fleet.estates[0]!.id,
      password: userPassword,
    },
    {
      username: 'tech-wang',
      display_name: '王师傅',
      role: 'technician',
      company_id: 'huaxia-lift',
      password: userPassword,
    },
    {
      // The market regulator's platform: pulls the GB/T 24476 data sets, nothing else.
      username: 'regulator-sz',
      display_name: '深圳市场监管平台',
      role: 'regulator',
      password: userPassword,
    },
  );
  return fleet;
}

function loadTestPlans(elevators: number): EstatePlan[] {
  const perEstate = 500;
  const plans: EstatePlan[] = [];
  for (let made = 0, e = 0; made < elevators; e++) {
    const cars = Math.min(perEstate, elevators - made);
    const buildings: EstatePlan['buildings'] = [];
    for (let left = cars; left > 0; left -= 4)
      buildings.push({ floors: 30, cars: Math.min(4, left), speed: 2.5 });
    plans.push({
      id: `load-${e}`,
      name: `压测小区${e}`,
      name_en: `Load estate ${e}`,
      lat: 22.5 + e * 0.01,
      lon: 114 + e * 0.01,
      buildings,
    });
    made += cars;
  }
  return plans;
}

/** Writes the demo fleet once; later calls return the file as it is (idempotent). */
export function ensureDemoFleetFile(path: string): { path: string; created: boolean } {
  if (existsSync(path)) return { path, created: false };
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(generateFleet(), null, 2)}\n`, { mode: 0o600 });
  return { path, created: true };
}

export function readFleetJson(path: string): FleetFile {
  return JSON.parse(readFileSync(path, 'utf8')) as FleetFile;
}
