import { historyPoint, withPoint, type HistoryPoint } from './report/history';
import { reportDate } from './record';
import { renderArchivePage, renderIndexPage, renderReportPage, type PageOptions } from './report/render';
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

async function readRecord(store: Store, key: string): Promise<ReportRecord | null> {
  const text = await store.get(key);
  return text === null ? null : (JSON.parse(text) as ReportRecord);
}

/** The keys of an underlying's dated records, oldest date first. */
async function datedKeys(store: Store, symbol: string): Promise<string[]> {
  return (await store.list(`${symbol}/`)).filter((k) => DATED.test(k)).sort();
}

const dateOfKey = (key: string) => key.slice(key.indexOf('/') + 1, -'.json'.length);

/** The history with the dated keys it was checked against (oldest date first). */
async function historyWithKeys(store: Store, symbol: string) {
  const saved = await store.get(`${symbol}/history.json`);
  let history = saved === null ? [] : (JSON.parse(saved) as HistoryPoint[]);
  const keys = await datedKeys(store, symbol);
  const known = new Set(history.map((p) => p.date));
  for (const key of keys) {
    if (known.has(dateOfKey(key))) continue;
    const record = await readRecord(store, key);
    if (record !== null) history = withPoint(history, historyPoint(record, reportDate(record)));
  }
  return { history, keys };
}

/**
 * An underlying's history: its `history.json`, plus a point for every dated record it lacks. So it rebuilds
 * itself when the file is missing (first run, or a store filled by an older version), and heals when a
 * concurrent run wrote it without a date the other run had just added.
 */
export async function loadHistory(store: Store, symbol: string): Promise<HistoryPoint[]> {
  return (await historyWithKeys(store, symbol)).history;
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

/** An underlying as the index page lists it: its latest record and its history. */
export interface IndexEntry {
  record: ReportRecord;
  history: HistoryPoint[];
}

export interface Published {
  /** The dated keys written: `<SYM>/<date>.json` and `.html` (none when the day already has a newer one). */
  keys: string[];
  /** Whether `latest.*` now shows this record (false when the store already has a newer snapshot). */
  latest: boolean;
}

type ViewOptions = Pick<PageOptions, 'strikeWindowPct'>;

/**
 * Rewrites an underlying's views: `history.json`, the archive page, and `latest.*` as the newest dated
 * record (`record` when the store has none yet) with the whole history. Returns the newest dated key it
 * used and the record it showed as latest.
 */
async function writeViews(
  store: Store,
  record: ReportRecord,
  history: HistoryPoint[],
  keys: string[],
  options: ViewOptions,
): Promise<{ newestKey: string | undefined; latest: ReportRecord }> {
  const { symbol } = record;
  const newestKey = keys.at(-1);
  const latest = (newestKey === undefined ? null : await readRecord(store, newestKey)) ?? record;
  await store.put(`${symbol}/history.json`, JSON.stringify(history), PUT_OPTIONS.liveJson);
  await store.put(
    `${symbol}/index.html`,
    renderArchivePage(symbol, history, latest.source),
    PUT_OPTIONS.liveHtml,
  );
  await store.put(`${symbol}/latest.json`, JSON.stringify(latest, null, 1), PUT_OPTIONS.liveJson);
  await store.put(
    `${symbol}/latest.html`,
    renderReportPage(latest, { ...options, history }),
    PUT_OPTIONS.liveHtml,
  );
  return { newestKey, latest };
}

/**
 * Writes one record. The dated JSON and page go first, and only when no newer snapshot of the same day is
 * there; then the views (history, archive, `latest.*`), which always show the newest dated record, so a
 * late older snapshot only adds its point. Nothing is written until the record is checked and its page
 * rendered. If another run added a dated record while this one wrote the views, they are written once more
 * from the store, so two runs at once for one underlying end with every date and the newest as latest.
 */
export async function publishReport(
  store: Store,
  record: ReportRecord,
  options: ViewOptions = {},
): Promise<Published> {
  assertFinite(record);
  const date = reportDate(record);
  const base = `${record.symbol}/${date}`;
  const sameDay = await readRecord(store, `${base}.json`);
  const ownsDay = sameDay === null || Date.parse(sameDay.asOf) <= Date.parse(record.asOf);
  let { history, keys } = await historyWithKeys(store, record.symbol);
  if (ownsDay) {
    history = withPoint(history, historyPoint(record, date));
    const page = renderReportPage(record, {
      ...options,
      history: history.filter((p) => p.asOf <= record.asOf),
    });
    await store.put(`${base}.json`, JSON.stringify(record, null, 1), PUT_OPTIONS.datedJson);
    await store.put(`${base}.html`, page, PUT_OPTIONS.datedHtml);
    keys = [...new Set([...keys, `${base}.json`])].sort();
  }
  let views = await writeViews(store, record, history, keys, options);
  // Another run of this underlying may have added a date meanwhile: then write the views once more.
  const again = await historyWithKeys(store, record.symbol);
  if (again.history.length !== history.length || again.keys.at(-1) !== views.newestKey) {
    views = await writeViews(store, record, again.history, again.keys, options);
  }
  return {
    keys: ownsDay ? [`${base}.json`, `${base}.html`] : [],
    latest: views.latest.asOf === record.asOf,
  };
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
