/**
 * One estate's sticker sheet from the in-memory directory: which elevators, in which order,
 * with which public URL. The formats (svg.ts, pdf.ts) draw what this returns.
 */
import type { Directory, ElevatorEntry, EstateEntry } from '../../fleet/directory.ts';
import { layoutSheet, type SheetPage, type StickerEntry } from './layout.ts';

export function publicUrl(baseUrl: string, elevator: ElevatorEntry): string {
  return `${baseUrl}/e/${encodeURIComponent(elevator.publicToken)}`;
}

/** Building by building, then by car, the order a technician walks the estate. */
export function estateStickers(directory: Directory, estate: EstateEntry, baseUrl: string): StickerEntry[] {
  const cars = [...directory.elevators()].filter((e) => e.estateId === estate.id);
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

export function estateSheet(directory: Directory, estate: EstateEntry, baseUrl: string): SheetPage[] {
  return layoutSheet(estateStickers(directory, estate, baseUrl));
}

export function sheetTitle(estate: EstateEntry): string {
  return `${estate.name}${estate.nameEn ? ` ${estate.nameEn}` : ''} 电梯安全码 Lift QR stickers`;
}
