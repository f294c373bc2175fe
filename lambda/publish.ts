import { createHash } from 'node:crypto';
import pLimit from 'p-limit';
import { changeSince } from './gamma/change';
import { marketZone, reportDate } from './record';
import type { StoredRecord } from './record-schema';
import { evidenceOf, historyPoint, withPoint, type HistoryPoint } from './report/history';
import { levelsCsv, pineScript } from './report/levels-export';
import { renderArchivePage, renderIndexPage, renderReportPage } from './report/render';
import { DEFAULT_FRESHNESS, screenerCsv, summarize, type Freshness, type Summary } from './report/screener';
import type { Listed, PutOptions, Store } from './store/store';
import type { ReportRecord } from './types';
import { dateInZone } from './venues';

const JSON_TYPE = 'application/json; charset=utf-8';
const HTML_TYPE = 'text/html; charset=utf-8';
const CSV_TYPE = 'text/csv; charset=utf-8';
const TEXT_TYPE = 'text/plain; charset=utf-8';
/** Pages that change with every run: readers and the CDN look again after five minutes. */
const SHORT = 'public, max-age=300';
/** A dated report changes only if its day is re-run. */
const LONG = 'public, max-age=86400';

export const PUT_OPTIONS = {
  datedJson: { contentType: JSON_TYPE, cacheControl: LONG },
  datedHtml: { contentType: HTML_TYPE, cacheControl: LONG },
  liveJson: { contentType: JSON_TYPE, cacheControl: SHORT },
  liveHtml: { contentType: HTML_TYPE, cacheControl: SHORT },
  liveCsv: { contentType: CSV_TYPE, cacheControl: SHORT },
  datedCsv: { contentType: CSV_TYPE, cacheControl: LONG },
  datedText: { contentType: TEXT_TYPE, cacheControl: LONG },
  liveText: { contentType: TEXT_TYPE, cacheControl: SHORT },
} as const;

const DATED = /^[^/]+\/\d{4}-\d\d-\d\d\.json$/;

export interface PublishOptions {
  /** Half-width of the strike charts around spot, in percent. @default the setting's */
  strikeWindowPct?: number;
  /** How recent a previous report must be for the page and email to compare with it. @default the settings' */
  freshness?: Freshness;
  /**
   * Told of stored files that are damaged and were ignored or rebuilt (an empty history, an unreadable
   * previous record): the run goes on without them. @default silent
   */
  warn?: (message: string) => void;
}

const silent = () => undefined;

/** The zod schemas load only when a stored file is read: a first run into an empty folder needs none. */
const schemas = () => import('./record-schema');

/** A stored JSON file checked against a schema; a damaged one is named to `warn` and read as absent. */
async function readStored<T>(
  store: Store,
  key: string,
  check: (text: string) => { value: T } | { problem: string },
  warn: (message: string) => void,
): Promise<T | null> {
  const text = await store.get(key);
  if (text === null) return null;
  const read = check(text);
  if ('value' in read) return read.value;
  warn(`${key} was ignored: ${read.problem}`);
  return null;
}

const folderOf = (key: string) => key.slice(0, key.indexOf('/'));
const dateOfKey = (key: string) => key.slice(key.indexOf('/') + 1, -'.json'.length);

/**
 * Why a stored record does not belong where it was found, or null (docs/methodology.md §3): its symbol must be
 * its folder's, and a dated file's date the record's own. A record of SPY copied into `SPX/` would otherwise
 * enter SPX's history with SPY's spot.
 */
function misfiled(
  record: Pick<StoredRecord, 'symbol' | 'asOf' | 'source' | 'session'>,
  key: string,
): string | null {
  const folder = folderOf(key);
  if (record.symbol !== folder) return `it holds a record of ${record.symbol}, not of ${folder}`;
  // Its session's date, or the market-zone date of its snapshot under which older versions filed it.
  const dates = new Set([dateInZone(Date.parse(record.asOf), marketZone(record.source))]);
  if (record.session !== undefined) dates.add(record.session.quotes);
  if (DATED.test(key) && !dates.has(dateOfKey(key))) {
    return `it holds the report of ${[...dates].join(' or ')}, not of ${dateOfKey(key)}`;
  }
  return null;
}

/** A stored record checked against its schema and against where it was found; null when it fails either. */
async function readRecord<T extends Pick<StoredRecord, 'symbol' | 'asOf' | 'source' | 'session'>>(
  store: Store,
  key: string,
  parse: (text: string) => { value: T } | { problem: string },
  warn: (m: string) => void,
): Promise<T | null> {
  return readStored(
    store,
    key,
    (text) => {
      const read = parse(text);
      const problem = 'value' in read ? misfiled(read.value, key) : null;
      return problem === null ? read : { problem };
    },
    warn,
  );
}

