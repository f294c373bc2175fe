// Used only by mutation runs (stryker.config.mjs): a mutant needs a failing test, not the smallest
// counterexample, so fast-check stops at the first failure instead of shrinking it, which can outlast
// Stryker's timeout and would count a caught mutant as a timeout.
require('fast-check').configureGlobal({ endOnFailure: true });
