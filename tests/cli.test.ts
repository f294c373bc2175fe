import { binancePaths, bybitAnswer } from './live/venue-answers';
import { spawn } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nodeNotice } from '../bin/gamma-report';
import type { ReportRecord } from '../lambda/types';
import { engines } from '../package.json';
import { fixturePath, readFixture, ROOT } from './helpers';
import { shapeProblems } from './record-shape';

const CLI = join(ROOT, 'dist', 'gamma-report.js');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the built CLI as a user would, in a folder of its own, with no network but what `env` points at. */
function gammaReport(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd,
      env: {
        PATH: process.env.PATH,
        CBOE_BASE_URL: 'http://127.0.0.1:9/',
        DERIBIT_BASE_URL: 'http://127.0.0.1:9/',
        BYBIT_BASE_URL: 'http://127.0.0.1:9/',
        OKX_BASE_URL: 'http://127.0.0.1:9/',
        BINANCE_BASE_URL: 'http://127.0.0.1:9/',
        ...env,
      },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => {
      // On a Node.js older than package.json's `engines` every run opens with one note, and only then: not
      // with --help, --json or a usage error (exit 2), which start no run.
      const note =
        /^gamma-report: note: Node\.js v[\d.]+ is older than the supported \d+ .*; continuing\n/.exec(stderr);
      const quiet = code === 2 || args.some((a) => ['--help', '-h', '--json'].includes(a));
      if ((OLD_NODE && !quiet) !== (note !== null))
        reject(new Error(`the Node.js note is ${note ? 'there' : 'missing'}: ${stderr}`));
      resolve({ code, stdout, stderr: note ? stderr.slice(note[0].length) : stderr });
    });
  });
}

const OLD_NODE = Number(process.versions.node.split('.')[0]) < Number(/\d+/.exec(engines.node)![0]);

describe('the Node.js note', () => {
  it('names an older Node.js and the supported line, and says nothing on a supported one', () => {
    expect(nodeNotice('v20.20.2', '>=22')).toBe(
      'gamma-report: note: Node.js v20.20.2 is older than the supported 22 (Node.js 22 or 24 LTS; the deployed functions run 24); continuing\n',
    );
    expect(nodeNotice('v21.7.3', '>=22')).toMatch(/v21\.7\.3 is older than the supported 22/);
    expect(nodeNotice('v22.0.0', '>=22')).toBeNull();
    expect(nodeNotice('v24.11.1', '>=22')).toBeNull();
  });
});

const readJson = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as ReportRecord;

let cwd: string;
beforeEach(() => {
  cwd = mkdtempSync(join(tmpdir(), 'gamma-cli-'));
});
afterEach(() => rmSync(cwd, { recursive: true, force: true }));

