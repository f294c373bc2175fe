import { createHash } from 'node:crypto';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../bin/gamma-report';
import type { ReportRecord } from '../../lambda/types';
import { HOUR_MS, readFixture } from '../helpers';
import { startUpstream, type Upstream } from '../support/upstream';

/**
 * The cases of the adversarial pass (issue 24) that once published wrong numbers with exit 0, each made by
 * damaging a copy of a real recorded chain here, and run through the CLI as a user would: every one is refused
 * with one line naming the file or symbol and the rule, and the folder keeps its last good report byte for
 * byte (docs/methodology.md §3). The out-of-order case is published correctly instead.
 */

let work: string;
let out: string;
beforeEach(() => {
  work = mkdtempSync(join(tmpdir(), 'gamma-trust-'));
  out = join(work, 'out');
});
afterEach(() => rmSync(work, { recursive: true, force: true }));

interface Run {
  code: number;
  stdout: string;
  /** stderr without the note an old Node.js prints first. */
  stderr: string;
}

async function cli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const code = await main([...args, '--out', out], env, {
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
  });
  return { code, stdout, stderr: stderr.replace(/^gamma-report: note: .*\n/, '') };
}

/** Every file under the output folder with a hash of its bytes. */
function snapshot(): Record<string, string> {
  const files = readdirSync(out, { recursive: true, encoding: 'utf8' }).sort();
  return Object.fromEntries(
    files
      .filter((f) => /\.\w+$/.test(f))
      .map((f) => [
        f,
        createHash('sha256')
          .update(readFileSync(join(out, f)))
          .digest('hex'),
      ]),
  );
}

function file(name: string, text: string): string {
  const path = join(work, name);
  writeFileSync(path, text);
  return path;
}

const SPX = readFixture('cboe_SPX_2023-09-14.csv');
const QQQ = readFixture('cboe_QQQ_2025-06-06.json');
const BTC = readFixture('deribit_BTC_2026-03-13.json');

/** The SPX download with each data row rewritten by `edit` (cells split at commas; puts are columns 13–22). */
function spxRows(edit: (cells: string[], index: number) => string[]): string {
  const lines = SPX.split('\n');
  const header = lines.findIndex((l) => l.startsWith('Expiration Date,'));
  return lines
    .map((l, i) => (i > header && l !== '' ? edit(l.split(','), i - header - 1).join(',') : l))
    .join('\n');
}

/** The SPX download with its `Last:` spot replaced. */
const spxWithSpot = (spot: string) => SPX.replace('Last: 4505.1001', `Last: ${spot}`);

type Rows = { result: Record<string, unknown>[] };
const btcDoc = () => JSON.parse(BTC) as Rows;

/** Runs one damaged file over a folder holding the good SPX report: refused on one line, nothing changed. */
async function expectRefused(path: string, rule: RegExp): Promise<void> {
  await cli(['--file', join(work, 'good.csv')]);
  const before = snapshot();
  expect(Object.keys(before)).toContain('SPX/2023-09-14.json');
  const run = await cli(['--file', path]);
  expect(run.code).toBe(1);
  const lines = run.stderr.split('\n').filter(Boolean);
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(new RegExp(`^gamma-report: failed: ${path} \\(file, stage validate\\): `));
  expect(lines[0]).toMatch(rule);
  expect(snapshot()).toEqual(before);
}

beforeEach(() => void writeFileSync(join(work, 'good.csv'), SPX));

describe('one-sided chains are refused (published 4.3× the real net GEX before)', () => {
  it('the SPX download with the put half of every row blanked', async () => {
    const blank = spxRows((c) => [...c.slice(0, 12), ...c.slice(12).map(() => '')]);
    await expectRefused(file('spx.csv', blank), /no put open interest: a one-sided chain is refused/);
  });

  it('the SPX download with every put’s open interest 0', async () => {
    const zero = spxRows((c) => [...c.slice(0, 21), '0']);
    await expectRefused(file('spx.csv', zero), /no put open interest: a one-sided chain is refused/);
  });

  it('the QQQ JSON with only its calls', async () => {
    const doc = JSON.parse(QQQ) as { data: { options: { option: string }[] } };
    doc.data.options = doc.data.options.filter((o) => /\d{6}C\d{8}$/.test(o.option));
    await expectRefused(file('qqq.json', JSON.stringify(doc)), /no put open interest: a one-sided chain/);
  });

  it('the BTC JSON with only its puts', async () => {
    const doc = btcDoc();
    doc.result = doc.result.filter((r) => String(r.instrument_name).endsWith('-P'));
    await expectRefused(file('btc.json', JSON.stringify(doc)), /no call open interest: a one-sided chain/);
  });
});

