/**
 * One estate's sticker sheet, or one building's, from the in-memory directory: which
 * elevators, in which order, with which public URL. The formats (svg.ts, pdf.ts) draw what
 * this returns.
 */
import type { BuildingEntry, Directory, ElevatorEntry, EstateEntry } from '../../fleet/directory.ts';
import { layoutSheet, type SheetPage, type StickerEntry } from './layout.ts';

export function publicUrl(baseUrl: string, elevator: ElevatorEntry): string {
  return `${baseUrl}/e/${encodeURIComponent(elevator.publicToken)}`;
}

/** What a sheet covers: a whole estate, or one of its buildings. */
export interface SheetScope {
  estate: EstateEntry;
  building: BuildingEntry | null;
}

/** Building by building, then by car, the order a technician walks the estate. */
export function scopeStickers(directory: Directory, scope: SheetScope, baseUrl: string): StickerEntry[] {
  const { estate, building } = scope;
  const cars = [...directory.elevators()].filter(
    (e) => e.estateId === estate.id && (building === null || e.buildingId === building.id),
  );
  cars.sort(
    (a, b) =>
      a.buildingId.localeCompare(b.buildingId, 'en', { numeric: true }) ||
      a.id.localeCompare(b.id, 'en', { numeric: true }),
  );
  return cars.map((e) => ({
    elevatorName: e.name,
    buildingName: e.buildingName,
    registrationCode: e.registrationCode,
    url: publicUrl(baseUrl, e),
    estateName: estate.name,
    estateNameEn: estate.nameEn,
    emergencyPhone: estate.emergencyPhone,
  }));
}

export function scopeSheet(directory: Directory, scope: SheetScope, baseUrl: string): SheetPage[] {
  return layoutSheet(scopeStickers(directory, scope, baseUrl));
}

export function sheetTitle({ estate, building }: SheetScope): string {
  const where = building ? `${estate.name} ${building.name}` : estate.name;
  return `${where}${estate.nameEn ? ` ${estate.nameEn}` : ''} 电梯安全码 Lift QR stickers`;
}
