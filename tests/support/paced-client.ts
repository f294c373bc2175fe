/**
 * One of the run's concurrent functions, as a separate process (tests/live/pace.test.ts): its live config
 * from the environment as the Lambda builds it (MAX_CONCURRENCY, REQUESTS_PER_SECOND_CBOE, CBOE_BASE_URL),
 * then `REQUESTS` downloads of a Cboe chain through the HTTP helper and the venue's pacer, `LOOPS` at a time,
 * as fast as the pacer lets them.
 */
import { settingsFromEnv } from '../../lambda/contract';
import { liveConfigFromEnv, liveUrls } from '../../lambda/live/fetch';
import { fetchText } from '../../lambda/live/http';

const config = liveConfigFromEnv(process.env, settingsFromEnv(process.env));
const requests = Number(process.env.REQUESTS);
const loops = Number(process.env.LOOPS);
let left = requests;
async function loop() {
  while (left-- > 0) await fetchText(liveUrls('SPY', config)['chain']!, { pacer: config.pacers.cboe });
}
void Promise.all(Array.from({ length: loops }, loop));
