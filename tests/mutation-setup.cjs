// Used only by mutation runs (stryker.config.mjs): a mutant needs a failing test, not the smallest
// counterexample, so fast-check stops at the first failure instead of shrinking it, which can outlast
// Stryker's timeout and would count a caught mutant as a timeout.
require('fast-check').configureGlobal({ endOnFailure: true });

// The tests that read every recorded chain (tests/helpers.ts, `mutationSubset`) read one chain of each layout and
// each way of writing Cboe's date line: a mutant that changes how any of them reads still meets it, and the
// readers' scopes fit the 30-minute budget. `npm test` reads all of them.
process.env.GAMMA_MUTATION_RUN = '1';
