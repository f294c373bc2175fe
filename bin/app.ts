#!/usr/bin/env node
import { ConfigError } from '../lambda/contract';
import { createApp } from '../lib/app';

try {
  createApp();
} catch (e) {
  // A configuration mistake is the user's to fix: every bad key on its own line, no stack trace.
  if (!(e instanceof ConfigError)) throw e;
  for (const problem of e.problems) process.stderr.write(`${problem}\n`);
  process.exitCode = 1;
}
