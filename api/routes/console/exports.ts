/**
 * CSV exports of the console's three lists: GET /api/v1/alerts.csv, /visits.csv and
 * /reports.csv. Each takes its list's filters and role and tenancy (a technician's visits
 * only from his company; another tenant's estate is a 404), answers at most EXPORT_MAX_ROWS
 * rows newest first (X-LiftWatch-Truncated: true when more matched), with Chinese headers,
 * Chinese words for every code, display names and Beijing time.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyReply } from 'fastify';
import { ALERT_CATALOGUE } from '../../../protocol/catalogue.ts';
import {
  ALERT_STATE_WORDS,
  alertEvidenceInWords,
  isVisitCap,
  REPORT_STATUS_WORDS,
  SCORE_CRITERION_WORDS,
  SEVERITY_WORDS,
  VERDICT_WORDS,
  VISIT_KIND_WORDS,
  VISIT_STATUS_WORDS,
  visitCapInWords,
  wordOf,
} from '../../../protocol/words.ts';
import { READERS, requireRole, VISIT_READERS } from '../../data/tenancy.ts';
import { beijingTime, toCsv } from '../../exports/csv.ts';
import { WORDS } from '../../resident/i18n.ts';
import { RangeQuery, replies, ScopeQuery } from '../../schemas.ts';
import { namesFor } from './people.ts';
import { scopedFilter } from './scope.ts';

export const EXPORT_MAX_ROWS = 10_000;

const RESOLUTION_WORDS: Record<string, string> = {
  fault: '故障已处理',
  false_alarm: '误报',
  auto_cleared: '自动恢复',
};
const zh = (table: { zh: Record<string, string> }, code: string | null | undefined) =>
  wordOf(table as never, code, 'zh') ?? '';

function send(reply: FastifyReply, name: string, csv: string, truncated: boolean) {
  const stamp = beijingTime(Date.now()).slice(0, 10);
  return reply
    .header('content-type', 'text/csv; charset=utf-8')
    .header('content-disposition', `attachment; filename="${name}-${stamp}.csv"`)
    .header('x-liftwatch-truncated', String(truncated))
    .send(csv);
}

const CsvQuery = { ...ScopeQuery, ...RangeQuery };
const CsvReply = replies({ 200: Type.String({ description: 'text/csv; charset=utf-8, with a BOM' }) });

const exportRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const estateName = (id: string) => app.directory.estate(id)?.name ?? id;
  const elevatorName = (id: string) => {
    const e = app.directory.elevator(id);
    if (!e) return id;
    return e.name.startsWith(e.buildingName) ? e.name : `${e.buildingName} ${e.name}`;
  };
  const registration = (id: string) => app.directory.elevator(id)?.registrationCode ?? '';

  app.get(
    '/alerts.csv',
    {
      schema: {
        tags: ['alerts'],
        summary: 'Alerts as CSV (UTF-8 with BOM, Chinese headers, Beijing time)',
        querystring: Type.Object({
          ...CsvQuery,
          severity: Type.Optional(
            Type.Union((['critical', 'major', 'minor', 'info'] as const).map((s) => Type.Literal(s))),
          ),
          state: Type.Optional(
            Type.Union((['open', 'acknowledged', 'resolved'] as const).map((s) => Type.Literal(s))),
          ),
        }),
        response: CsvReply,
      },
    },
    async (request, reply) => {
      const p = requireRole(request.principal, READERS);
      const q = request.query;
      const estateIds = scopedFilter(app.directory, p, q);
      const [rows, names] = await Promise.all([
        app.store.alerts.list({ ...q, estateIds, limit: EXPORT_MAX_ROWS, offset: 0 }),
        namesFor(app, p),
      ]);
      const who = (u: string | null) => (u === 'auto' ? '系统自动' : u ? (names.users[u] ?? u) : '');
      const csv = toCsv(
        [
          '编号',
          '小区',
          '电梯',
          '使用登记证号',
          '告警',
          '级别',
          '状态',
          '结论',
          '发生时间',
          '最近一次',
          '次数',
          '确认人',
          '确认时间',
          '确认备注',
          '处理人',
          '解决时间',
          '处理备注',
          '证据',
        ],
        rows
          .slice(0, EXPORT_MAX_ROWS)
          .map((a) => [
            a.id,
            estateName(a.estate_id),
            elevatorName(a.elevator_id),
            registration(a.elevator_id),
            ALERT_CATALOGUE[a.code]?.zh ?? a.code,
            zh(SEVERITY_WORDS, a.severity),
            zh(ALERT_STATE_WORDS, a.state),
            a.resolution ? (RESOLUTION_WORDS[a.resolution] ?? '') : '',
            beijingTime(a.opened_at),
            beijingTime(a.last_seen_at),
            a.count,
            who(a.acknowledged_by),
            beijingTime(a.acknowledged_at),
            a.ack_note,
            who(a.resolved_by),
            beijingTime(a.resolved_at),
            a.resolve_note,
            alertEvidenceInWords(safeJson(a.evidence_json), 'zh').join('；'),
          ]),
      );
      return send(reply, 'alerts', csv, rows.length > EXPORT_MAX_ROWS);
    },
  );

  app.get(
    '/visits.csv',
    {
      schema: {
        tags: ['visits'],
        summary: 'Maintenance visits as CSV (UTF-8 with BOM, Chinese headers, Beijing time)',
        querystring: Type.Object({
          ...CsvQuery,
          verdict: Type.Optional(
            Type.Union((['verified', 'suspect', 'fake'] as const).map((s) => Type.Literal(s))),
          ),
        }),
        response: CsvReply,
      },
    },
    async (request, reply) => {
      const p = requireRole(request.principal, VISIT_READERS);
      const q = request.query;
      const estateIds = scopedFilter(app.directory, p, q);
      const [rows, names] = await Promise.all([
        app.store.visits.list({
          ...q,
          estateIds,
          companyId: p.role === 'technician' ? (p.companyId ?? '') : undefined,
          limit: EXPORT_MAX_ROWS,
          offset: 0,
        }),
        namesFor(app, p),
      ]);
      const csv = toCsv(
        [
          '编号',
          '小区',
          '电梯',
          '使用登记证号',
          '维保类别',
          '维保人员',
          '签到时间',
          '签出时间',
          '时长（分钟）',
          '状态',
          '核实结论',
          '证据分',
          '评分明细',
        ],
        rows
          .slice(0, EXPORT_MAX_ROWS)
          .map((v) => [
            v.id,
            estateName(v.estate_id),
            elevatorName(v.elevator_id),
            registration(v.elevator_id),
            zh(VISIT_KIND_WORDS, v.kind) || v.kind,
            names.technicians[v.technician_id] ?? v.technician_id,
            beijingTime(v.check_in_at),
            beijingTime(v.check_out_at),
            v.check_out_at ? Math.round((v.check_out_at - v.check_in_at) / 60_000) : '',
            zh(VISIT_STATUS_WORDS, v.status),
            zh(VERDICT_WORDS, v.verdict ?? 'pending'),
            v.evidence_score,
            reasonsInWords(safeJson(v.reasons_json)),
          ]),
      );
      return send(reply, 'visits', csv, rows.length > EXPORT_MAX_ROWS);
    },
  );

  app.get(
    '/reports.csv',
    {
      schema: {
        tags: ['reports'],
        summary: "Residents' reports as CSV (UTF-8 with BOM, Chinese headers, Beijing time)",
        querystring: Type.Object({
          ...CsvQuery,
          status: Type.Optional(
            Type.Union(['received', 'in_progress', 'resolved', 'rejected'].map((s) => Type.Literal(s))),
          ),
        }),
        response: CsvReply,
      },
    },
    async (request, reply) => {
      const p = requireRole(request.principal, READERS);
      const q = request.query;
      const estateIds = scopedFilter(app.directory, p, q);
      const [rows, names] = await Promise.all([
        app.store.reports.list({ ...q, estateIds, limit: EXPORT_MAX_ROWS, offset: 0 }),
        namesFor(app, p),
      ]);
      const categories = WORDS.zh.categories as Record<string, string>;
      const csv = toCsv(
        [
          '受理编号',
          '小区',
          '电梯',
          '使用登记证号',
          '问题类型',
          '说明',
          '状态',
          '提交时间',
          '更新时间',
          '处理人',
          '回复',
        ],
        rows
          .slice(0, EXPORT_MAX_ROWS)
          .map((r) => [
            r.receipt,
            estateName(r.estate_id),
            elevatorName(r.elevator_id),
            registration(r.elevator_id),
            categories[r.category] ?? r.category,
            r.description,
            zh(REPORT_STATUS_WORDS, r.status),
            beijingTime(r.created_at),
            beijingTime(r.updated_at),
            r.handled_by ? (names.users[r.handled_by] ?? r.handled_by) : '',
            r.reply,
          ]),
      );
      return send(reply, 'reports', csv, rows.length > EXPORT_MAX_ROWS);
    },
  );
};

function safeJson(text: string | null): unknown {
  if (text === null) return null;
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/**
 * "停止载客时长 25/25；…" from the judge's reasons, by criterion (never its English sentence);
 * a cap on the verdict as the judge's Chinese sentence, not as "其他 0/0".
 */
function reasonsInWords(reasons: unknown): string {
  if (!Array.isArray(reasons)) return '';
  return reasons
    .map((r: { criterion?: string; points?: number; max?: number; reason?: string; zh?: string }) => {
      if (isVisitCap(r)) return visitCapInWords(r, 'zh');
      const name = wordOf(SCORE_CRITERION_WORDS, r.criterion, 'zh') ?? '其他';
      return typeof r.max === 'number' ? `${name} ${r.points}/${r.max}` : `${name} ${r.points ?? ''}`;
    })
    .join('；');
}

export default exportRoutes;
