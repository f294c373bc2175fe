import { createHash } from 'node:crypto';
import { publishReport } from '../../lambda/publish';
import { analyse } from '../../lambda/gamma/analyse';
import { S3Store, s3ClientFromEnv } from '../../lambda/store/s3-store';
import type { PutOptions } from '../../lambda/store/store';
import { loadFixture } from '../helpers';
import { startS3, type LocalS3 } from '../support/s3';

let s3: LocalS3;
beforeAll(async () => {
  s3 = await startS3();
});
afterAll(() => s3.close());

/** The bucket through the real SDK, counting its writes. */
class CountingS3Store extends S3Store {
  puts: string[] = [];
  async put(key: string, body: string, options: PutOptions): Promise<void> {
    this.puts.push(key);
    return super.put(key, body, options);
  }
}
const store = () => new CountingS3Store(s3ClientFromEnv({ S3_ENDPOINT: s3.endpoint }), s3.bucket);

describe('the S3 store', () => {
  it("lists each object with its bytes' MD5, from the listing's ETags", async () => {
    const s = store();
    await s.put('A/x.json', '{"a":"é"}', { contentType: 'application/json', cacheControl: 'no-cache' });
    const [listed] = await s.listed('A/');
    expect(listed!.key).toBe('A/x.json');
    await expect(listed!.md5()).resolves.toBe(createHash('md5').update('{"a":"é"}', 'utf8').digest('hex'));
  });

  it('writes nothing when the same snapshot is published again', async () => {
    const spy = analyse(loadFixture('cboe_SPY_2025-06-06.json'));
    const s = store();
    await publishReport(s, spy);
    expect(s.puts).toHaveLength(12);
    s.puts = [];
    await publishReport(s, spy);
    expect(s.puts).toEqual([]);
  });
});
