import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyse } from '../../lambda/gamma/analyse';
import { loadHistory, publishIndex, publishReport } from '../../lambda/publish';
import type { PutOptions } from '../../lambda/store/store';
import { FsStore } from '../../lambda/store/fs-store';
import { historyPoint } from '../../lambda/report/history';
import type { Store } from '../../lambda/store/store';
import type { ReportRecord } from '../../lambda/types';
import { loadFixture } from '../helpers';

const spx0914 = analyse(loadFixture('cboe_SPX_2023-09-14.csv'));
const spx0608 = analyse(loadFixture('cboe_SPX_2023-06-08.csv'));
const spx0526 = analyse(loadFixture('cboe_SPX_2023-05-26.csv'));
const btc = analyse(loadFixture('deribit_BTC_2026-03-13.json'));

/** A folder store that also logs each write, to check the order and content types. */
class LoggingStore extends FsStore {
  writes: [string, string, string][] = [];
  async put(key: string, body: string, options: PutOptions): Promise<void> {
    this.writes.push([key, options.contentType, options.cacheControl]);
    return super.put(key, body, options);
  }
}

const JSON_TYPE = 'application/json; charset=utf-8';
const HTML_TYPE = 'text/html; charset=utf-8';
const CSV_TYPE = 'text/csv; charset=utf-8';
const TEXT_TYPE = 'text/plain; charset=utf-8';
const OPTS = { contentType: JSON_TYPE, cacheControl: 'no-cache' };

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'gamma-store-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('publishing a report', () => {
  it('writes on a new day only what changed, and nothing when the same snapshot is published again', async () => {
    const store = new LoggingStore(dir);
    await publishReport(store, spx0608);
    store.writes = [];
    await publishReport(store, spx0914);
    // A new day: its dated JSON, page and levels, and the views, every one of which now shows the new day.
    expect(store.writes.map(([key]) => key)).toEqual([
      'SPX/2023-09-14.json',
      'SPX/2023-09-14.html',
      'SPX/2023-09-14.levels.csv',
      'SPX/2023-09-14.pine',
      'SPX/history.json',
      'SPX/evidence.json',
      'SPX/index.html',
      'SPX/latest.json',
      'SPX/latest.html',
      'SPX/levels.csv',
      'SPX/levels.pine',
      'SPX/summary.json',
    ]);
    store.writes = [];
    // The same snapshot again (a retried or repeated run): every byte is already there, nothing is written.
    await expect(publishReport(store, spx0914)).resolves.toMatchObject({ latest: true });
    expect(store.writes).toEqual([]);
  });

  it('writes the dated JSON and page first, then latest, with content types and short cache on what changes', async () => {
    const store = new LoggingStore(dir);
    await expect(publishReport(store, spx0914)).resolves.toMatchObject({
      keys: ['SPX/2023-09-14.json', 'SPX/2023-09-14.html'],
      latest: true,
    });
    expect(store.writes).toEqual([
      ['SPX/2023-09-14.json', JSON_TYPE, 'public, max-age=86400'],
      ['SPX/2023-09-14.html', HTML_TYPE, 'public, max-age=86400'],
      ['SPX/2023-09-14.levels.csv', CSV_TYPE, 'public, max-age=86400'],
      ['SPX/2023-09-14.pine', TEXT_TYPE, 'public, max-age=86400'],
      ['SPX/history.json', JSON_TYPE, 'public, max-age=300'],
      ['SPX/evidence.json', JSON_TYPE, 'public, max-age=300'],
      ['SPX/index.html', HTML_TYPE, 'public, max-age=300'],
      ['SPX/latest.json', JSON_TYPE, 'public, max-age=300'],
      ['SPX/latest.html', HTML_TYPE, 'public, max-age=300'],
      ['SPX/levels.csv', CSV_TYPE, 'public, max-age=300'],
      ['SPX/levels.pine', TEXT_TYPE, 'public, max-age=300'],
      ['SPX/summary.json', JSON_TYPE, 'public, max-age=300'],
    ]);
    expect(JSON.parse((await store.get('SPX/latest.json'))!)).toEqual(spx0914);
    expect(await store.get('SPX/latest.html')).toBe(await store.get('SPX/2023-09-14.html'));
  });

  it('names crypto files by the UTC date and Cboe files by their quote session', async () => {
    const store = new FsStore(dir);
    // 2023-06-08 19:56 New York is already 06-09 in UTC.
    expect(spx0608.asOf).toBe('2023-06-08T23:56:00.000Z');
    expect((await publishReport(store, spx0608)).keys[0]).toBe('SPX/2023-06-08.json');
    // Downloaded on Saturday 2023-05-20: Friday's session.
    const saturday = analyse(loadFixture('cboe_SPX_2023-05-19.csv'));
    expect(saturday.asOf).toBe('2023-05-20T15:33:00.000Z');
    expect((await publishReport(store, saturday)).keys[0]).toBe('SPX/2023-05-19.json');
    expect((await publishReport(store, btc)).keys[0]).toBe('BTC/2026-03-13.json');
  });

  it('keeps latest on the newest snapshot when an older one is published after it', async () => {
    const store = new FsStore(dir);
    await publishReport(store, spx0914);
    await expect(publishReport(store, spx0608)).resolves.toMatchObject({ latest: false });
    expect((JSON.parse((await store.get('SPX/latest.json'))!) as ReportRecord).asOf).toBe(spx0914.asOf);
    expect(await store.get('SPX/2023-06-08.json')).not.toBeNull();
  });

  it('keeps the newest snapshot of a day in its dated files when an older one of that day comes late', async () => {
    const store = new FsStore(dir);
    const earlier = { ...spx0914, asOf: '2023-09-14T19:31:00.000Z', spot: spx0914.spot - 1 };
    await publishReport(store, spx0914);
    const before = await Promise.all(['SPX/2023-09-14.json', 'SPX/latest.json'].map((k) => store.get(k)));
    await expect(publishReport(store, earlier)).resolves.toMatchObject({ keys: [], latest: false });
    expect(await Promise.all(['SPX/2023-09-14.json', 'SPX/latest.json'].map((k) => store.get(k)))).toEqual(
      before,
    );
    await expect(publishReport(store, spx0914)).resolves.toMatchObject({
      keys: ['SPX/2023-09-14.json', 'SPX/2023-09-14.html'],
      latest: true,
    });
  });

  it('heals a history written by a concurrent run without a date that is on disk', async () => {
    const store = new FsStore(dir);
    await publishReport(store, spx0608);
    const lacking = await store.get('SPX/history.json');
    await publishReport(store, spx0914);
    // What a run that read the history before 09-14 was added would leave behind:
    await store.put('SPX/history.json', lacking!, OPTS);
    expect((await loadHistory(store, 'SPX')).map((p) => p.date)).toEqual(['2023-06-08', '2023-09-14']);
    await publishReport(store, spx0526);
    const saved = JSON.parse((await store.get('SPX/history.json'))!) as { date: string }[];
    expect(saved.map((p) => p.date)).toEqual(['2023-05-26', '2023-06-08', '2023-09-14']);
  });

  it('writes nothing at all for a record holding a NaN, naming the field', async () => {
    const store = new FsStore(dir);
    await publishReport(store, spx0608);
    const before = await store.get('SPX/latest.json');
    const broken = { ...spx0914, totals: { ...spx0914.totals, netGex: NaN } };
    await expect(publishReport(store, broken)).rejects.toThrow(
      'record.totals.netGex is NaN, not a finite number',
    );
    expect(await store.get('SPX/2023-09-14.json')).toBeNull();
    expect(await store.get('SPX/latest.json')).toBe(before);
  });

  it('keeps the last good latest when a write fails midway', async () => {
    const good = new FsStore(dir);
    await publishReport(good, spx0608);
    const before = await good.get('SPX/latest.json');
    const failing: Store = {
      get: (k) => good.get(k),
      list: (p) => good.list(p),
      listed: (p) => good.listed(p),
      folders: () => good.folders(),
      put: async (key, body, type) => {
        if (key.endsWith('.html')) throw new Error('disk full');
        return good.put(key, body, type);
      },
    };
    await expect(publishReport(failing, spx0914)).rejects.toThrow('disk full');
    expect(await good.get('SPX/latest.json')).toBe(before);
  });

  it('lists the latest record of every underlying on the index page', async () => {
    const store = new FsStore(dir);
    await publishReport(store, spx0608);
    await publishReport(store, spx0914);
    await publishReport(store, btc);
    expect((await publishIndex(store, new Date('2026-11-23T12:00:00Z'))).map((e) => e.row.symbol)).toEqual([
      'BTC',
      'SPX',
    ]);
    const html = (await store.get('index.html'))!;
    expect(html).toContain('href="SPX/latest.html"');
    expect(html).toContain('href="BTC/latest.html"');
    expect(html).toContain('4,505.10');
    expect(html).not.toContain('4,293.93');
    expect(html).toContain('Run at 2026-11-23 12:00 UTC');
  });
});