describe('gamma-report with no arguments', () => {
  it('analyses the bundled samples into ./out, prints the summary and where the index is', async () => {
    const run = await gammaReport([], cwd);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const out = join(cwd, 'out');
    expect(readdirSync(out).sort()).toEqual([
      'BTC',
      'BTC-BYBIT',
      'ETH',
      'SPX',
      'SPY',
      'index.html',
      'screener.csv',
      'screener.json',
    ]);
    expect(readdirSync(join(out, 'SPX')).sort()).toEqual(
      ['2023-05-19', '2023-05-23', '2023-05-26', '2023-06-08', '2023-06-09', '2023-09-14']
        .flatMap((d) => [`${d}.html`, `${d}.json`, `${d}.levels.csv`, `${d}.pine`])
        .concat(['history.json', 'index.html', 'summary.json', 'latest.html', 'latest.json'])
        .concat(['levels.csv', 'levels.pine', 'evidence.json'])
        .sort(),
    );
    const latest = readJson(join(out, 'SPX', 'latest.json'));
    expect(latest).toEqual(readJson(join(out, 'SPX', '2023-09-14.json')));
    expect(readFileSync(join(out, 'SPX', 'latest.html'), 'utf8')).toContain('<h1>SPX');
    const index = readFileSync(join(out, 'index.html'), 'utf8');
    for (const sym of ['BTC', 'BTC-BYBIT', 'ETH', 'SPX', 'SPY'])
      expect(index).toContain(`href="${sym}/latest.html"`);

    const lines = run.stdout.split('\n');
    expect(lines[0]).toMatch(
      /^SYMBOL +DATE +SPOT +NET GEX\/1% +FLIP \(SPOT−FLIP\) +REGIME +TILT +CALL WALL +PUT WALL +EXP\. MOVE +SINCE PREVIOUS$/,
    );
    // SPX 2023-09-14: tilt 16.1 / (196.4 + 180.3) = +0.04; expected move 4,505.10 × 9.83% × √T, T the 23.5 hours
    // to 09-15 16:00 ET.
    expect(lines.find((l) => /^SPX +2023-09-14/.test(l))).toMatch(
      /4,505\.10 +\+\$16\.1bn +4,494\.\d\d \(\+0\.24%\) +positive +\+0\.04 +4,525 +4,500 +±0\.51% to 09-15 \(23 h\) +last report 97 days earlier$/,
    );
    // SPX 2023-06-09 (13:40) follows the 06-08 close by one session: recent enough, so its change is shown.
    expect(lines.find((l) => /^SPX +2023-06-09/.test(l))).toMatch(
      /±0\.29% to 06-09 \(2 h\) +net GEX \+\$12\.9bn, flip \+8\.47$/,
    );
    expect(run.stdout).toContain(`Index (5 underlyings): ${join(out, 'index.html')}`);
    // The README's Quick start shows this table as what a newcomer will see.
    const shown =
      /`npm start` prints[^`]*`[^`]*`[^\n]*\n\n```\n([\s\S]*?)```/.exec(
        readFileSync(join(ROOT, 'README.md'), 'utf8'),
      )?.[1] ?? 'no such block in the README';
    expect(run.stdout.slice(0, shown.length)).toBe(shown);
  });
});

describe('--json', () => {
  it('prints only a JSON array of the full records, equal to the files written', async () => {
    const run = await gammaReport(['--json', '--out', 'o'], cwd);
    expect(run.code).toBe(0);
    const records = JSON.parse(run.stdout) as ReportRecord[];
    expect(records).toHaveLength(11);
    for (const r of records) {
      const written = readdirSync(join(cwd, 'o', r.symbol))
        .filter((f) => /^\d{4}-\d\d-\d\d\.json$/.test(f))
        .map((f) => readJson(join(cwd, 'o', r.symbol, f)));
      expect(written.filter((x) => x.asOf === r.asOf)).toEqual([r]);
    }
  });

  it('returns a record that follows docs/methodology.md §7 exactly for every recorded chain', async () => {
    const files = readdirSync(join(ROOT, 'samples'))
      .concat(readdirSync(join(ROOT, 'tests', 'fixtures', 'chains')))
      .filter((f) => /\.(csv|json)$/.test(f));
    expect(files).toHaveLength(20);
    const needAsOf = ['cboe_SPX_2022-03-23_intraday.csv', 'cboe_SPY_2022-04-01_dataobject.json'];
    const plain = await gammaReport(
      ['--json', ...files.filter((f) => !needAsOf.includes(f)).flatMap((f) => ['--file', fixturePath(f)])],
      cwd,
    );
    const withAsOf = await gammaReport(
      ['--json', '--as-of', '2022-03-23T14:11:00Z', ...needAsOf.flatMap((f) => ['--file', fixturePath(f)])],
      cwd,
    );
    expect([plain.code, withAsOf.code]).toEqual([0, 0]);
    const records = [...JSON.parse(plain.stdout), ...JSON.parse(withAsOf.stdout)] as ReportRecord[];
    expect(records).toHaveLength(20);
    for (const r of records) expect(shapeProblems(r as unknown as Record<string, unknown>)).toEqual([]);
  });
});

describe('bad input', () => {
  const oneLine = (stderr: string) => {
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).not.toMatch(/\n\s+at /);
  };

  it('names a CSV whose Date line it cannot read and asks for --as-of, in one line', async () => {
    const file = fixturePath('cboe_SPX_2022-03-23_intraday.csv');
    const run = await gammaReport(['--file', file], cwd);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      `gamma-report: failed: ${file} (file, stage validate): line 3, "Date: 23 de marzo de 2022, 10:11 GMT-4"`,
    );
    expect(run.stderr).toContain('pass --as-of');
    oneLine(run.stderr);
  });

  it('names a chain with no timestamp and asks for --as-of', async () => {
    const file = fixturePath('cboe_SPY_2022-04-01_dataobject.json');
    const run = await gammaReport(['--file', file], cwd);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /failed: .*cboe_SPY_2022-04-01_dataobject\.json \(file, stage validate\): the chain has no snapshot time.*--as-of/,
    );
    oneLine(run.stderr);
  });

  it.each([
    [
      'a missing file',
      'nope.csv',
      /^gamma-report: failed: nope\.csv \(file, stage read\): ENOENT: no such file or directory, open 'nope\.csv'$/m,
    ],
    [
      'an unknown format',
      'notes.txt',
      /failed: notes\.txt \(file, stage validate\): unknown format: expected a Cboe/,
    ],
    [
      'an empty file',
      'empty.csv',
      /failed: empty\.csv \(file, stage validate\): the file is empty: no chain to read$/m,
    ],
    [
      'a folder',
      'folder',
      /failed: folder \(file, stage read\): a folder, not a file: give each chain file with its own -f$/m,
    ],
  ])('names %s', async (_, name, message) => {
    writeFileSync(join(cwd, 'notes.txt'), 'just some notes\n');
    writeFileSync(join(cwd, 'empty.csv'), '\n');
    mkdirSync(join(cwd, 'folder'));
    const run = await gammaReport(['--file', name], cwd);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(message);
    oneLine(run.stderr);
  });

  it('still writes the good chains when one fails, and exits 1', async () => {
    const good = join(cwd, 'spy.json');
    copyFileSync(fixturePath('cboe_SPY_2025-06-06.json'), good);
    const run = await gammaReport(['--file', 'missing.json', '--file', good], cwd);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('missing.json');
    expect(readJson(join(cwd, 'out', 'SPY', 'latest.json')).symbol).toBe('SPY');
    expect(readFileSync(join(cwd, 'out', 'index.html'), 'utf8')).toContain('SPY/latest.html');
  });

  it.each([
    [['--frobnicate'], /^gamma-report: "--frobnicate" is not an option\n/],
    [['--positioning', 'bullish'], /--positioning: "bullish" is not one of classic, dealer-short/],
    [['--as-of', 'yesterday'], /--as-of: "yesterday" is not an ISO 8601 instant/],
    [['--live', 'SPX,,BTC'], /--live: "" is not a ticker symbol/],
    [['--symbol', 'S P X'], /--symbol: "S P X" is not a ticker symbol/],
    [['--symbol', '..'], /--symbol: "\.\." is not a ticker symbol/],
    [
      ['stray.csv'],
      /^gamma-report: "stray\.csv" is not an option: files go after -f, symbols after --live\n/,
    ],
    [['--file'], /^gamma-report: -f, --file: no value given\n/],
    [['-f'], /^gamma-report: -f, --file: no value given\n/],
    [['--max-age', '0'], /--max-age: "0" is not a positive number of hours/],
    // Once "argument is ambiguous" over three lines: the value's own check now speaks.
    [['--max-age', '-1'], /^gamma-report: --max-age: "-1" is not a positive number of hours\n/],
    [['--live', 'ſpy'], /^gamma-report: --live: "ſpy" is not a ticker symbol \(ASCII letters/],
    [['--live', 'SPY\u200b'], /^gamma-report: --live: "SPY\\u200b" is not a ticker symbol/],
    [
      ['--as-of', '2023-09-14T20:31:00+25:00'],
      /--as-of: "2023-09-14T20:31:00\+25:00" has the offset \+25:00: real offsets lie between -12:00 and \+14:00/,
    ],
    [['--as-of', '2023-09-14T20:31:00+14:60'], /has the offset \+14:60/],
    [['--site-url', 'reports.example.com'], /--site-url: "reports.example.com" is not an http\(s\) URL/],
    [['--replace'], /^gamma-report: --replace: only with --backfill$/m],
    [
      ['--backfill', 'x', '--file', 'y.csv', '--json'],
      /^gamma-report: --backfill: not with --file, --json \(a backfill publishes its files' own snapshots\)$/m,
    ],
    [['--backfill', 'nowhere'], /^gamma-report: --backfill: cannot read nowhere \(ENOENT\)$/m],
    [
      ['--backfill', '.'],
      /^gamma-report: --backfill: \. holds no \.csv, \.json, \.csv\.gz or \.json\.gz file$/m,
    ],
  ])('exits 2 on the usage error %j', async (args, message) => {
    const run = await gammaReport(args, cwd);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(run.stderr.split('\n')).toEqual([expect.any(String), 'Run gamma-report --help for usage.', '']);
    expect(run.stdout).toBe('');
    expect(existsSync(join(cwd, 'out'))).toBe(false);
  });

  it('prints usage with --help and exits 0', async () => {
    const run = await gammaReport(['--help'], cwd);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Usage: gamma-report \[options\]/);
    for (const flag of [
      '--file',
      '--live',
      '--max-age',
      '--out',
      '--as-of',
      '--symbol',
      '--positioning',
      '--json',
      '--backfill',
      '--replace',
    ]) {
      expect(run.stdout).toContain(flag);
    }
  });
});