async function readStoredRecord(store: Store, key: string, warn: (m: string) => void) {
  const { parseStored, storedRecord } = await schemas();
  return readRecord(store, key, (t) => parseStored(storedRecord, t), warn);
}

/** A full schema-2 record (what a page is drawn from), or null when the stored one is not. */
async function readFullRecord(store: Store, key: string, warn: (m: string) => void) {
  const { parseStored, reportRecord } = await schemas();
  return readRecord(store, key, (t) => parseStored(reportRecord, t), warn);
}

/** What one listing of an underlying's folder tells: each object's digest, by key. */
type Digests = Map<string, Listed['md5']>;

/**
 * Writes an object unless the store already holds these very bytes (by the digest its listing gave): a view
 * that did not change is not written again, which saves the PUT and the old version S3 would keep.
 */
function writerOf(store: Store, digests: Digests) {
  return async (key: string, body: string, options: PutOptions): Promise<void> => {
    const held = await digests.get(key)?.();
    if (held != null && held === createHash('md5').update(body, 'utf8').digest('hex')) return;
    await store.put(key, body, options);
  };
}

/**
 * An underlying's history with the dated keys it was checked against (oldest date first): its `history.json`
 * plus a point for every dated record it lacks. So it rebuilds itself when the file is missing (a first run,
 * a store filled by an older version) or damaged (named to `warn`), and heals when a concurrent run wrote it
 * without a date the other run had just added. Its points carry what the regime evidence reads of each
 * record (§16), so the evidence never reads the records themselves.
 */
async function historyWithKeys(store: Store, symbol: string, warn: (message: string) => void) {
  const { parseStored, historyFile } = await schemas();
  let history =
    (await readStored(store, `${symbol}/history.json`, (t) => parseStored(historyFile, t), warn)) ?? [];
  const listed = await store.listed(`${symbol}/`);
  const digests: Digests = new Map(listed.map((o) => [o.key, o.md5]));
  const keys = listed
    .map((o) => o.key)
    .filter((k) => DATED.test(k))
    .sort();
  const known = new Map(history.map((p) => [p.date, p]));
  // Snapshots already in the history with every field the evidence reads; a point without them is healed.
  const snapshots = new Set(history.filter((p) => p.tilt !== undefined).map((p) => p.asOf));
  for (const key of keys) {
    // A point written before the evidence's fields were kept (no tilt) is read again from its record, once.
    if (known.get(dateOfKey(key))?.tilt !== undefined) continue;
    const record = await readStoredRecord(store, key, warn);
    // A point's date names its file: a record an older version filed under its New York date keeps that
    // name. The same snapshot filed again under its session's date is one report, already there.
    if (record !== null && !snapshots.has(record.asOf))
      history = withPoint(history, historyPoint(record, dateOfKey(key)));
  }
  return { history, keys, digests };
}