describe('history', () => {
  it('keeps one point a date in time order, whatever order the reports arrive in', async () => {
    const store = new FsStore(dir);
    await publishReport(store, spx0914);
    await publishReport(store, spx0526);
    await publishReport(store, spx0608);
    await publishReport(store, spx0608);
    const history = await loadHistory(store, 'SPX');
    expect(history.map((p) => p.date)).toEqual(['2023-05-26', '2023-06-08', '2023-09-14']);
    expect(history[2]).toEqual({
      date: '2023-09-14',
      asOf: spx0914.asOf,
      spot: spx0914.spot,
      flip: spx0914.flip.level,
      callWall: spx0914.levels.callWall,
      putWall: spx0914.levels.putWall,
      maxPain: spx0914.levels.maxPain,
      netGex: spx0914.totals.netGex,
      regime: spx0914.regime,
      tilt: spx0914.totals.tilt,
      atmIv: spx0914.expectedMove.nextExpiry!.atmIv,
    });
  });

  it('reads a point written before the evidence’s fields were kept again from its record, once', async () => {
    const store = new LoggingStore(dir);
    await publishReport(store, spx0526);
    await publishReport(store, spx0608);
    const saved = await loadHistory(store, 'SPX');
    // history.json as an older version wrote it: no tilt, no atmIv.
    const old = saved.map(({ tilt: _t, atmIv: _a, ...rest }) => rest);
    await store.put('SPX/history.json', JSON.stringify(old), OPTS);
    expect(await loadHistory(store, 'SPX')).toEqual(saved);
    await publishReport(store, spx0914);
    const reads: string[] = [];
    const counting = Object.assign(Object.create(store) as FsStore, {
      get: (key: string) => {
        reads.push(key);
        return store.get(key);
      },
    });
    const history = await loadHistory(counting, 'SPX');
    // The history written by that publish has them all: no record is read again.
    expect(reads).toEqual(['SPX/history.json']);
    expect(history.map((p) => [p.date, p.tilt])).toEqual([
      ['2023-05-26', spx0526.totals.tilt],
      ['2023-06-08', spx0608.totals.tilt],
      ['2023-09-14', spx0914.totals.tilt],
    ]);
    // A record without them (schema 1) gives null.
    const totals = { ...spx0526.totals, tilt: undefined };
    await store.put(
      'SPX/2023-05-26.json',
      JSON.stringify({ ...spx0526, totals, expectedMove: undefined }),
      OPTS,
    );
    await store.put('SPX/history.json', JSON.stringify(old), OPTS);
    const healed = await loadHistory(store, 'SPX');
    expect([healed[0]!.tilt, healed[0]!.atmIv]).toEqual([null, null]);
  });

  it('rebuilds itself from the dated records when history.json is missing', async () => {
    const store = new FsStore(dir);
    await publishReport(store, spx0526);
    await publishReport(store, spx0608);
    const saved = await loadHistory(store, 'SPX');
    rmSync(join(dir, 'SPX', 'history.json'));
    expect(await loadHistory(store, 'SPX')).toEqual(saved);
  });

  it('draws the history charts from the second report on, with only earlier points on a dated page', async () => {
    const store = new FsStore(dir);
    await publishReport(store, spx0526);
    expect(await store.get('SPX/2023-05-26.html')).not.toContain('id="history-levels-wide"');
    await publishReport(store, spx0914);
    await publishReport(store, spx0608);
    const page0608 = (await store.get('SPX/2023-06-08.html'))!;
    expect(page0608).toContain('id="history-levels-wide"');
    expect(page0608).toContain('2 reports from 2023-05-26 to 2023-06-08');
    const latest = (await store.get('SPX/latest.html'))!;
    expect(latest).toContain('3 reports from 2023-05-26 to 2023-09-14');
    expect(latest).toContain('downloaded Thu 14 Sep 2023 16:31 EDT');
    const archive = (await store.get('SPX/index.html'))!;
    expect(archive.indexOf('2023-09-14.html')).toBeLessThan(archive.indexOf('2023-05-26.html'));
  });
});

