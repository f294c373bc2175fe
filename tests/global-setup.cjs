// The CLI tests run the bundle a user runs (dist/gamma-report.js), so build it once before them.
const { execFileSync } = require('node:child_process');
const path = require('node:path');

module.exports = async () => {
  // The workers inherit this: the AWS SDK's notice about older Node.js lines would otherwise repeat in every
  // suite that loads it. The CLI's own note (tests/cli.test.ts) and the README name the supported line.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  execFileSync(process.execPath, [path.join(__dirname, '..', 'scripts', 'build.mjs')], { stdio: 'inherit' });
};
