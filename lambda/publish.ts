import { renderIndexPage, renderReportPage, reportDate } from './report/render';
import type { Store } from './store/store';
import type { ReportRecord } from './types';

export const JSON_TYPE = 'application/json; charset=utf-8';
export const HTML_TYPE = 'text/html; charset=utf-8';

const LATEST = /^([^/]+)\/latest\.json$/;

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
 * Writes one record: the dated JSON and page first, then `latest.*` only after those succeeded and only
 * when the record is at least as recent as the current latest. Everything is rendered before anything
 * is written, so a failure leaves the store as it was.
 */
export async function publishReport(store: Store, record: ReportRecord): Promise<Published> {
  assertFinite(record);
  const json = JSON.stringify(record, null, 1);
  const html = renderReportPage(record);
  const base = `${record.symbol}/${reportDate(record)}`;
  await store.put(`${base}.json`, json, JSON_TYPE);
  await store.put(`${base}.html`, html, HTML_TYPE);

  const current = await store.get(`${record.symbol}/latest.json`);
  const isNewest =
    current === null || Date.parse((JSON.parse(current) as ReportRecord).asOf) <= Date.parse(record.asOf);
  if (isNewest) {
    await store.put(`${record.symbol}/latest.json`, json, JSON_TYPE);
    await store.put(`${record.symbol}/latest.html`, html, HTML_TYPE);
  }
  return { keys: [`${base}.json`, `${base}.html`], latest: isNewest };
}

/** The latest record of every underlying in the store. */
export async function latestRecords(store: Store): Promise<ReportRecord[]> {
  const keys = (await store.list('')).filter((k) => LATEST.test(k)).sort();
  const records: ReportRecord[] = [];
  for (const key of keys) {
    const text = await store.get(key);
    if (text !== null) records.push(JSON.parse(text) as ReportRecord);
  }
  return records;
}

/** Rewrites `index.html` from the latest records in the store; returns how many underlyings it lists. */
export async function publishIndex(store: Store, generatedAt: Date): Promise<number> {
  const records = await latestRecords(store);
  await store.put('index.html', renderIndexPage(records, generatedAt), HTML_TYPE);
  return records.length;
}
