import { historyPoint, withPoint, type HistoryPoint } from './report/history';
import {
  renderArchivePage,
  renderIndexPage,
  renderReportPage,
  reportDate,
  type IndexEntry,
  type PageOptions,
} from './report/render';
import type { Store } from './store/store';
import type { ReportRecord } from './types';

const JSON_TYPE = 'application/json; charset=utf-8';
const HTML_TYPE = 'text/html; charset=utf-8';
/** Pages that change with every run: readers and the CDN look again after five minutes. */
const SHORT = 'public, max-age=300';
/** A dated report changes only if its day is re-run. */
const LONG = 'public, max-age=86400';

export const PUT_OPTIONS = {
  datedJson: { contentType: JSON_TYPE, cacheControl: LONG },
  datedHtml: { contentType: HTML_TYPE, cacheControl: LONG },
  liveJson: { contentType: JSON_TYPE, cacheControl: SHORT },
  liveHtml: { contentType: HTML_TYPE, cacheControl: SHORT },
} as const;

const LATEST = /^([^/]+)\/latest\.json$/;
const DATED = /^[^/]+\/\d{4}-\d\d-\d\d\.json$/;

/**
 * An underlying's history, from its `history.json`; when that is missing (first run, or a store filled by
 * an older version) it is rebuilt from the dated records.
 */
export async function loadHistory(store: Store, symbol: string): Promise<HistoryPoint[]> {
  const saved = await store.get(`${symbol}/history.json`);
  if (saved !== null) return JSON.parse(saved) as HistoryPoint[];
  let history: HistoryPoint[] = [];
  const keys = (await store.list(`${symbol}/`)).filter((k) => DATED.test(k));
  for (const key of keys) {
    const text = await store.get(key);
    if (text === null) continue;
    const record = JSON.parse(text) as ReportRecord;
    history = withPoint(history, historyPoint(record, reportDate(record)));
  }
  return history;
}

/** Every number in the record is finite: a NaN or infinity is a bug upstream, named by its path. */
export function assertFinite(value: unknown, path = 'record'): void {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`${path} is ${value}, not a finite number`);
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => assertFinite(v, `${path}[${i}]`));
  } else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) assertFinite(v, `${path}.${k}`);
  }
}

export interface Published {
  /** The dated keys written: `<SYM>/<date>.json` and `.html`. */
  keys: string[];
  /** Whether `latest.*` now shows this record (false when the store already has a newer snapshot). */
  latest: boolean;
}

/**
 * Writes one record: the dated JSON and page, its history and archive first, then `latest.*` only after
 * those succeeded and only when the record is at least as recent as the current latest (an older one only
 * redraws the latest page's history). The record's own pages are rendered before anything is written.
 */
export async function publishReport(
  store: Store,
  record: ReportRecord,
  options: Pick<PageOptions, 'strikeWindowPct'> = {},
): Promise<Published> {
  assertFinite(record);
  const date = reportDate(record);
  const history = withPoint(await loadHistory(store, record.symbol), historyPoint(record, date));
  const json = JSON.stringify(record, null, 1);
  const html = renderReportPage(record, {
    ...options,
    history: history.filter((p) => p.asOf <= record.asOf),
  });
  const archive = renderArchivePage(record.symbol, history, record.source);
  const base = `${record.symbol}/${date}`;
  await store.put(`${base}.json`, json, PUT_OPTIONS.datedJson);
  await store.put(`${base}.html`, html, PUT_OPTIONS.datedHtml);
  await store.put(`${record.symbol}/history.json`, JSON.stringify(history), PUT_OPTIONS.liveJson);
  await store.put(`${record.symbol}/index.html`, archive, PUT_OPTIONS.liveHtml);

  const current = await store.get(`${record.symbol}/latest.json`);
  const newest = current === null ? null : (JSON.parse(current) as ReportRecord);
  const isNewest = newest === null || Date.parse(newest.asOf) <= Date.parse(record.asOf);
  if (isNewest) {
    await store.put(`${record.symbol}/latest.json`, json, PUT_OPTIONS.liveJson);
    await store.put(`${record.symbol}/latest.html`, html, PUT_OPTIONS.liveHtml);
  } else {
    // An older snapshot arrived late: the latest page keeps its record but gains the point in its history.
    await store.put(
      `${record.symbol}/latest.html`,
      renderReportPage(newest, { ...options, history }),
      PUT_OPTIONS.liveHtml,
    );
  }
  return { keys: [`${base}.json`, `${base}.html`], latest: isNewest };
}

/** The latest record and the history of every underlying in the store. */
export async function latestEntries(store: Store): Promise<IndexEntry[]> {
  const keys = (await store.list('')).filter((k) => LATEST.test(k)).sort();
  const entries: IndexEntry[] = [];
  for (const key of keys) {
    const text = await store.get(key);
    if (text === null) continue;
    const record = JSON.parse(text) as ReportRecord;
    entries.push({ record, history: await loadHistory(store, record.symbol) });
  }
  return entries;
}

/** Rewrites `index.html` from the latest records in the store; returns the entries it lists. */
export async function publishIndex(store: Store, generatedAt: Date): Promise<IndexEntry[]> {
  const entries = await latestEntries(store);
  await store.put('index.html', renderIndexPage(entries, generatedAt), PUT_OPTIONS.liveHtml);
  return entries;
}