export async function loadHistory(
  store: Store,
  symbol: string,
  warn: (message: string) => void = silent,
): Promise<HistoryPoint[]> {
  return (await historyWithKeys(store, symbol, warn)).history;
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

/**
 * The record this one compares with (§11): the stored report of the same underlying with the latest asOf
 * before it, whatever order the runs come in. A damaged one is named and treated as absent.
 */
async function previousRecord(
  store: Store,
  record: ReportRecord,
  history: readonly HistoryPoint[],
  warn: (message: string) => void,
): Promise<StoredRecord | null> {
  const earlier = history.filter((p) => Date.parse(p.asOf) < Date.parse(record.asOf));
  const point = earlier[earlier.length - 1];
  if (point === undefined) return null;
  return readStoredRecord(store, `${record.symbol}/${point.date}.json`, warn);
}

/**
 * A snapshot published before existing ones (a backfill, a late rerun) is now the previous report of the next
 * later dated record: that record's change (§11) and page are brought up to date, so they never keep a "no
 * previous report" or a comparison with an older one. The views are then written from the store as usual.
 */
async function updateNext(
  store: Store,
  record: ReportRecord,
  nextKey: string | undefined,
  history: readonly HistoryPoint[],
  views: Views,
): Promise<void> {
  if (nextKey === undefined) return;
  const next = await readFullRecord(store, nextKey, views.warn);
  if (next === null || !(Date.parse(next.asOf) > Date.parse(record.asOf))) return;
  const updated: ReportRecord = { ...next, change: changeSince(record, next) };
  if (JSON.stringify(updated.change) === JSON.stringify(next.change)) return;
  const base = nextKey.slice(0, -'.json'.length);
  const page = renderReportPage(updated, { ...views, history: history.filter((p) => p.asOf <= next.asOf) });
  await store.put(nextKey, JSON.stringify(updated, null, 1), PUT_OPTIONS.datedJson);
  await store.put(`${base}.html`, page, PUT_OPTIONS.datedHtml);
}

export interface Published {
  /** The record as published: with its change since the previous report. */
  record: ReportRecord;
  /** The dated keys written: `<SYM>/<date>.json` and `.html` (none when the day already has a newer one). */
  keys: string[];
  /** Whether `latest.*` now shows this record (false when the store already has a newer snapshot). */
  latest: boolean;
}

interface Views {
  strikeWindowPct?: number;
  freshness: Freshness;
  warn: (message: string) => void;
}

/**
 * Rewrites an underlying's views from its newest dated record (`record` itself when it is the newest, whose
 * page is then reused as it is): `history.json`, `evidence.json` (§16, from the history's points, one per
 * dated record), the archive page, `latest.*` and `summary.json` for the index. Returns the newest dated key
 * it used and the asOf it showed as latest.
 */
async function writeViews(
  store: Store,
  record: ReportRecord,
  page: string | null,
  history: HistoryPoint[],
  keys: string[],
  digests: Digests,
  views: Views,
): Promise<{ newestKey: string | undefined; latestAsOf: string | null }> {
  const put = writerOf(store, digests);
  const { symbol } = record;
  const newestKey = keys.at(-1);
  // The record is the newest when its dated file is the newest and holds it (page: it was just written).
  const own =
    page !== null && (newestKey === undefined || newestKey === `${symbol}/${reportDate(record)}.json`);
  const latest = own || newestKey === undefined ? record : await readFullRecord(store, newestKey, views.warn);
  await put(`${symbol}/history.json`, JSON.stringify(history), PUT_OPTIONS.liveJson);
  const evidence = evidenceOf(symbol, record.source, history);
  await put(`${symbol}/evidence.json`, JSON.stringify(evidence, null, 1), PUT_OPTIONS.liveJson);
  await put(`${symbol}/index.html`, renderArchivePage(symbol, history, record.source), PUT_OPTIONS.liveHtml);
  // A newest record written by an older version cannot be drawn: latest.* keep what they show.
  if (latest === null) return { newestKey, latestAsOf: null };
  const html = own
    ? page
    : renderReportPage(latest, { ...views, history: history.filter((p) => p.asOf <= latest.asOf) });
  await put(`${symbol}/latest.json`, JSON.stringify(latest, null, 1), PUT_OPTIONS.liveJson);
  await put(`${symbol}/latest.html`, html, PUT_OPTIONS.liveHtml);
  await put(`${symbol}/levels.csv`, levelsCsv(latest), PUT_OPTIONS.liveCsv);
  await put(`${symbol}/levels.pine`, pineScript(latest), PUT_OPTIONS.liveText);
  const summary = summarize(latest, history, views.freshness);
  await put(`${symbol}/summary.json`, JSON.stringify(summary), PUT_OPTIONS.liveJson);
  return { newestKey, latestAsOf: latest.asOf };
}

/**
 * Publishes one record with its change since the previous report (§11). The dated JSON and page go first,
 * and only when no newer snapshot of the same day is there; then the views, which always show the newest
 * dated record, so a late older snapshot only adds its point. Nothing is written until the record is checked
 * and its page rendered. If another run added a dated record while this one wrote the views, they are
 * written once more from the store, so two runs at once for one underlying end with every date and the
 * newest as latest.
 */
export async function publishReport(
  store: Store,
  analysed: ReportRecord,
  options: PublishOptions = {},
): Promise<Published> {
  const views: Views = {
    strikeWindowPct: options.strikeWindowPct,
    freshness: options.freshness ?? DEFAULT_FRESHNESS,
    warn: options.warn ?? silent,
  };
  const date = reportDate(analysed);
  const base = `${analysed.symbol}/${date}`;
  const found = await historyWithKeys(store, analysed.symbol, views.warn);
  let { history, keys } = found;
  const { digests } = found;
  const previous = await previousRecord(store, analysed, history, views.warn);
  const record: ReportRecord = {
    ...analysed,
    change: previous === null ? null : changeSince(previous, analysed),
  };
  assertFinite(record);
  const sameDay = await readStoredRecord(store, `${base}.json`, views.warn);
  const ownsDay = sameDay === null || Date.parse(sameDay.asOf) <= Date.parse(record.asOf);
  if (ownsDay && sameDay?.session !== undefined && sameDay.session.quotes !== date) {
    // An older version named equity reports by the New York date of asOf: a pre-open run's file holds the
    // session before its name. This session's report takes the name, as the same day's later snapshot would.
    views.warn(`${base}.json held the ${sameDay.session.quotes} session's report; replaced by ${date}'s`);
  }
  let page: string | null = null;
  if (ownsDay) {
    history = withPoint(history, historyPoint(record, date));
    page = renderReportPage(record, { ...views, history: history.filter((p) => p.asOf <= record.asOf) });
    const put = writerOf(store, digests);
    await put(`${base}.json`, JSON.stringify(record, null, 1), PUT_OPTIONS.datedJson);
    await put(`${base}.html`, page, PUT_OPTIONS.datedHtml);
    await put(`${base}.levels.csv`, levelsCsv(record), PUT_OPTIONS.datedCsv);
    await put(`${base}.pine`, pineScript(record), PUT_OPTIONS.datedText);
    keys = [...new Set([...keys, `${base}.json`])].sort();
    await updateNext(
      store,
      record,
      keys.find((k) => k > `${base}.json`),
      history,
      views,
    );
  }
  let written = await writeViews(store, record, page, history, keys, digests, views);
  // Another run of this underlying may have added a date meanwhile: then write the views once more.
  const again = await historyWithKeys(store, record.symbol, views.warn);
  if (again.history.length !== history.length || again.keys.at(-1) !== written.newestKey) {
    written = await writeViews(store, record, page, again.history, again.keys, again.digests, views);
  }
  return {
    record,
    keys: ownsDay ? [`${base}.json`, `${base}.html`] : [],
    latest: written.latestAsOf === record.asOf,
  };
}

/** Files read at once: enough to overlap S3's latency, few enough to be polite to it. */
const READ_CONCURRENCY = 16;

/** Stored files read in parallel, in the order of `keys`; absent and damaged ones are left out. */
async function readEach<T>(keys: readonly string[], read: (key: string) => Promise<T | null>): Promise<T[]> {
  const limit = pLimit(READ_CONCURRENCY);
  const all: (T | null)[] = await Promise.all(keys.map((key) => limit(() => read(key))));
  return all.filter((value): value is T => value !== null);
}

/**
 * The summaries of some underlyings, by symbol: one small object each, read in parallel. A damaged one is
 * named and left out; it never blocks the others.
 */
async function summaries(
  store: Store,
  symbols: readonly string[],
  warn: (message: string) => void,
): Promise<Summary[]> {
  const { parseStored, summaryFile } = await schemas();
  return readEach(
    [...symbols].sort().map((symbol) => `${symbol}/summary.json`),
    (key) => readStored(store, key, (t) => parseStored(summaryFile, t), warn),
  );
}

/** The summary of every underlying in the store: one listing of the top folders, one object each. */
export async function indexEntries(
  store: Store,
  warn: (message: string) => void = silent,
): Promise<Summary[]> {
  return summaries(store, await store.folders(), warn);
}

const sameSet = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && [...a].sort().join() === [...b].sort().join();

/**
 * Rewrites the index (`index.html`, the screener, and `screener.json` / `screener.csv`) from what the store
 * holds; returns the entries it lists. Runs that finish at the same time each write it: a run lists the
 * store's underlyings again after writing, and writes once more with any that appeared meanwhile, so the
 * last writer lists everyone. Per run: one listing and one small object per underlying, whatever the archive.
 */
export async function publishIndex(
  store: Store,
  generatedAt: Date,
  warn: (message: string) => void = silent,
): Promise<Summary[]> {
  let folders = await store.folders();
  let entries = await summaries(store, folders, warn);
  for (let round = 0; round < 3; round++) {
    const rows = entries.map((e) => e.row);
    await store.put('screener.json', JSON.stringify(rows, null, 1), PUT_OPTIONS.liveJson);
    await store.put('screener.csv', screenerCsv(rows), PUT_OPTIONS.liveCsv);
    await store.put('index.html', renderIndexPage(entries, generatedAt), PUT_OPTIONS.liveHtml);
    const now = await store.folders();
    if (sameSet(now, folders)) break;
    const added = now.filter((f) => !folders.includes(f));
    entries = [
      ...entries.filter((e) => now.includes(e.row.symbol)),
      ...(await summaries(store, added, warn)),
    ].sort((a, b) => a.row.symbol.localeCompare(b.row.symbol));
    folders = now;
  }
  return entries;
}

/** The latest full records of some underlyings, read in parallel; a damaged one is named and left out. */
export async function latestRecords(
  store: Store,
  symbols: readonly string[],
  warn: (message: string) => void = silent,
): Promise<ReportRecord[]> {
  return readEach(
    symbols.map((symbol) => `${symbol}/latest.json`),
    (key) => readFullRecord(store, key, warn),
  );
}