describe('the folder store', () => {
  it('returns null for a missing key and lists keys with forward slashes', async () => {
    const store = new FsStore(join(dir, 'not-yet'));
    expect(await store.get('SPX/latest.json')).toBeNull();
    expect(await store.list('')).toEqual([]);
    await store.put('SPX/a.json', '1', OPTS);
    await store.put('index.html', '2', OPTS);
    // One level at a time: the top's files, a folder's files, and the folders themselves.
    expect(await store.list('')).toEqual(['index.html']);
    expect(await store.list('SPX/')).toEqual(['SPX/a.json']);
    expect(await store.folders()).toEqual(['SPX']);
    expect(readdirSync(join(dir, 'not-yet', 'SPX'))).toEqual(['a.json']);
  });

  it.each(['../escape.json', 'SPX/../../x', '/abs', 'a//b'])('refuses the key %s', async (key) => {
    await expect(new FsStore(dir).put(key, 'x', OPTS)).rejects.toThrow(`invalid store key "${key}"`);
  });
});

describe('the change carried by a published record (docs/methodology.md §11)', () => {
  const spx0519 = analyse(loadFixture('cboe_SPX_2023-05-19.csv'));
  const spx0523 = analyse(loadFixture('cboe_SPX_2023-05-23.csv'));

  it('is null for the first report and compares each later one with the report before it', async () => {
    const store = new FsStore(dir);
    expect((await publishReport(store, spx0519)).record.change).toBeNull();
    const second = (await publishReport(store, spx0523)).record.change!;
    expect(second.previousAsOf).toBe(spx0519.asOf);
    expect(second.spot).toBeCloseTo(spx0523.spot - spx0519.spot, 9);
    const third = (await publishReport(store, spx0526)).record.change!;
    expect(third.previousAsOf).toBe(spx0523.asOf);
    // The dated file holds the same change.
    expect(JSON.parse((await store.get('SPX/2023-05-26.json'))!).change).toEqual(third);
  });

  it('compares with the latest earlier report, never a later one, when runs come out of order', async () => {
    const store = new FsStore(dir);
    await publishReport(store, spx0526);
    await publishReport(store, spx0519);
    const middle = (await publishReport(store, spx0523)).record.change!;
    expect(middle.previousAsOf).toBe(spx0519.asOf);
    expect((await publishReport(store, spx0519)).record.change).toBeNull();
  });

  it('treats a damaged previous record as absent, names it, and still publishes', async () => {
    const store = new FsStore(dir);
    await publishReport(store, spx0519);
    await store.put('SPX/2023-05-19.json', '{"symbol": "SPX", "asOf": ', OPTS);
    const warnings: string[] = [];
    const published = await publishReport(store, spx0523, { warn: (m) => warnings.push(m) });
    expect(published.record.change).toBeNull();
    expect(published.latest).toBe(true);
    expect(warnings[0]).toMatch(/^SPX\/2023-05-19\.json was ignored: not JSON/);
  });
});