describe('a chain with almost no open interest is refused', () => {
  it('open interest kept on 2 of the SPX download’s 19,920 contracts (a book of 2 contracts before)', async () => {
    // Only the 2023-09-15 4500 call and put keep theirs (columns 11 and 22).
    const two = spxRows((c) =>
      c[1] === 'SPXW230915C04500000' ? c : [...c.slice(0, 10), '', ...c.slice(11, 21), ''],
    );
    await expectRefused(
      file('spx.csv', two),
      /only 2 of 19624 unexpired contracts \(0\.01%\) carry open interest; at least 5% is needed/,
    );
  });
});

describe('a spot that contradicts the chain is refused', () => {
  it.each([
    ['45.051', '-99.0%'],
    ['450510', '+9888.'],
    ['3505.1', '-22.3%'],
  ])('the SPX Last: line changed to %s', async (spot, gap) => {
    const shown = gap.replace('+', '');
    await expectRefused(
      file('spx.csv', spxWithSpot(spot)),
      new RegExp(
        `the spot ${spot} is ${shown.replace(/[.%]/g, (c) => `\\${c}`)}.* from the forward 4510\\.48 the chain implies for 2023-09-15 \\(at most 10%\\): the spot contradicts the chain`,
      ),
    );
  });

  it('a Cboe JSON current_price × 100', async () => {
    const doc = JSON.parse(QQQ) as { data: { current_price: number } };
    doc.data.current_price *= 100;
    await expectRefused(file('qqq.json', JSON.stringify(doc)), /the spot contradicts the chain/);
  });

  it('a Cboe JSON whose current_price key is repeated, the last value wrong (JSON.parse keeps the last)', async () => {
    const twice = QQQ.replace('"current_price":', '"current_price": 53079, "current_price":');
    expect(twice).not.toBe(QQQ);
    await expectRefused(
      file('qqq.json', twice),
      /the key "current_price" appears twice in data: which value holds is a guess, so the document is refused/,
    );
  });

  it('a Deribit answer with every estimated_delivery_price × 10', async () => {
    const doc = btcDoc();
    for (const r of doc.result) r.estimated_delivery_price = Number(r.estimated_delivery_price) * 10;
    await expectRefused(file('btc.json', JSON.stringify(doc)), /the spot contradicts the chain/);
  });

  it('publishes the spot as the median index when one Deribit row is later and wrong', async () => {
    const good = await cli(['--json', '--file', file('btc.json', BTC)]);
    const doc = btcDoc();
    const newest = Math.max(...doc.result.map((r) => Number(r.creation_timestamp)));
    doc.result[5]!.creation_timestamp = newest + 1000;
    doc.result[5]!.estimated_delivery_price = 7104.87;
    const damaged = await cli(['--json', '--file', file('btc-late.json', JSON.stringify(doc))]);
    const [a, b] = [good, damaged].map((r) => (JSON.parse(r.stdout) as ReportRecord[])[0]!) as [
      ReportRecord,
      ReportRecord,
    ];
    // The spot of the undamaged chain; only the snapshot second moved, and the sums with it by parts per million.
    expect(b.spot).toBe(a.spot);
    expect(b.asOf).toBe(new Date(newest + 1000).toISOString());
    expect(Math.abs(b.totals.netGex / a.totals.netGex - 1)).toBeLessThan(1e-4);
    expect(b.levels).toEqual(a.levels);
  });
});

describe('fields of one source that disagree are refused', () => {
  const asEth = (keep: string[]) => {
    const doc = btcDoc();
    for (const r of doc.result) {
      r.instrument_name = String(r.instrument_name).replace(/^BTC-/, 'ETH-');
      for (const field of ['base_currency', 'quote_currency', 'underlying_index']) {
        if (!keep.includes(field)) r[field] = String(r[field]).replace('BTC', 'ETH');
      }
    }
    return JSON.stringify(doc);
  };

  it('ETH instruments whose quote_currency and underlying_index still say BTC (published as ETH at BTC’s price)', async () => {
    await expectRefused(
      file('eth.json', asEth(['quote_currency', 'underlying_index'])),
      /result\[0\]: quote_currency "BTC" does not match the instrument "ETH-25DEC26-100000-C" \(quoted in ETH\)/,
    );
  });

  it('ETH instruments whose underlying_index alone still says BTC', async () => {
    await expectRefused(
      file('eth.json', asEth(['underlying_index'])),
      /result\[0\]: underlying_index "BTC-25DEC26" does not match the instrument "ETH-25DEC26-100000-C"/,
    );
  });
});

