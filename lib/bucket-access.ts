/**
 * The report bucket keys each function may read and write, as IAM object-key patterns (`*` any run of
 * characters, `/` included; `?` one character). They follow what the functions do today
 * (`lambda/publish.ts`): the underlying function owns its symbol's folder, `<SYM>/…`; the aggregate step
 * reads each symbol's `summary.json` (and, for a short watchlist's email, its `latest.json`) and writes the
 * screener at the root: the page, its JSON and its CSV. `tests/handlers.test.ts` runs both handlers on s3rver and checks every key
 * they touch against these patterns, so a new file written by either fails there first.
 */
export const BUCKET_ACCESS = {
  underlying: {
    read: ['*/*'],
    write: ['*/*'],
  },
  aggregate: {
    read: ['*/summary.json', '*/latest.json'],
    write: ['index.html', 'screener.json', 'screener.csv'],
  },
} as const;