describe('output paths are checked before any work, and echoed arguments stay on one line', () => {
  const usage = async (args: string[], message: RegExp) => {
    const run = await gammaReport(args, cwd);
    expect({ code: run.code, stderr: run.stderr }).toEqual({
      code: 2,
      stderr: expect.stringMatching(message),
    });
    expect(run.stderr.split('\n')).toEqual([expect.any(String), 'Run gamma-report --help for usage.', '']);
    // Nothing was analysed or published.
    expect(existsSync(join(cwd, 'out', 'index.html'))).toBe(false);
  };

  it('refuses --email-preview under /proc at once (it once spun forever after publishing)', async () => {
    await usage(
      ['--email-preview', '/proc/x'],
      /^gamma-report: --email-preview: cannot write in the folder \/proc\/x: ENOENT/,
    );
  });

  it('refuses --email-preview at a file, or where email.html is a folder, naming the flag', async () => {
    writeFileSync(join(cwd, 'a-file'), '');
    await usage(
      ['--email-preview', 'a-file'],
      /^gamma-report: --email-preview: cannot write in the folder .*a-file: ENOTDIR/,
    );
    mkdirSync(join(cwd, 'mail', 'email.html'), { recursive: true });
    await usage(
      ['--email-preview', 'mail'],
      /^gamma-report: --email-preview: cannot write .*mail\/email\.html: a folder is in the way\n/,
    );
  });

  it.each([
    ['--email-preview', '/proc/x\n\u001b[31mgamma-report: failed: forged'],
    ['--watchlist', 'w\n\u001b[31mgamma-report: failed: forged'],
    ['--live', 'SPY\n\u001b[31mgamma-report: failed: forged'],
  ])(
    'escapes a newline and an ANSI escape in %s, so no forged failed: line is printed',
    async (flag, value) => {
      const run = await gammaReport([flag, value], cwd);
      expect(run.code).toBe(2);
      expect(run.stderr).toContain('\\n\\u001b[31mgamma-report: failed: forged');
      expect(run.stderr).not.toContain('\u001b');
      expect(run.stderr).not.toMatch(/^gamma-report: failed/m);
    },
  );

  it('shows an invisible character of a watchlist line as an escape', async () => {
    writeFileSync(join(cwd, 'w.txt'), 'SPY\nQQQ\u200b\n\u017fpy\n');
    const run = await gammaReport(['--watchlist', 'w.txt'], cwd);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      'gamma-report: w.txt:2: "QQQ\\u200b" is not a ticker symbol (one symbol a line, # for comments)\n' +
        'gamma-report: w.txt:3: "\u017fpy" is not a ticker symbol (one symbol a line, # for comments)\n',
    );
  });
});