describe('a store an older version wrote, naming equity reports by the New York date of asOf', () => {
  const spx0519 = analyse(loadFixture('cboe_SPX_2023-05-19.csv'));
  const spx0523 = analyse(loadFixture('cboe_SPX_2023-05-23.csv'));
  /** Friday's chain as the older version filed it: under Saturday, the day it was downloaded. */
  const filedOnSaturday = async (store: FsStore, history: boolean) => {
    await store.put('SPX/2023-05-20.json', JSON.stringify(spx0519), OPTS);
    if (history)
      await store.put('SPX/history.json', JSON.stringify([historyPoint(spx0519, '2023-05-20')]), OPTS);
  };

  it.each([true, false])(
    'keeps the old name of a report it holds (history.json there: %s) and compares the next one with it',
    async (history) => {
      const store = new FsStore(dir);
      await filedOnSaturday(store, history);
      const next = await publishReport(store, spx0523);
      expect(next.record.change?.previousAsOf).toBe(spx0519.asOf);
      expect((await loadHistory(store, 'SPX')).map((p) => p.date)).toEqual(['2023-05-20', '2023-05-23']);
    },
  );

  it('lists a snapshot filed again under its session’s date once, by the new name, run after run', async () => {
    const store = new FsStore(dir);
    await filedOnSaturday(store, true);
    await publishReport(store, spx0519);
    expect((await loadHistory(store, 'SPX')).map((p) => p.date)).toEqual(['2023-05-19']);
    await publishReport(store, spx0523);
    expect((await loadHistory(store, 'SPX')).map((p) => p.date)).toEqual(['2023-05-19', '2023-05-23']);
    expect((await publishReport(store, spx0523)).record.change?.previousAsOf).toBe(spx0519.asOf);
  });

  it('names the pre-open report of the session before that the first report of its session replaces', async () => {
    const store = new FsStore(dir);
    // Wednesday 08:30 New York: Tuesday's quotes, filed by the older version under Wednesday.
    const preOpen = { ...spx0523, asOf: '2023-05-24T12:30:00.000Z' };
    expect(preOpen.session.quotes).toBe('2023-05-23');
    await store.put('SPX/2023-05-24.json', JSON.stringify(preOpen), OPTS);
    const wednesday = {
      ...spx0526,
      asOf: '2023-05-25T12:30:00.000Z',
      session: { quotes: '2023-05-24', openInterest: '2023-05-23' },
    };
    const warnings: string[] = [];
    await publishReport(store, wednesday, { warn: (m) => warnings.push(m) });
    expect(warnings).toEqual([
      "SPX/2023-05-24.json held the 2023-05-23 session's report; replaced by 2023-05-24's",
    ]);
    expect(JSON.parse((await store.get('SPX/2023-05-24.json'))!).asOf).toBe(wednesday.asOf);
  });
});

