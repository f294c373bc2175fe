/**
 * The report bucket keys each function may read and write, as IAM object-key patterns (`*` any run of
 * characters, `/` included; `?` one character). They follow what the functions do today
 * (`lambda/publish.ts`): the underlying function owns its symbol's folder, `<SYM>/…`; the aggregate step
 * reads each symbol's `latest.json`, `history.json` and, to rebuild a missing history, its dated records, and
 * writes the one page at the root. `tests/handlers.test.ts` runs both handlers on s3rver and checks every key
 * they touch against these patterns, so a new file written by either fails there first.
 */
export const BUCKET_ACCESS = {
  underlying: {
    read: ['*/*'],
    write: ['*/*'],
  },
  aggregate: {
    read: ['*/latest.json', '*/history.json', '*/????-??-??.json'],
    write: ['index.html'],
  },
} as const;
