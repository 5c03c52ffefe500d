/**
 * The QR page's inspection line (检验有效期, issue 15): the certificate's date as the fleet
 * file gives it, marked 即将到期 within 30 days and 已过期 once past, in the resident's
 * language; absent when the fleet does not say.
 */
import { describe, expect, it } from 'vitest';
import { renderElevatorPage } from '../../api/resident/render.ts';
import type { ElevatorEntry, EstateEntry } from '../../fleet/types.ts';

const NOW = Date.UTC(2026, 11, 2, 4); // 2026-12-02 12:00 Beijing

const estate = {
  id: 'e',
  name: '莲花花园',
  nameEn: null,
  propertyFirmId: 'f',
  maintenanceCompanyId: 'c',
  emergencyPhone: '0755-1',
  companyName: '华夏电梯',
  companyNameEn: null,
  companyPhone: '0755-2',
  firmName: '安居物业',
  firmNameEn: null,
  firmPhone: '0755-3',
  lat: 22.5,
  lon: 114,
} satisfies EstateEntry;

function pageWith(inspectionDue: string | null, lang: 'zh' | 'en' = 'zh'): string {
  const elevator: ElevatorEntry = {
    id: 'x-e1',
    estateId: 'e',
    buildingId: 'b',
    buildingName: '1栋',
    name: '1号梯',
    floors: 18,
    floorHeightM: 3,
    ratedSpeedMps: 1.75,
    ratedLoadKg: 1000,
    thresholds: {},
    registrationCode: '31104403000001',
    inspectionDue,
    publicToken: 'tok',
  };
  return renderElevatorPage({
    lang,
    elevator,
    estate,
    condition: 'normal',
    lastHeardAt: NOW,
    card: { visits: [], lastVerifiedAt: null, incidents: [], health: null, loadedAt: NOW },
    now: NOW,
  });
}

const line = (html: string) => /<p id="inspection">(.*?)<\/p>/.exec(html)?.[1] ?? null;

describe('inspection certificate on the QR page', () => {
  it.each([
    ['2027-06-30', '检验有效期至 <span class="nw">2027-06-30</span>'],
    ['2027-01-01', '检验有效期至 <span class="nw">2027-01-01</span> <b class="soon">(即将到期)</b>'],
    ['2026-12-02', '检验有效期至 <span class="nw">2026-12-02</span> <b class="soon">(即将到期)</b>'],
    ['2026-12-01', '检验有效期至 <span class="nw">2026-12-01</span> <b class="bad">(已过期)</b>'],
  ])('%s', (due, expected) => {
    expect(line(pageWith(due))).toBe(expected);
  });

  it('says it in English, and says nothing when the fleet does not know the date', () => {
    expect(line(pageWith('2026-11-30', 'en'))).toBe(
      'Inspection certificate valid until <span class="nw">2026-11-30</span> <b class="bad">(expired)</b>',
    );
    expect(line(pageWith(null))).toBeNull();
  });
});
