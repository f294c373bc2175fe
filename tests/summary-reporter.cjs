// Ends the test output with the plain line 'N passed, N failed, N skipped' that any CI reader understands,
// preceded by one 'skipped:' line per suite that left tests out, saying why (tests/prerequisites.cjs), so a
// skip is never silent. Written at exit so it comes after jest's own summary.
const { relative } = require('node:path');
const { inCI, SUITES } = require('./prerequisites.cjs');

class SummaryReporter {
  constructor(globalConfig) {
    this.rootDir = globalConfig.rootDir;
    this.namePattern = globalConfig.testNamePattern;
  }

  onRunComplete(_contexts, results) {
    const lines = [];
    for (const suite of results.testResults) {
      if (suite.numPendingTests === 0) continue;
      const file = relative(this.rootDir, suite.testFilePath).split('\\').join('/');
      // Under CI=true nothing is skipped for a missing prerequisite: the tests fail instead.
      const reasons = inCI() ? [] : (SUITES[file]?.() ?? []);
      if (this.namePattern) reasons.push(`tests not matching -t ${this.namePattern}`);
      const why = reasons.length > 0 ? reasons.join('; ') : 'no reason given (a .skip left in the code?)';
      lines.push(`skipped: ${suite.numPendingTests} in ${file}: ${why}`);
    }
    lines.push(
      `${results.numPassedTests} passed, ${results.numFailedTests} failed, ${results.numPendingTests} skipped`,
    );
    const text = `${lines.join('\n')}\n`;
    process.once('exit', () => process.stdout.write(text));
  }
}
module.exports = SummaryReporter;