describe('options', () => {
  it('writes the email it would send with --email-preview, links pointing at --site-url', async () => {
    const run = await gammaReport(
      ['--email-preview', 'mail', '--site-url', 'https://reports.example.com'],
      cwd,
    );
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`Email preview: ${join(cwd, 'mail', 'email.html')}`);
    const subject = readFileSync(join(cwd, 'mail', 'subject.txt'), 'utf8');
    // The bundled history holds BTC two years apart and SPX three months apart: too old to compare, so no
    // "broke the wall" alert fires; the email says how old the previous report is instead.
    expect(subject).toMatch(
      /^BTC \+\$46\.5m γ · flip 68,007 \(\+4\.3%\) · BTC-BYBIT \+\$587\.5k γ · flip 84,383 \(\+0\.2%\) · ETH .* · SPX \+\$16\.1bn γ · flip 4,494 \(\+0\.2%\) · SPY .*\n$/,
    );
    const text = readFileSync(join(cwd, 'mail', 'email.txt'), 'utf8');
    expect(text).toContain('Report: https://reports.example.com/SPX/latest.html');
    expect(text).toContain('The previous report is 731 days earlier: too old to compare.');
    expect(readFileSync(join(cwd, 'mail', 'email.html'), 'utf8')).toContain(
      'href="https://reports.example.com/BTC/latest.json"',
    );
  });

  it('overrides the snapshot with --as-of and the symbol with --symbol', async () => {
    const run = await gammaReport(
      [
        '--json',
        '--file',
        fixturePath('deribit_ETH_2025-11-22.csv'),
        '--as-of',
        '2025-11-22T03:00:00+01:00',
        '--symbol',
        'eth2',
      ],
      cwd,
    );
    expect(run.code).toBe(0);
    const [record] = JSON.parse(run.stdout) as ReportRecord[];
    expect(record).toMatchObject({ symbol: 'ETH2', asOf: '2025-11-22T02:00:00.000Z' });
    expect(existsSync(join(cwd, 'out', 'ETH2', '2025-11-22.json'))).toBe(true);
  });

  describe('--live against a local server', () => {
    let server: Server;
    let base: string;
    beforeAll(async () => {
      const binance = binancePaths(0.05, '/n');
      server = createServer((req, res) => {
        if (req.url === '/c/SPY.json') res.writeHead(200).end(readFixture('cboe_SPY_2025-06-06.json'));
        else if (req.url === '/d/public/get_book_summary_by_currency?currency=BTC&kind=option') {
          res.writeHead(200).end(readFixture('deribit_BTC_2026-03-13.json'));
        } else if (req.url === '/b/v5/market/tickers?category=option&baseCoin=BTC') {
          res.writeHead(200).end(bybitAnswer(0.1));
        } else if (binance[req.url ?? ''] !== undefined) {
          res.writeHead(200).end(binance[req.url ?? '']);
        } else res.writeHead(404).end();
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    afterAll(() => new Promise((resolve) => server.close(resolve)));

    it('downloads each symbol from the base URLs in the environment, with the chosen positioning', async () => {
      // The recorded chains are months old: --max-age lets them through (this test is about downloading).
      const args = ['--live', 'spy,BTC', '--positioning', 'dealer-short', '--max-age', '100000', '--json'];
      const run = await gammaReport(args, cwd, {
        CBOE_BASE_URL: `${base}/c`,
        DERIBIT_BASE_URL: `${base}/d`,
        BYBIT_BASE_URL: `${base}/b`,
        OKX_BASE_URL: `${base}/o`,
        BINANCE_BASE_URL: `${base}/n`,
      });
      // BTC is the book of every crypto venue (docs/methodology.md §17): OKX, not found here, is left out and named.
      expect(run.stderr).toMatch(
        /^gamma-report: warning: BTC book: OKX left out: GET http:\/\/127\.0\.0\.1:\d+\/o\/api\/v5\/\S+ failed: HTTP 404 Not Found\n$/,
      );
      expect(run.code).toBe(0);
      const records = JSON.parse(run.stdout) as ReportRecord[];
      expect(records[1]!.venues?.map((v) => v.venue)).toEqual(['deribit', 'bybit', 'binance']);
      expect(records.map((r) => [r.symbol, r.source, r.assumptions.positioning])).toEqual([
        ['SPY', 'cboe', 'dealer-short'],
        ['BTC', 'deribit', 'dealer-short'],
      ]);
      expect(records.every((r) => r.totals.callGex < 0 && r.totals.putGex < 0)).toBe(true);
    });

    it('refuses live snapshots older than the age limits, one line each, and writes nothing', async () => {
      const run = await gammaReport(['--live', 'SPY,BTC'], cwd, {
        CBOE_BASE_URL: `${base}/c`,
        DERIBIT_BASE_URL: `${base}/d`,
        BYBIT_BASE_URL: `${base}/b`,
        OKX_BASE_URL: `${base}/o`,
        BINANCE_BASE_URL: `${base}/n`,
      });
      expect(run.code).toBe(1);
      const lines = run.stderr.trim().split('\n');
      expect(lines).toHaveLength(2);
      expect(lines[0]).toMatch(
        /^gamma-report: failed: SPY \(cboe, stage validate\): http:\/\/127\.0\.0\.1:\d+\/c\/SPY\.json: the snapshot was taken at 2025-06-08T12:49:38Z, \d+\.\d hours before this run; live equity data older than 36 hours is refused as stale/,
      );
      expect(lines[1]).toMatch(
        /^gamma-report: failed: BTC \(deribit, stage validate\): .* older than 2 hours/,
      );
      expect(existsSync(join(cwd, 'out', 'SPY'))).toBe(false);
      expect(existsSync(join(cwd, 'out', 'BTC'))).toBe(false);
    });

    it('names the symbol, source, stage and URL that failed, and exits 1', async () => {
      const run = await gammaReport(['--live', 'QQQ'], cwd, { CBOE_BASE_URL: `${base}/c` });
      expect(run.code).toBe(1);
      expect(run.stderr).toBe(
        `gamma-report: failed: QQQ (cboe, stage fetch): GET ${base}/c/QQQ.json failed: HTTP 404 Not Found\n`,
      );
    });
  });
});

describe('--backfill', () => {
  const SERIES = join(ROOT, 'samples', 'series', 'deribit');

  it('publishes a folder of snapshots oldest first, says what it did, and skips them when run again', async () => {
    const folder = join(cwd, 'snapshots');
    mkdirSync(folder);
    // Three days, copied in under names that sort against their dates.
    const names = readdirSync(SERIES).sort().slice(0, 3);
    names.forEach((name, i) => copyFileSync(join(SERIES, name), join(folder, `${3 - i}-${name}`)));
    writeFileSync(join(folder, 'SOURCES.md'), 'not a chain');
    const run = await gammaReport(['--backfill', 'snapshots', '--out', 'site'], cwd);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const lines = run.stdout.split('\n');
    expect(lines[0]).toMatch(
      /^Backfilled 6 snapshots of 2 underlyings from 3 files in \d+\.\d s; 0 skipped, 0 failed\.$/,
    );
    expect(lines.slice(1, 3)).toEqual([
      'BTC  3 published, 2025-12-30 to 2026-01-01.  Not enough history: 2 pairs of reports, 20 needed.',
      'ETH  3 published, 2025-12-30 to 2026-01-01.  Not enough history: 2 pairs of reports, 20 needed.',
    ]);
    expect(lines.at(-2)).toBe(`Index (2 underlyings): ${join(cwd, 'site', 'index.html')}`);
    const latest = readJson(join(cwd, 'site', 'BTC', 'latest.json'));
    expect(latest.asOf).toBe('2026-01-01T21:19:18.567Z');
    expect(latest.change!.previousAsOf).toBe('2025-12-31T21:18:43.878Z');
    expect(JSON.parse(readFileSync(join(cwd, 'site', 'BTC', 'evidence.json'), 'utf8')).pairs).toBe(2);

    const again = await gammaReport(['--backfill', 'snapshots', '--out', 'site'], cwd);
    expect(again.code).toBe(0);
    expect(again.stdout.split('\n')[0]).toMatch(
      /^Backfilled 0 snapshots of 0 underlyings from 3 files .*; 6 skipped, 0 failed\.$/,
    );
    expect(again.stdout).toContain(
      `skipped: BTC 2025-12-30 (${join('snapshots', `3-${names[0]}`)}): already published (--replace publishes it again)`,
    );
  });
});