describe('a damaged store', () => {
  it('rebuilds an empty history.json from the dated records, naming it, and publishes on', async () => {
    const store = new FsStore(dir);
    await publishReport(store, spx0526);
    await store.put('SPX/history.json', '', OPTS);
    const warnings: string[] = [];
    await publishReport(store, spx0608, { warn: (m) => warnings.push(m) });
    expect(warnings).toEqual([expect.stringMatching(/^SPX\/history\.json was ignored: /)]);
    expect((await loadHistory(store, 'SPX')).map((p) => p.date)).toEqual(['2023-05-26', '2023-06-08']);
  });

  it('leaves a stray or damaged summary out of the index, naming it, and lists everyone else', async () => {
    const store = new FsStore(dir);
    await publishReport(store, spx0914);
    await publishReport(store, btc);
    await store.put('FOO/latest.json', '{}', OPTS);
    await store.put('BTC/summary.json', '{"row": 1}', OPTS);
    const warnings: string[] = [];
    const entries = await publishIndex(store, new Date(), (m) => warnings.push(m));
    expect(entries.map((e) => e.row.symbol)).toEqual(['SPX']);
    expect(warnings).toEqual([expect.stringMatching(/^BTC\/summary\.json was ignored: row/)]);
    // The next publish of BTC writes its summary again: the index heals by itself.
    await publishReport(store, btc);
    expect((await publishIndex(store, new Date())).map((e) => e.row.symbol)).toEqual(['BTC', 'SPX']);
  });

  it('lists every underlying when another run writes the index while this one is writing it', async () => {
    const store = new FsStore(dir);
    await publishReport(store, spx0914);
    // This run lists the store (SPX only), then its index write waits while another run publishes BTC and
    // writes its own index; the late write would hide BTC if the run did not look again.
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let listed!: () => void;
    const waiting = new Promise<void>((resolve) => (listed = resolve));
    let first = true;
    const slow: Store = {
      get: (k) => store.get(k),
      list: (p) => store.list(p),
      listed: (p) => store.listed(p),
      folders: () => store.folders(),
      put: async (key, body, options) => {
        if (key === 'index.html' && first) {
          first = false;
          listed();
          await held;
        }
        return store.put(key, body, options);
      },
    };
    const late = publishIndex(slow, new Date());
    await waiting;
    await publishReport(store, btc);
    await publishIndex(store, new Date());
    release();
    expect((await late).map((e) => e.row.symbol)).toEqual(['BTC', 'SPX']);
    expect(await store.get('index.html')).toContain('data-symbol="BTC"');
  });
});
