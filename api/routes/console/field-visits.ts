/**
 * The technician's phone (issue 15): my work (the cars my company maintains, their open alerts
 * and resident reports), check-in by the car's QR code or by choosing it, the TSG T5002
 * checklist, photos, check-out. Technicians only; another company's car or visit answers 404
 * like a missing one. Every write carries the phone's key and is applied once (a queued action
 * replayed after a lost answer reads back the first result), and is audited.
 *
 * The check-in and check-out are also handed to the ingest as the device channel's maintenance
 * message (`app.visitClaims`), with this record's id as the visit id: the ingest opens, closes
 * and judges that visit from the car's telemetry exactly as for an NFC check-in, so what the
 * technician ticks never overrides what the car shows. A boundary is stamped sent once the
 * broker took it (QoS 1); until then every replay of the phone's key sends it again (the store
 * keeps the record, the send fails with a retryable 503, the phone's queue retries), and the
 * ingest takes a repeated boundary of the same visit once. A check-in replayed after the visit
 * closed sends nothing: its check-in was sent, and a stale one must not reopen the visit.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { ElevatorEntry } from '../../../fleet/types.ts';
import { LiftWatchError } from '../../../lib/errors.ts';
import {
  CheckInBody,
  Checklist,
  ChecklistQuery,
  CheckOutBody,
  FieldVisit,
  ItemsBody,
  PhotoParams,
  PhotoQuery,
  Work,
} from '../../../protocol/field-visit-http.ts';
import { ALERT_CATALOGUE, type MaintenanceMessage, type VisitKind } from '../../../protocol/index.ts';
import { maintenanceItemsFor } from '../../../protocol/maintenance-items.ts';
import type { FieldVisitRow } from '../../../store/repositories/field-visits.ts';
import { canSeeEstate, notFound, type Principal, requireRole } from '../../data/tenancy.ts';
import { IdParams, replies } from '../../schemas.ts';

const TECHNICIANS = ['technician'] as const;

/** A phone photo after the dashboard scales it down is ~100–300 KB; the limit leaves room for a raw one. */
export const FIELD_PHOTO_MAX_BYTES = 2 * 1024 * 1024;

const PHOTO_SIGNATURES: Record<string, number[]> = {
  'image/png': [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a],
  'image/jpeg': [0xff, 0xd8, 0xff],
};

/** How far the phone's queued time is believed: a day back (a shift offline), never ahead of us. */
const ACTED_AT_MAX_AGE_MS = 24 * 60 * 60 * 1000;

