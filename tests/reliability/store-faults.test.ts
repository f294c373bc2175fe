import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_ANALYSIS } from '../../lambda/gamma/analyse';
import type { RunFailure } from '../../lambda/failure';
import { analyseInput, publishInput, type Analysed } from '../../lambda/pipeline';
import { fileInput } from '../../lambda/readers/detect';
import { FsStore } from '../../lambda/store/fs-store';
import { fixturePath } from '../helpers';

/**
 * The local folder store on a disk that refuses writes: each failure names the folder and key in one line,
 * leaves no temporary file, and keeps what was there. Read-only and full disks are real tmpfs mounts (root
 * only: running as root makes chmod'ed folders writable, so permissions cannot stand in for them).
 */

const OPTS = { contentType: 'application/json', cacheControl: 'no-cache' };
const OLD = '{"old":true}';

let dir: string;
beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'gamma-disk-'))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Every file under a folder, with its bytes. */
function files(root: string): Record<string, string> {
  return Object.fromEntries(
    readdirSync(root, { recursive: true, withFileTypes: true })
      .filter((d) => d.isFile())
      .map((d) => [
        join(d.parentPath, d.name).slice(root.length + 1),
        readFileSync(join(d.parentPath, d.name), 'utf8'),
      ]),
  );
}

describe('without special rights', () => {
  it('names the folder and key when a file stands where a folder is expected', async () => {
    writeFileSync(join(dir, 'SPX'), 'not a folder');
    await expect(new FsStore(dir).put('SPX/latest.json', '{}', OPTS)).rejects.toThrow(
      `cannot write SPX/latest.json in the folder ${dir}: ENOTDIR: not a directory`,
    );
    expect(files(dir)).toEqual({ SPX: 'not a folder' });
  });

  it('removes its temporary file when the rename fails (a folder where the file goes)', async () => {
    mkdirSync(join(dir, 'SPX', 'latest.json', 'inside'), { recursive: true });
    await expect(new FsStore(dir).put('SPX/latest.json', '{}', OPTS)).rejects.toThrow(
      new RegExp(`^cannot write SPX/latest\\.json in the folder ${dir}: (EISDIR|ENOTEMPTY|EEXIST)`),
    );
    expect(readdirSync(join(dir, 'SPX'))).toEqual(['latest.json']);
  });

  it('fails at once under /proc, where a recursive mkdir would spin forever', async () => {
    const store = new FsStore('/proc/gamma-report-test/out');
    await expect(store.checkWritable()).rejects.toThrow(
      'cannot write in the folder /proc/gamma-report-test/out: ENOENT: no such file or directory',
    );
    await expect(store.put('SPX/latest.json', '{}', OPTS)).rejects.toThrow(/^cannot write SPX\/latest\.json/);
  }, 5000);

  it('checks a writable folder, creating it, and leaves nothing behind', async () => {
    const store = new FsStore(join(dir, 'a', 'b'));
    await store.checkWritable();
    expect(readdirSync(join(dir, 'a', 'b'))).toEqual([]);
  });

  it('names a path with control characters on one line', async () => {
    const root = join(dir, 'x\n\u001b[31m');
    writeFileSync(root, '');
    const error = (await new FsStore(root).checkWritable().catch((e: unknown) => e)) as Error;
    expect(error.message).toBe(`cannot write in the folder ${dir}/x\\n\\u001b[31m: ENOTDIR: not a directory`);
  });
});

/** Mounts a small tmpfs on `at`; false when this machine does not allow it (not root, no CAP_SYS_ADMIN). */
function mountTmpfs(at: string, options: string): boolean {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', options, 'gamma-test', at], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
const probe = mkdtempSync(join(tmpdir(), 'gamma-mount-'));
const canMount = mountTmpfs(probe, 'size=64k');
if (canMount) execFileSync('umount', [probe]);
rmSync(probe, { recursive: true, force: true });
if (!canMount) console.warn('Store fault tests on tmpfs left out: mounting needs root (CAP_SYS_ADMIN).');

(canMount ? describe : describe.skip)('on a real read-only or full disk (a tmpfs mount)', () => {
  let disk: string;
  beforeEach(() => {
    disk = join(dir, 'disk');
    mkdirSync(disk);
  });
  afterEach(() => execFileSync('umount', ['-l', disk]));

  /** A mount holding SPX/latest.json, made read-only when asked. */
  function seed(options: string, readOnly: boolean) {
    expect(mountTmpfs(disk, options)).toBe(true);
    mkdirSync(join(disk, 'SPX'));
    writeFileSync(join(disk, 'SPX', 'latest.json'), OLD);
    if (readOnly) execFileSync('mount', ['-o', 'remount,ro', disk]);
  }

  it('refuses a write on a read-only disk, naming folder and key, and keeps the old file', async () => {
    seed('size=1m', true);
    await expect(new FsStore(disk).put('SPX/latest.json', '{"new":true}', OPTS)).rejects.toThrow(
      `cannot write SPX/latest.json in the folder ${disk}: EROFS: read-only file system`,
    );
    await expect(new FsStore(disk).checkWritable()).rejects.toThrow(/EROFS/);
    expect(files(disk)).toEqual({ 'SPX/latest.json': OLD });
  });

  it('removes the partial temporary file on a full disk, and keeps the old file', async () => {
    seed('size=64k', false);
    await expect(new FsStore(disk).put('SPX/latest.json', 'x'.repeat(512 * 1024), OPTS)).rejects.toThrow(
      `cannot write SPX/latest.json in the folder ${disk}: ENOSPC: no space left on device`,
    );
    expect(files(disk)).toEqual({ 'SPX/latest.json': OLD });
  });

  it('ends each underlying published to a full disk in its own PublishFailed line', async () => {
    seed('size=64k', false);
    const store = new FsStore(disk);
    const names = ['cboe_SPX_2023-09-14.csv', 'cboe_SPY_2025-06-06.json'];
    const failures = await Promise.all(
      names.map(async (name) => {
        const input = fileInput(fixturePath(name));
        const [analysed] = await analyseInput(input, DEFAULT_ANALYSIS);
        return publishInput(analysed as Analysed, store, { analysis: DEFAULT_ANALYSIS }).then(
          () => null,
          (e: unknown) => e as RunFailure,
        );
      }),
    );
    expect(failures.map((f) => [f?.name, f?.message])).toEqual([
      [
        'PublishFailed',
        `${fixturePath(names[0]!)} (file, stage publish): cannot write SPX/2023-09-14.json in the folder ${disk}: ENOSPC: no space left on device`,
      ],
      [
        'PublishFailed',
        `${fixturePath(names[1]!)} (file, stage publish): cannot write SPY/2025-06-06.json in the folder ${disk}: ENOSPC: no space left on device`,
      ],
    ]);
    expect(files(disk)).toEqual({ 'SPX/latest.json': OLD });
  });
});
