/**
 * Server-rendered resident pages: plain HTML strings, one inline stylesheet, no script
 * required (live.js only refreshes the state line). High contrast for a dark lobby,
 * large tap targets, well under 30 KB. Everything interpolated goes through `esc`.
 */

import type { ElevatorEntry, EstateEntry } from '../../fleet/directory.ts';
import { ALERT_CATALOGUE } from '../../protocol/index.ts';
import type { ResidentReportTable } from '../../store/schema.ts';
import type { ElevatorCondition } from '../state-source.ts';
import type { ResidentCard } from './card.ts';
import { evidenceInWords } from './evidence-words.ts';
import type { FundDisclosure } from './fund-disclosure.ts';
import { fundExpenditureList, fundSection } from './fund-section.ts';
import { HEALTH_LABEL, residentHealthWords } from './health-words.ts';
import {
  CONDITION_WORDS,
  type Lang,
  REPORT_CATEGORIES,
  REPORT_STATUS_WORDS,
  VERDICT_WORDS,
  VISIT_KIND_WORDS,
  WORDS,
} from './i18n.ts';
import { LOOP_WORDS } from './loop-words.ts';
import type { ProgressAlert, ReportProgress } from './report-progress.ts';

const DAY_MS = 86_400_000;
const MAINTENANCE_INTERVAL_DAYS = 15;
const RESCUE_TARGET_MS = 30 * 60_000;
/** An inspection certificate this close to its date is marked 即将到期: a month to book the inspector. */
const INSPECTION_SOON_DAYS = 30;
export const NATIONAL_HOTLINE = '96333';
const HEALTH_CLASS = { good: 'good', watch: '', early: 'bad', gathering: 'muted' } as const;

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};
export function esc(value: string | number): string {
  return String(value).replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

/** China keeps one offset all year, so local time is UTC+8 without a time-zone database. */
export function localTime(ms: number): string {
  return new Date(ms + 8 * 3_600_000).toISOString().slice(0, 16).replace('T', ' ');
}

export function heardAgo(lastHeardAt: number | null, now: number, lang: Lang): string {
  const w = WORDS[lang];
  if (lastHeardAt === null) return w.never;
  const minutes = Math.floor(Math.max(0, now - lastHeardAt) / 60_000);
  if (minutes < 1) return w.justNow;
  if (minutes < 60) return w.minutesAgo(minutes);
  if (minutes < 48 * 60) return w.hoursAgo(Math.floor(minutes / 60));
  return w.daysAgo(Math.floor(minutes / 1440));
}

const CSS =
  'body{margin:0;background:#000;color:#fff;font:18px/1.5 system-ui,-apple-system,"PingFang SC","Microsoft YaHei",sans-serif}' +
  'main{max-width:40rem;margin:0 auto;padding:1rem}h1{font-size:1.3rem;margin:.2rem 0}h2{font-size:1.1rem;margin:1.2rem 0 .4rem;color:#ffd400}' +
  'a{color:#7cc7ff}.top{display:flex;justify-content:space-between;align-items:baseline;gap:1rem}' +
  '.lang{border:2px solid #7cc7ff;border-radius:.4rem;padding:.2rem .6rem;text-decoration:none;white-space:nowrap}' +
  '.state{border:3px solid;border-radius:.6rem;padding:.8rem 1rem;margin:1rem 0}.big{font-size:2rem;font-weight:700;margin:0}' +
  '.s-normal{border-color:#3ddc84;color:#3ddc84}.s-maintenance{border-color:#ffd400;color:#ffd400}' +
  '.s-fault{border-color:#ff5c5c;color:#ff5c5c}.s-offline{border-color:#bbb;color:#ddd}.state p{color:#fff}.state .big{color:inherit}' +
  '.tel{display:block;font-size:1.3rem;font-weight:700;padding:.6rem;margin:.4rem 0;border:2px solid #fff;border-radius:.4rem;text-decoration:none;color:#fff}' +
  'ul{padding-left:1.1rem}li{margin:.4rem 0}.muted{color:#ccc}.bad{color:#ff8080}.good{color:#3ddc84}.soon{color:#ffd400}' +
  'label{display:block;margin:.4rem 0}select,textarea,button{font:inherit;width:100%;box-sizing:border-box;background:#111;color:#fff;border:2px solid #888;border-radius:.4rem;padding:.5rem}' +
  'button{background:#ffd400;color:#000;font-weight:700;border-color:#ffd400;margin-top:.6rem}.hp{position:absolute;left:-9999px;width:1px;height:1px;overflow:hidden}' +
  'table{border-collapse:collapse;width:100%}td,th{text-align:left;padding:.2rem .4rem;border-bottom:1px solid #444}.mono{font-family:ui-monospace,monospace;word-break:break-all}.nw{white-space:nowrap}';

function layout(
  lang: Lang,
  title: string,
  body: string,
  options: { switchHref?: string; script?: string } = {},
) {
  const w = WORDS[lang];
  const switcher = options.switchHref
    ? `<a class="lang" href="${esc(options.switchHref)}" hreflang="${lang === 'zh' ? 'en' : 'zh'}">${w.switchLang}</a>`
    : '';
  const script = options.script ? `<script src="${esc(options.script)}" defer></script>` : '';
  return (
    `<!doctype html><html lang="${w.lang}"><head><meta charset="utf-8">` +
    '<meta name="viewport" content="width=device-width,initial-scale=1"><meta name="robots" content="noindex">' +
    `<title>${esc(title)}</title><style>${CSS}</style></head><body><main>` +
    `<div class="top"><h1>${esc(title)}</h1>${switcher}</div>${body}</main>${script}</body></html>`
  );
}

export interface ElevatorPageView {
  lang: Lang;
  elevator: ElevatorEntry;
  estate: EstateEntry;
  condition: ElevatorCondition;
  lastHeardAt: number | null;
  card: ResidentCard;
  now: number;
  /** The estate's (or building's) maintenance fund; absent when it has none. */
  fund?: FundDisclosure | null;
}

export function renderElevatorPage(v: ElevatorPageView): string {
  const { lang, elevator, estate } = v;
  const w = WORDS[lang];
  const estateName = lang === 'en' && estate.nameEn ? estate.nameEn : estate.name;
  const title = `${estateName} ${elevator.buildingName} ${elevator.name}`;
  const base = `/e/${encodeURIComponent(elevator.publicToken)}`;
  const body =
    `<section class="state s-${v.condition}" id="state" data-lang="${lang}">` +
    `<p class="big" id="condition">${CONDITION_WORDS[lang][v.condition]}</p>` +
    `<p>${w.lastHeard}: <span id="heard">${heardAgo(v.lastHeardAt, v.now, lang)}</span></p></section>` +
    (v.card.health
      ? `<p class="health ${HEALTH_CLASS[v.card.health.state]}" id="health" data-state="${v.card.health.state}">` +
        `${HEALTH_LABEL[lang]}${lang === 'zh' ? '：' : ': '}${esc(residentHealthWords(v.card.health, lang))}</p>`
      : '') +
    emergencySection(lang, estate) +
    maintenanceSection(v) +
    incidentsSection(v) +
    (v.fund ? fundSection(v.fund, lang, esc, localTime, `${base}/fund?lang=${lang}`) : '') +
    `<h2>${w.company}</h2><p>${esc(lang === 'en' && estate.companyNameEn ? estate.companyNameEn : estate.companyName)}` +
    ` · <a href="tel:${esc(estate.companyPhone)}">${esc(estate.companyPhone)}</a></p>` +
    `<h2>${w.firm}</h2><p>${esc(lang === 'en' && estate.firmNameEn ? estate.firmNameEn : estate.firmName)}</p>` +
    reportForm(lang, base) +
    `<p class="muted">${w.registration}${lang === 'zh' ? '：' : ': '}${esc(elevator.registrationCode)} · ${staffLink(lang, elevator.publicToken)}</p>`;
  return layout(lang, title, body, {
    switchHref: `${base}?lang=${lang === 'zh' ? 'en' : 'zh'}`,
    script: '/e/assets/live.js',
  });
}

/**
 * A technician who scans the sticker with the phone's camera lands here: a quiet link to the
 * console's check-in for this car (views/work.ts reads `qr`; the console asks to log in first
 * and keeps the hash). The sticker's token, not the car's id, so the page tells nothing new.
 */
function staffLink(lang: Lang, token: string): string {
  return `<a class="muted" href="/app/#/work?qr=${encodeURIComponent(token)}" rel="nofollow">${WORDS[lang].staffEntry}</a>`;
}

function emergencySection(lang: Lang, estate: EstateEntry): string {
  const w = WORDS[lang];
  return (
    `<h2>${w.emergency}</h2>` +
    `<a class="tel" href="tel:${esc(estate.emergencyPhone)}">${w.estatePhone}: ${esc(estate.emergencyPhone)}</a>` +
    `<a class="tel" href="tel:${NATIONAL_HOTLINE}">${w.hotline}: ${NATIONAL_HOTLINE}</a>`
  );
}

function maintenanceSection(v: ElevatorPageView): string {
  const { lang, card, now } = v;
  const w = WORDS[lang];
  let summary: string;
  if (card.lastVerifiedAt === null) {
    summary = `<p class="bad">${w.noVerified}</p>`;
  } else {
    const days = Math.floor((now - card.lastVerifiedAt) / DAY_MS);
    const due = card.lastVerifiedAt + MAINTENANCE_INTERVAL_DAYS * DAY_MS;
    const late = due < now;
    summary =
      `<p class="${late ? 'bad' : 'good'}">${w.daysSince(days)}</p>` +
      `<p>${w.nextDue} ${localTime(due).slice(0, 10)}${late ? ` <b class="bad">(${w.overdue})</b>` : ''}</p>`;
  }
  const items = card.visits.map((visit) => {
    const verdict = VERDICT_WORDS[lang][visit.verdict ?? 'pending'] ?? visit.verdict ?? '';
    const minutes =
      visit.checkOutAt !== null
        ? ` · ${Math.round((visit.checkOutAt - visit.checkInAt) / 60_000)} ${w.minutes}`
        : '';
    const score = visit.score !== null ? ` · ${w.score} ${visit.score}` : '';
    // A name never breaks across lines on a 360 px phone.
    const who = visit.technician ? ` · <span class="nw">${w.technician} ${esc(visit.technician)}</span>` : '';
    const words = evidenceInWords(visit.evidence, lang);
    const cls = visit.verdict === 'verified' ? 'good' : visit.verdict ? 'bad' : 'muted';
    return (
      `<li>${localTime(visit.checkInAt)} ${esc(VISIT_KIND_WORDS[lang][visit.kind] ?? visit.kind)}${minutes}` +
      ` · <b class="${cls}">${esc(verdict)}</b>${score}${who}` +
      (words.length ? `<br><span class="muted">${esc(words.join(lang === 'zh' ? '，' : ', '))}</span>` : '') +
      '</li>'
    );
  });
  return (
    `<h2>${w.maintenance}</h2>${summary}<p class="muted">${w.interval}</p>${inspectionLine(v)}` +
    `<h2>${w.visits}</h2>${items.length ? `<ul>${items.join('')}</ul>` : `<p>${w.noVisits}</p>`}`
  );
}

/** The inspection certificate's date (检验有效期), marked when it has lapsed or lapses within 30 days. */
function inspectionLine(v: ElevatorPageView): string {
  const due = v.elevator.inspectionDue;
  if (!due) return '';
  const w = WORDS[v.lang];
  const today = localTime(v.now).slice(0, 10);
  const daysLeft = Math.round((Date.parse(`${due}T00:00:00Z`) - Date.parse(`${today}T00:00:00Z`)) / DAY_MS);
  const mark =
    daysLeft < 0
      ? ` <b class="bad">(${w.inspectionLapsed})</b>`
      : daysLeft <= INSPECTION_SOON_DAYS
        ? ` <b class="soon">(${w.inspectionSoon})</b>`
        : '';
  return `<p id="inspection">${w.inspectionDue} <span class="nw">${due}</span>${mark}</p>`;
}

function incidentsSection(v: ElevatorPageView): string {
  const { lang, card } = v;
  const w = WORDS[lang];
  const items = card.incidents.map((a) => {
    const label = ALERT_CATALOGUE[a.code]?.[lang] ?? a.code;
    const minutes = (t: number | null) =>
      t === null ? w.notYet : `${Math.max(0, Math.round((t - a.openedAt) / 60_000))} ${w.minutes}`;
    const trapped = a.code === 'passenger_trapped';
    // The 30-minute rescue target is met on arrival (到场), not at clearance.
    const late = trapped && (a.arrivedAt ?? a.resolvedAt ?? v.now) - a.openedAt > RESCUE_TARGET_MS;
    return (
      `<li>${localTime(a.openedAt)} <b>${esc(label)}</b><br><span class="muted">${w.responded} ${minutes(a.acknowledgedAt)}` +
      ` · <span class="${late ? 'bad' : ''}">${LOOP_WORDS[lang].arrived} ${minutes(a.arrivedAt)}</span>` +
      ` · ${w.resolvedIn} ${minutes(a.resolvedAt)}</span></li>`
    );
  });
  const hasTrapped = card.incidents.some((a) => a.code === 'passenger_trapped');
  return (
    `<h2>${w.incidents}</h2>` +
    (items.length ? `<ul>${items.join('')}</ul>` : `<p class="good">${w.noIncidents}</p>`) +
    (hasTrapped ? `<p class="muted">${w.rescueTarget}</p>` : '')
  );
}

function reportForm(lang: Lang, base: string): string {
  const w = WORDS[lang];
  // No category is chosen for the resident: a careless submit must not file "someone is trapped".
  // The empty first option cannot be submitted (`required`), with or without JavaScript.
  const options =
    `<option value="" selected disabled>${w.chooseCategory}</option>` +
    REPORT_CATEGORIES.map((c) => `<option value="${c}">${esc(w.categories[c])}</option>`).join('');
  return (
    `<h2>${w.report}</h2><p class="muted">${w.trappedHint}</p>` +
    `<form method="post" action="${base}/reports"><input type="hidden" name="lang" value="${lang}">` +
    `<label>${w.category}<select name="category" required>${options}</select></label>` +
    `<label>${w.description}<textarea name="description" rows="3" maxlength="500" required></textarea></label>` +
    // A field people never see; bots that fill every input give themselves away.
    '<div class="hp" aria-hidden="true"><label>Website<input name="website" tabindex="-1" autocomplete="off"></label></div>' +
    `<button type="submit">${w.submit}</button></form>`
  );
}

export interface ReceiptLoop {
  /** The alert a "有人被困" report opened or joined; null for other reports. */
  alert: ProgressAlert | null;
  progress: ReportProgress;
}

export function renderReceiptPage(
  lang: Lang,
  elevator: ElevatorEntry,
  report: Pick<
    ResidentReportTable,
    | 'receipt'
    | 'category'
    | 'description'
    | 'status'
    | 'created_at'
    | 'updated_at'
    | 'reply'
    | 'feedback'
    | 'rating'
    | 'reopen_count'
  >,
  loop: ReceiptLoop = {
    alert: null,
    progress: { status: report.status, doneAt: null, canGiveFeedback: false },
  },
): string {
  const w = WORDS[lang];
  const base = `/e/${encodeURIComponent(elevator.publicToken)}`;
  const receiptPath = `${base}/reports/${encodeURIComponent(report.receipt)}`;
  const category = w.categories[report.category as keyof typeof w.categories] ?? report.category;
  const status = loop.progress.status;
  const body =
    `<p>${w.thanks}</p><section class="state s-maintenance"><p>${w.receipt}</p><p class="big">${esc(report.receipt)}</p></section>` +
    `<p class="muted">${w.receiptHint}</p>` +
    `<h2>${w.youReported}</h2><p>${esc(category)} · ${localTime(report.created_at)}</p>` +
    `<p class="echo">${esc(report.description)}</p>` +
    `<p>${w.reportStatus}: <b id="report-status">${esc(REPORT_STATUS_WORDS[lang][status] ?? status)}</b>` +
    ` <span class="muted">(${w.updated} ${localTime(report.updated_at)})</span></p>` +
    (loop.alert ? alertProgress(lang, loop.alert) : '') +
    (report.reply ? `<h2>${w.reply}</h2><p>${esc(report.reply)}</p>` : '') +
    feedbackSection(lang, report, loop.progress, `${receiptPath}/feedback`) +
    `<p><a href="${base}?lang=${lang}">${w.back}</a></p>`;
  const switchHref = `${receiptPath}?lang=${lang === 'zh' ? 'en' : 'zh'}`;
  return layout(lang, `${w.report} · ${elevator.name}`, body, { switchHref });
}

/** Response, arrival and clearance of the alarm the report raised, in minutes from the report. */
function alertProgress(lang: Lang, alert: ProgressAlert): string {
  const l = LOOP_WORDS[lang];
  const step = (id: string, label: string, at: number | null) =>
    `<li id="${id}">${label}: ${
      at === null
        ? `<span class="muted">${l.notYet}</span>`
        : `${localTime(at)} <span class="muted">(${l.afterMinutes(Math.max(0, Math.round((at - alert.opened_at) / 60_000)))})</span>`
    }</li>`;
  return (
    `<h2>${l.progress}</h2><p>${l.alarmRaised}</p><ul id="progress">` +
    step('p-responded', l.responded, alert.acknowledged_at) +
    step('p-arrived', l.arrived, alert.arrived_at) +
    step('p-resolved', l.resolved, alert.resolved_at) +
    '</ul>'
  );
}

/** The loop's last step: confirm or reopen, and rate 1–5 (a plain form; no script needed). */
function feedbackSection(
  lang: Lang,
  report: Pick<ResidentReportTable, 'feedback' | 'rating' | 'reopen_count'>,
  progress: ReportProgress,
  action: string,
): string {
  const l = LOOP_WORDS[lang];
  const given =
    report.feedback === 'fixed'
      ? `<h2>${l.feedbackTitleDone}</h2><p id="feedback-given">${l.yourFeedback}: ${l.fixed} · ${'★'.repeat(report.rating ?? 0)}${'☆'.repeat(5 - (report.rating ?? 0))} (${l.stars(report.rating ?? 0)})</p><p>${l.thanksFeedback}</p>`
      : report.feedback === 'not_fixed' && !progress.canGiveFeedback
        ? `<p id="feedback-given" class="bad">${l.reopened}</p>`
        : '';
  if (!progress.canGiveFeedback) return given;
  const ratings = [5, 4, 3, 2, 1]
    .map(
      (n) =>
        `<label class="nw"><input type="radio" name="rating" value="${n}" required> ${'★'.repeat(n)} ${l.stars(n)}</label>`,
    )
    .join('');
  return (
    `<h2>${l.feedbackTitle}</h2><form method="post" action="${esc(action)}" id="feedback">` +
    `<input type="hidden" name="lang" value="${lang}">` +
    `<label><input type="radio" name="outcome" value="fixed" required> ${l.fixed}</label>` +
    `<label><input type="radio" name="outcome" value="not_fixed"> ${l.notFixed}</label>` +
    `<fieldset><legend>${l.rating}</legend>${ratings}</fieldset>` +
    `<button type="submit">${l.sendFeedback}</button></form>`
  );
}

/** The fund page: every paid expenditure of the lift's fund, paged, in the page's language. */
export function renderFundPage(
  lang: Lang,
  elevator: ElevatorEntry,
  fund: FundDisclosure,
  page: number,
): string {
  const base = `/e/${encodeURIComponent(elevator.publicToken)}`;
  const href = (p: number, l: Lang = lang) => `${base}/fund?lang=${l}&page=${p}`;
  const list = fundExpenditureList(fund, lang, esc, localTime, page, (p) => href(p));
  const body = `${list.body}<p><a href="${base}?lang=${lang}">${WORDS[lang].back}</a></p>`;
  return layout(lang, `${list.title} · ${elevator.name}`, body, {
    switchHref: href(page, lang === 'zh' ? 'en' : 'zh'),
  });
}

export function renderMessagePage(lang: Lang, title: string, text: string, backHref?: string): string {
  const w = WORDS[lang];
  const back = backHref ? `<p><a href="${esc(backHref)}">${w.back}</a></p>` : '';
  const body = `<p>${esc(text)}</p><a class="tel" href="tel:${NATIONAL_HOTLINE}">${w.hotline}: ${NATIONAL_HOTLINE}</a>${back}`;
  return layout(lang, title, body);
}