/** The token in a scanned code: the bare token, or the last part of its `/e/{token}` link. */
export function tokenOfQr(qr: string): string {
  const trimmed = qr.trim();
  const link = /\/e\/([^/?#]+)/.exec(trimmed);
  return decodeURIComponent(link ? link[1]! : trimmed);
}

const fieldVisitRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const visits = app.store.fieldVisits;

  app.addContentTypeParser(
    Object.keys(PHOTO_SIGNATURES),
    { parseAs: 'buffer', bodyLimit: FIELD_PHOTO_MAX_BYTES },
    (_req, body, done) => done(null, body),
  );

  /** The cars the principal's company maintains: the estates tenancy gives a technician. */
  function myLifts(p: Principal): ElevatorEntry[] {
    const out: ElevatorEntry[] = [];
    for (const e of app.directory.elevators()) if (canSeeEstate(p, e.estateId)) out.push(e);
    return out;
  }

  function visibleLift(p: Principal, elevatorId: string): ElevatorEntry {
    const lift = app.directory.elevator(elevatorId);
    if (!lift || !canSeeEstate(p, lift.estateId)) throw notFound('Elevator');
    return lift;
  }

  /** The technician's own company's visit; another's is "not found". */
  async function visibleVisit(p: Principal, id: string): Promise<FieldVisitRow> {
    const row = await visits.byId(id);
    if (!row || row.company_id !== p.companyId || !canSeeEstate(p, row.estate_id)) throw notFound('Visit');
    return row;
  }

  /** The phone's time when it acted, kept within a day back and never ahead of the server. */
  function actedAt(at: number | undefined, notBefore = 0): number {
    const now = app.clock();
    const claimed = at ?? now;
    return Math.max(notBefore, Math.min(now, Math.max(claimed, now - ACTED_AT_MAX_AGE_MS)));
  }

  async function view(row: FieldVisitRow, applied?: boolean) {
    const [photos, judged] = await Promise.all([visits.photos(row.id), app.store.visits.byId(row.id)]);
    return {
      id: row.id,
      elevator_id: row.elevator_id,
      kind: row.kind,
      method: row.method,
      check_in_at: row.check_in_at,
      check_out_at: row.check_out_at,
      location:
        row.lat === null || row.lon === null
          ? null
          : { lat: row.lat, lng: row.lon, accuracy: row.accuracy_m },
      items: JSON.parse(row.items_json) as number[],
      photos: photos.map(({ id, item, media_type, size, taken_at }) => ({
        id,
        item,
        media_type,
        size,
        taken_at,
      })),
      judged: judged
        ? { status: judged.status, verdict: judged.verdict, evidence_score: judged.evidence_score }
        : null,
      ...(applied === undefined ? {} : { applied }),
    };
  }

  /** The device channel's message for this visit boundary, handed to the ingest. */
  async function claim(row: FieldVisitRow, action: 'check_in' | 'check_out'): Promise<void> {
    const message: MaintenanceMessage = {
      v: 1,
      ts: action === 'check_in' ? row.check_in_at : row.check_out_at!,
      // The phone is no device: no counter of its own (`via: 'phone'` keeps it out of dedup).
      seq: 0,
      via: 'phone',
      action,
      visit_id: row.id,
      technician_id: row.technician,
      company_id: row.company_id,
      kind: row.kind as VisitKind,
      method: row.method as MaintenanceMessage['method'],
      ...(row.lat !== null && row.lon !== null ? { location: { lat: row.lat, lon: row.lon } } : {}),
      ...(action === 'check_out' ? { items: JSON.parse(row.items_json) as number[] } : {}),
    };
    try {
      await app.visitClaims!.claim(row.elevator_id, message);
    } catch (error) {
      app.log.warn({ err: error, visitId: row.id, action }, 'visit boundary not handed to the ingest');
      throw new LiftWatchError(
        'MQTT_UNREACHABLE',
        'stored, but not yet handed to the monitoring; send the same action again',
        { cause: error },
      );
    }
    await visits.markSent(row.id, action, app.clock());
  }

  /**
   * Sends the boundaries of this visit the ingest has not been handed yet, in order (a check-out
   * whose check-in never left would be dropped by the ingest as a redelivery).
   */
  async function deliver(row: FieldVisitRow): Promise<void> {
    if (!app.visitClaims) return;
    if (row.check_in_sent_at === null) await claim(row, 'check_in');
    if (row.check_out_at !== null && row.check_out_sent_at === null) await claim(row, 'check_out');
  }

  app.get(
    '/work',
    {
      schema: {
        tags: ['technician'],
        summary:
          'My work: the cars my company maintains, their open alerts and resident reports, my open visits',
        response: replies({ 200: Work }),
      },
    },
    async (request) => {
      const p = requireRole(request.principal, TECHNICIANS);
      const lifts = myLifts(p);
      const [work, open] = await Promise.all([
        visits.openWork(lifts.map((l) => l.id)),
        visits.openOf(p.username),
      ]);
      const openByLift = new Map(open.map((v) => [v.elevator_id, v.id]));
      return {
        lifts: lifts.map((l) => ({
          id: l.id,
          name: l.name,
          building: l.buildingName,
          estate_id: l.estateId,
          estate: app.directory.estate(l.estateId)?.name ?? l.estateId,
          floors: l.floors,
          qr_token: l.publicToken,
          open_visit_id: openByLift.get(l.id) ?? null,
        })),
        alerts: work.alerts.map((a) => ({
          id: a.id,
          elevator_id: a.elevator_id,
          code: a.code,
          label_zh: ALERT_CATALOGUE[a.code]?.zh ?? a.code,
          label_en: ALERT_CATALOGUE[a.code]?.en ?? a.code,
          severity: a.severity,
          state: a.state,
          opened_at: a.opened_at,
          arrived_at: a.arrived_at,
        })),
        reports: work.reports.map((r) => ({
          id: r.id,
          elevator_id: r.elevator_id,
          category: r.category,
          description: r.description,
          status: r.status,
          created_at: r.created_at,
        })),
        open_visits: await Promise.all(open.map((v) => view(v))),
      };
    },
  );

  app.get(
    '/checklist',
    {
      schema: {
        tags: ['technician'],
        summary: 'The TSG T5002 items of a visit class (cumulative: half-monthly 31 … yearly 76)',
        querystring: ChecklistQuery,
        response: replies({ 200: Checklist }),
      },
    },
    async (request) => {
      requireRole(request.principal, TECHNICIANS);
      return { kind: request.query.kind, items: [...maintenanceItemsFor(request.query.kind)] };
    },
  );

  app.post(
    '/field-visits',
    {
      schema: {
        tags: ['technician'],
        summary:
          'Check in at a car (its id or its scanned QR code), with the location when the phone has one',
        body: CheckInBody,
        response: replies({ 200: FieldVisit }),
      },
    },
    async (request) => {
      const p = requireRole(request.principal, TECHNICIANS);
      const b = request.body;
      let lift: ElevatorEntry;
      let method: 'qr' | 'app';
      if (b.qr !== undefined) {
        const scanned = app.directory.elevatorByToken(tokenOfQr(b.qr));
        if (!scanned || !canSeeEstate(p, scanned.estateId)) throw notFound('Elevator');
        if (b.elevator_id !== undefined && b.elevator_id !== scanned.id)
          throw new LiftWatchError('BAD_REQUEST', 'the scanned code is another car');
        lift = scanned;
        method = 'qr';
      } else if (b.elevator_id !== undefined) {
        lift = visibleLift(p, b.elevator_id);
        method = 'app';
      } else {
        throw new LiftWatchError('BAD_REQUEST', 'give the car: elevator_id or qr');
      }
      // Already checked in here (another key, e.g. a second tap): the standing visit is the answer.
      const standing = (await visits.openOf(p.username)).find((v) => v.elevator_id === lift.id);
      if (standing && standing.check_in_key !== b.key) {
        await deliver(standing);
        return view(standing, false);
      }
      const hasFix = b.lat !== undefined && b.lng !== undefined;
      const { row, applied } = await visits.checkIn({
        id: randomUUID(),
        elevator_id: lift.id,
        estate_id: lift.estateId,
        company_id: p.companyId ?? '',
        technician: p.username,
        kind: b.kind,
        method,
        check_in_key: b.key,
        check_in_at: actedAt(b.at),
        lat: hasFix ? b.lat! : null,
        lon: hasFix ? b.lng! : null,
        accuracy_m: hasFix ? (b.accuracy ?? null) : null,
        items_json: '[]',
        check_out_key: null,
        check_out_at: null,
        check_in_sent_at: null,
        check_out_sent_at: null,
      });
      // A replayed key from another technician or car is someone else's record: not found.
      if (row.technician !== p.username) throw notFound('Visit');
      if (applied) {
        await app.audit(request, {
          action: 'field_visit.check_in',
          targetType: 'field_visit',
          targetId: row.id,
          estateId: row.estate_id,
          detail: { visit_id: row.id, kind: row.kind, method, located: hasFix },
        });
      }
      await deliver(row);
      return view(row, applied);
    },
  );

  app.get(
    '/field-visits/:id',
    {
      schema: {
        tags: ['technician'],
        summary: 'One of my visits: checklist, photos and, once judged, the verdict from telemetry',
        params: IdParams,
        response: replies({ 200: FieldVisit }),
      },
    },
    async (request) => {
      const p = requireRole(request.principal, TECHNICIANS);
      return view(await visibleVisit(p, request.params.id));
    },
  );

  app.post(
    '/field-visits/:id/items',
    {
      schema: {
        tags: ['technician'],
        summary: 'The checklist items ticked so far (replaces the list); refused after check-out',
        params: IdParams,
        body: ItemsBody,
        response: replies({ 200: FieldVisit }),
      },
    },
    async (request) => {
      const p = requireRole(request.principal, TECHNICIANS);
      const before = await visibleVisit(p, request.params.id);
      const allowed = new Set(maintenanceItemsFor(before.kind as VisitKind).map((i) => i.number));
      const items = [...new Set(request.body.items)].filter((n) => allowed.has(n)).sort((a, b) => a - b);
      const row = await visits.setItems(before.id, items);
      if (!row) throw new LiftWatchError('CONFLICT', 'the visit is checked out');
      await app.audit(request, {
        action: 'field_visit.items',
        targetType: 'field_visit',
        targetId: row.id,
        estateId: row.estate_id,
        detail: { visit_id: row.id, key: request.body.key, items: items.length },
      });
      return view(row);
    },
  );

  app.post(
    '/field-visits/:id/photos',
    {
      bodyLimit: FIELD_PHOTO_MAX_BYTES,
      schema: {
        tags: ['technician'],
        summary: `A photo of the visit (raw body: image/jpeg or image/png, at most ${FIELD_PHOTO_MAX_BYTES / 1024 / 1024} MiB)`,
        params: IdParams,
        querystring: PhotoQuery,
        consumes: Object.keys(PHOTO_SIGNATURES),
        response: replies({ 200: FieldVisit }),
      },
    },
    async (request) => {
      const p = requireRole(request.principal, TECHNICIANS);
      const visit = await visibleVisit(p, request.params.id);
      const mediaType = (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
      const content = request.body as Buffer;
      const signature = PHOTO_SIGNATURES[mediaType];
      if (!Buffer.isBuffer(content) || !signature?.every((byte, i) => content[i] === byte))
        throw new LiftWatchError('UNSUPPORTED_MEDIA_TYPE', 'the photo is not a JPEG or PNG file');
      const { photo, applied } = await visits.addPhoto({
        id: randomUUID(),
        visit_id: visit.id,
        upload_key: request.query.key,
        item: request.query.item ?? null,
        media_type: mediaType,
        size: content.length,
        content,
        taken_at: actedAt(request.query.at, visit.check_in_at),
      });
      if (photo.visit_id !== visit.id) throw notFound('Visit');
      if (applied) {
        await app.audit(request, {
          action: 'field_visit.photo',
          targetType: 'field_visit',
          targetId: visit.id,
          estateId: visit.estate_id,
          detail: { visit_id: visit.id, photo_id: photo.id, item: photo.item, size: photo.size },
        });
      }
      return view(visit, applied);
    },
  );

  app.get(
    '/field-visits/:id/photos/:photo',
    {
      schema: {
        tags: ['technician'],
        summary: 'One photo of my visit',
        params: PhotoParams,
        response: { 200: Type.Any({ description: 'The image' }), ...replies({}) },
      },
    },
    async (request, reply) => {
      const p = requireRole(request.principal, TECHNICIANS);
      const visit = await visibleVisit(p, request.params.id);
      const photo = await visits.photo(visit.id, request.params.photo);
      if (!photo) throw notFound('Photo');
      return reply.type(photo.media_type).send(Buffer.from(photo.content));
    },
  );

  app.post(
    '/field-visits/:id/check-out',
    {
      schema: {
        tags: ['technician'],
        summary: 'Check out: once; the ingest closes the visit and judges it from telemetry',
        params: IdParams,
        body: CheckOutBody,
        response: replies({ 200: FieldVisit }),
      },
    },
    async (request) => {
      const p = requireRole(request.principal, TECHNICIANS);
      const before = await visibleVisit(p, request.params.id);
      const out = await visits.checkOut({
        id: before.id,
        key: request.body.key,
        at: actedAt(request.body.at, before.check_in_at),
      });
      if (!out) throw notFound('Visit');
      const { row, applied } = out;
      if (applied) {
        await app.audit(request, {
          action: 'field_visit.check_out',
          targetType: 'field_visit',
          targetId: row.id,
          estateId: row.estate_id,
          detail: { visit_id: row.id, items: (JSON.parse(row.items_json) as number[]).length },
        });
      }
      await deliver(row);
      return view(row, applied);
    },
  );
};

export default fieldVisitRoutes;
