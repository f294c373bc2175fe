// The README is the newcomer's map: it must name every option, key and variable the code reads, with the
// defaults the code uses, and every link in it and in docs/ must lead somewhere. The lists come from the code
// (the CLI's option table, the keys readConfig asks for, SETTINGS, the venue table), so a new flag or key
// without a line in the README fails here.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { CLI_OPTIONS } from '../bin/gamma-report';
import { SETTINGS, VENUES, type SettingKey } from '../lambda/contract';
import { readConfig } from '../lib/config';
import { ROOT } from './helpers';

const README = readFileSync(join(ROOT, 'README.md'), 'utf8');

/** The first two cells of each row of the first Markdown table after `heading` (header and rule left out). */
function table(markdown: string, heading: string): [string, string][] {
  const start = markdown.indexOf(`\n${heading}\n`);
  if (start < 0) throw new Error(`no heading "${heading}"`);
  const lines = markdown.slice(start).split('\n');
  const first = lines.findIndex((l) => l.startsWith('|'));
  const rows: [string, string][] = [];
  for (const line of lines.slice(first + 2)) {
    if (!line.startsWith('|')) break;
    const [first = '', second = ''] = line
      .slice(1, -1)
      .split('|')
      .map((c) => c.trim());
    rows.push([first, second]);
  }
  return rows;
}

describe('the README', () => {
  it('lists every CLI option in "The CLI", with its short form', () => {
    const cells = table(README, '## The CLI').map(([option]) => option);
    const expected = Object.entries(CLI_OPTIONS).map(
      ([name, o]) => `\`${'short' in o ? `-${o.short}, ` : ''}--${name}`,
    );
    for (const option of expected) expect(cells.filter((c) => c.startsWith(option))).toHaveLength(1);
    // No row for an option the CLI does not have (the first row is the no-option case).
    expect(cells.slice(1)).toHaveLength(expected.length);
  });

  it('lists every key a deployment reads in "Configuration", with the default the code falls back to', () => {
    const asked: string[] = [];
    const config = readConfig((key) => {
      asked.push(key);
      return undefined;
    });
    const rows = table(README, '### Configuration');
    const fallback = (key: string): unknown => {
      if (key in SETTINGS) return config.settings[key as SettingKey];
      const group = /^(equity|crypto)(Underlyings|Schedule|TimeZone)$/.exec(key);
      if (group) {
        const field = group[2] === 'TimeZone' ? 'timeZone' : String(group[2]).toLowerCase();
        return config.groups[group[1] as 'equity' | 'crypto'][field as 'schedule'];
      }
      return config[key as keyof typeof config];
    };
    // How a default reads in the table: `30`, `["SPX","SPY"]`, `classic`, or _(none)_ for an empty string.
    const written = (value: unknown) =>
      value === '' ? '_(none)_' : `\`${typeof value === 'string' ? value : JSON.stringify(value)}\``;
    expect(new Set(asked).size).toBeGreaterThan(20);
    for (const key of new Set(asked)) {
      const row = rows.find(([keys]) => keys.split(', ').includes(`\`${key}\``));
      expect({ key, row: row !== undefined }).toEqual({ key, row: true });
      const [keys, cell] = row ?? ['', ''];
      // A row of two keys ("`emailFrom`, `emailTo`") gives two defaults in the same order.
      const position = keys.split(', ').indexOf(`\`${key}\``);
      const defaults = keys.includes(', ') ? cell.split(', ') : [cell];
      expect({ key, default: /^(`[^`]*`|_\(none\)_)/.exec(defaults[position] ?? '')?.[0] }).toEqual({
        key,
        default: written(fallback(key)),
      });
    }
    const documented = rows.flatMap(([keys]) => keys.split(', ').map((k) => k.replace(/`/g, '')));
    expect(documented.filter((k) => !asked.includes(k))).toEqual([]);
    // cdk.json, the file a user edits, starts from the same defaults (watchlistFile aside: no file by default).
    const { context } = JSON.parse(readFileSync(join(ROOT, 'cdk.json'), 'utf8')) as {
      context: Record<string, unknown>;
    };
    for (const key of new Set(asked)) {
      if (key !== 'watchlistFile')
        expect({ key, value: context[key] }).toEqual({ key, value: fallback(key) });
    }
  });

  it('names every environment variable the CLI and the functions read, with the base URLs by default', () => {
    for (const setting of Object.values(SETTINGS)) expect(README).toContain(`\`${setting.variable}\``);
    for (const venue of Object.values(VENUES)) {
      expect(README).toContain(`\`${venue.api.baseUrlVariable}\``);
      expect(README).toContain(`\`${venue.api.baseUrl}\``);
    }
  });
});

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens. */
const anchor = (heading: string) =>
  heading
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, '')
    .replace(/ /g, '-');

describe('links in the README and docs/', () => {
  const files = [
    'README.md',
    ...readdirSync(join(ROOT, 'docs'))
      .filter((f) => f.endsWith('.md'))
      .map((f) => `docs/${f}`),
  ];

  it.each(files)('%s: every relative link leads to a file, and every #anchor to a heading in it', (file) => {
    const text = readFileSync(join(ROOT, file), 'utf8');
    const links = [...text.matchAll(/\]\(([^)\s]+)\)|<img src="([^"]+)"/g)].map((m) => m[1] ?? m[2] ?? '');
    const broken: string[] = [];
    for (const link of links.filter((l) => !/^[a-z]+:/.test(l))) {
      const [path = '', hash] = link.split('#');
      const target = path === '' ? join(ROOT, file) : join(ROOT, dirname(file), path);
      if (!existsSync(target)) {
        broken.push(`${link}: no file`);
        continue;
      }
      if (hash === undefined) continue;
      const headings = [...readFileSync(target, 'utf8').matchAll(/^#+ (.+)$/gm)].map((m) =>
        anchor(m[1] ?? ''),
      );
      if (!headings.includes(hash)) broken.push(`${link}: no heading with that anchor`);
    }
    expect(broken).toEqual([]);
  });
});