describe('live answers', () => {
  let upstream: Upstream;
  let body = '';
  beforeAll(async () => {
    upstream = await startUpstream((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(body);
    });
  });
  afterAll(() => upstream.close());
  const env = () => ({
    CBOE_BASE_URL: upstream.base,
    DERIBIT_BASE_URL: upstream.base,
    BYBIT_BASE_URL: upstream.base,
    OKX_BASE_URL: upstream.base,
    BINANCE_BASE_URL: upstream.base,
  });

  it('refuses a one-sided chain served live', async () => {
    const doc = JSON.parse(QQQ) as { timestamp: string; data: { options: { option: string }[] } };
    doc.timestamp = new Date().toISOString().slice(0, 19).replace('T', ' ');
    doc.data.options = doc.data.options.filter((o) => /\d{6}C\d{8}$/.test(o.option));
    body = JSON.stringify(doc);
    const run = await cli(['--live', 'QQQ'], env());
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /^gamma-report: failed: QQQ \(cboe, stage validate\): QQQ snapshot \S+: no put open interest: a one-sided chain is refused\n$/,
    );
  });

  it('refuses a Deribit answer whose rows are 72 hours old but one (the median row’s age counts)', async () => {
    const doc = btcDoc();
    const now = Date.now();
    doc.result.forEach((r, i) => (r.creation_timestamp = i === 0 ? now : now - 72 * HOUR_MS));
    body = JSON.stringify(doc);
    const run = await cli(['--live', 'BTC'], env());
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /^gamma-report: failed: BTC \(deribit, stage validate\): http:\S+: the median row was taken at \S+ \(the newest at \S+\), 72\.0 hours before this run; live crypto data older than 2 hours is refused as stale/,
    );
  });
});

describe('the store’s own records', () => {
  it('names and skips a record of SPY copied into SPX/, never taking it into SPX’s history', async () => {
    await cli([
      '--file',
      join(work, 'good.csv'),
      '--file',
      file('spy.json', readFixture('cboe_SPY_2025-06-06.json')),
    ]);
    // SPY's record filed as an SPX report of a day before, then SPX published again.
    copyFileSync(join(out, 'SPY', '2025-06-06.json'), join(out, 'SPX', '2023-09-13.json'));
    const run = await cli(['--file', join(work, 'good.csv')]);
    expect(run.code).toBe(0);
    expect(run.stderr).toContain(
      'gamma-report: warning: SPX/2023-09-13.json was ignored: it holds a record of SPY, not of SPX\n',
    );
    const history = JSON.parse(readFileSync(join(out, 'SPX', 'history.json'), 'utf8')) as { date: string }[];
    expect(history.map((p) => p.date)).toEqual(['2023-09-14']);
    const latest = JSON.parse(readFileSync(join(out, 'SPX', 'latest.json'), 'utf8')) as ReportRecord;
    expect(latest.change).toBeNull();
  });

  it('names and skips a record filed under another date', async () => {
    await cli(['--file', join(work, 'good.csv')]);
    copyFileSync(join(out, 'SPX', '2023-09-14.json'), join(out, 'SPX', '2023-09-01.json'));
    const run = await cli(['--file', join(work, 'good.csv')]);
    expect(run.stderr).toContain(
      'gamma-report: warning: SPX/2023-09-01.json was ignored: it holds the report of 2023-09-14, not of 2023-09-01\n',
    );
    const history = JSON.parse(readFileSync(join(out, 'SPX', 'history.json'), 'utf8')) as { date: string }[];
    expect(history.map((p) => p.date)).toEqual(['2023-09-14']);
  });
});

describe('publishing out of order', () => {
  it('brings the later report’s change, page and summary up to date when an earlier snapshot lands after it', async () => {
    const [may23, may26] = ['cboe_SPX_2023-05-23.csv', 'cboe_SPX_2023-05-26.csv'].map((n) =>
      file(n, readFixture(n)),
    ) as [string, string];
    await cli(['--file', may26]);
    expect(
      (JSON.parse(readFileSync(join(out, 'SPX', 'latest.json'), 'utf8')) as ReportRecord).change,
    ).toBeNull();
    const run = await cli(['--file', may23]);
    expect(run.code).toBe(0);
    // The same as when they are published in order.
    const inOrder = join(work, 'in-order');
    await main(
      ['--file', may23, '--file', may26, '--out', inOrder],
      {},
      { stdout: () => {}, stderr: () => {} },
    );
    for (const name of ['SPX/2023-05-26.json', 'SPX/latest.json', 'SPX/summary.json', 'SPX/history.json']) {
      expect({ name, text: readFileSync(join(out, name), 'utf8') }).toEqual({
        name,
        text: readFileSync(join(inOrder, name), 'utf8'),
      });
    }
    const latest = JSON.parse(readFileSync(join(out, 'SPX', 'latest.json'), 'utf8')) as ReportRecord;
    expect(latest.change!.previousAsOf).toBe('2023-05-23T23:39:00.000Z');
    expect(readFileSync(join(out, 'SPX', '2023-05-26.html'), 'utf8')).toBe(
      readFileSync(join(inOrder, 'SPX', '2023-05-26.html'), 'utf8'),
    );
  });
});
