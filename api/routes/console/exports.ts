/**
 * Exports of the console's three lists, each as CSV and as Excel: GET /api/v1/alerts.csv
 * (.xlsx), /visits.csv (.xlsx) and /reports.csv (.xlsx). Each takes its list's filters and
 * role and tenancy (a technician's visits only from his company; another tenant's estate is a
 * 404), answers at most EXPORT_MAX_ROWS rows newest first (X-LiftWatch-Truncated: true when
 * more matched), with Chinese headers, Chinese words for every code, display names and
 * Beijing time (text in the CSV, dates in the workbook). Both files come from one table
 * (api/exports/table.ts), so they carry the same rows.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { type Static, type TObject, type TProperties, Type } from '@sinclair/typebox';
import type { FastifyReply } from 'fastify';
import { XLSX_TYPE } from '../../../lib/xlsx.ts';
import { ALERT_CATALOGUE } from '../../../protocol/catalogue.ts';
import type { Role } from '../../../protocol/fleet.ts';
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
import type { PeopleNames } from '../../../store/repositories/people.ts';
import { type Principal, READERS, requireRole, VISIT_READERS } from '../../data/tenancy.ts';
import { beijingTime } from '../../exports/csv.ts';
import { type ExportTable, tableCsv, tableXlsx } from '../../exports/table.ts';
import { WORDS } from '../../resident/i18n.ts';
import { parseJson, RangeQuery, replies, ScopeQuery } from '../../schemas.ts';
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

const FORMATS = ['csv', 'xlsx'] as const;
type Format = (typeof FORMATS)[number];

async function send(reply: FastifyReply, format: Format, name: string, table: ExportTable, more: boolean) {
  const stamp = beijingTime(Date.now()).slice(0, 10);
  reply
    .header('content-disposition', `attachment; filename="${name}-${stamp}.${format}"`)
    .header('x-liftwatch-truncated', String(more));
  if (format === 'xlsx') return reply.type(XLSX_TYPE).send(await tableXlsx(table));
  return reply.type('text/csv; charset=utf-8').send(tableCsv(table));
}

const ExportQuery = { ...ScopeQuery, ...RangeQuery };
const FILE_WORDS: Record<Format, { reply: string; summary: string }> = {
  csv: { reply: 'text/csv; charset=utf-8, with a BOM', summary: 'CSV (UTF-8 with BOM' },
  xlsx: { reply: 'an Excel workbook (.xlsx), one sheet', summary: 'Excel (times as dates' },
};
const oneOf = <const T extends string>(values: readonly T[]) =>
  Type.Optional(Type.Union(values.map((v) => Type.Literal(v))));

/** One list's export: who may read it, its own filters, its rows and how they read as a table. */
interface ListExport<F extends TProperties, R> {
  list: 'alerts' | 'visits' | 'reports';
  what: string;
  roles: readonly Role[];
  filters: F;
  rows(
    query: Static<TObject<F & typeof ExportQuery>>,
    estateIds: string[] | null,
    p: Principal,
  ): Promise<R[]>;
  table(rows: R[], names: PeopleNames): ExportTable;
}
/** Seconds-precise times: response and arrival are counted in minutes from them. */
const AT = { width: 20, kind: 'seconds' } as const;
const PLACE = [
  { header: '小区', width: 14 },
  { header: '电梯', width: 14 },
  { header: '使用登记证号', width: 22 },
];

const exportRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const estateName = (id: string) => app.directory.estate(id)?.name ?? id;
  const elevatorName = (id: string) => {
    const e = app.directory.elevator(id);
    if (!e) return id;
    return e.name.startsWith(e.buildingName) ? e.name : `${e.buildingName} ${e.name}`;
  };
  /** Where a row happened, in the three columns of PLACE. */
  const place = (row: { estate_id: string; elevator_id: string }) => [
    estateName(row.estate_id),
    elevatorName(row.elevator_id),
    app.directory.elevator(row.elevator_id)?.registrationCode ?? '',
  ];
  const page = { limit: EXPORT_MAX_ROWS, offset: 0 };

  /** GET /<list>.csv and /<list>.xlsx: one handler, the file's format apart. */
  function exportList<F extends TProperties, R>(spec: ListExport<F, R>): void {
    for (const format of FORMATS)
      app.get(
        `/${spec.list}.${format}`,
        {
          schema: {
            tags: [spec.list],
            summary: `${spec.what} as ${FILE_WORDS[format].summary}, Chinese headers, Beijing time)`,
            querystring: Type.Object({ ...ExportQuery, ...spec.filters }),
            response: replies({ 200: Type.String({ description: FILE_WORDS[format].reply }) }),
          },
        },
        async (request, reply) => {
          const p = requireRole(request.principal, spec.roles);
          const q = request.query as Static<TObject<F & typeof ExportQuery>>;
          const estateIds = scopedFilter(app.directory, p, q);
          const [rows, names] = await Promise.all([spec.rows(q, estateIds, p), namesFor(app, p)]);
          const table = spec.table(rows.slice(0, EXPORT_MAX_ROWS), names);
          return send(reply, format, spec.list, table, rows.length > EXPORT_MAX_ROWS);
        },
      );
  }

  exportList({
    list: 'alerts',
    what: 'Alerts',
    roles: READERS,
    filters: {
      severity: oneOf(['critical', 'major', 'minor', 'info']),
      state: oneOf(['open', 'acknowledged', 'resolved']),
    },
    rows: (q, estateIds) => app.store.alerts.list({ ...q, ...page, estateIds }),
    table: (rows, names) => {
      const who = (u: string | null) => (u === 'auto' ? '系统自动' : u ? (names.users[u] ?? u) : '');
      return {
        title: '告警',
        columns: [
          { header: '编号', width: 38 },
          ...PLACE,
          { header: '告警', width: 14 },
          { header: '级别', width: 8 },
          { header: '状态', width: 8 },
          { header: '结论', width: 10 },
          { header: '发生时间', ...AT },
          { header: '最近一次', ...AT },
          { header: '次数', width: 6 },
          { header: '确认人', width: 12 },
          { header: '确认时间', ...AT },
          { header: '确认备注', width: 24 },
          { header: '处理人', width: 12 },
          { header: '解决时间', ...AT },
          { header: '处理备注', width: 24 },
          { header: '证据', width: 40 },
        ],
        rows: rows.map((a) => [
          a.id,
          ...place(a),
          ALERT_CATALOGUE[a.code]?.zh ?? a.code,
          zh(SEVERITY_WORDS, a.severity),
          zh(ALERT_STATE_WORDS, a.state),
          a.resolution ? (RESOLUTION_WORDS[a.resolution] ?? '') : '',
          a.opened_at,
          a.last_seen_at,
          a.count,
          who(a.acknowledged_by),
          a.acknowledged_at,
          a.ack_note,
          who(a.resolved_by),
          a.resolved_at,
          a.resolve_note,
          alertEvidenceInWords(parseJson(a.evidence_json), 'zh').join('；'),
        ]),
      };
    },
  });

  exportList({
    list: 'visits',
    what: 'Maintenance visits',
    roles: VISIT_READERS,
    filters: { verdict: oneOf(['verified', 'suspect', 'fake']) },
    // A technician exports his company's visits only, as he lists them.
    rows: (q, estateIds, p) =>
      app.store.visits.list({
        ...q,
        ...page,
        estateIds,
        companyId: p.role === 'technician' ? (p.companyId ?? '') : undefined,
      }),
    table: (rows, names) => ({
      title: '维保记录',
      columns: [
        { header: '编号', width: 38 },
        ...PLACE,
        { header: '维保类别', width: 10 },
        { header: '维保人员', width: 12 },
        { header: '签到时间', ...AT },
        { header: '签出时间', ...AT },
        { header: '时长（分钟）', width: 12 },
        { header: '状态', width: 8 },
        { header: '核实结论', width: 10 },
        { header: '证据分', width: 8 },
        { header: '评分明细', width: 48 },
      ],
      rows: rows.map((v) => [
        v.id,
        ...place(v),
        zh(VISIT_KIND_WORDS, v.kind) || v.kind,
        names.technicians[v.technician_id] ?? v.technician_id,
        v.check_in_at,
        v.check_out_at,
        v.check_out_at ? Math.round((v.check_out_at - v.check_in_at) / 60_000) : '',
        zh(VISIT_STATUS_WORDS, v.status),
        zh(VERDICT_WORDS, v.verdict ?? 'pending'),
        v.evidence_score,
        reasonsInWords(parseJson(v.reasons_json)),
      ]),
    }),
  });

  exportList({
    list: 'reports',
    what: "Residents' reports",
    roles: READERS,
    filters: { status: oneOf(['received', 'in_progress', 'resolved', 'rejected']) },
    rows: (q, estateIds) => app.store.reports.list({ ...q, ...page, estateIds }),
    table: (rows, names) => {
      const categories = WORDS.zh.categories as Record<string, string>;
      return {
        title: '居民报修',
        columns: [
          { header: '受理编号', width: 14 },
          ...PLACE,
          { header: '问题类型', width: 10 },
          { header: '说明', width: 40 },
          { header: '状态', width: 8 },
          { header: '提交时间', ...AT },
          { header: '更新时间', ...AT },
          { header: '处理人', width: 12 },
          { header: '回复', width: 32 },
        ],
        rows: rows.map((r) => [
          r.receipt,
          ...place(r),
          categories[r.category] ?? r.category,
          r.description,
          zh(REPORT_STATUS_WORDS, r.status),
          r.created_at,
          r.updated_at,
          r.handled_by ? (names.users[r.handled_by] ?? r.handled_by) : '',
          r.reply,
        ]),
      };
    },
  });
};

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
