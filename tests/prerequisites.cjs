// What a suite needs from the machine beyond node_modules, checked the same way by the suite (to skip what
// cannot run) and by the summary reporter (to say why). Outside CI a missing piece skips the tests that need
// it; under CI=true they run and fail, naming what is missing.
const { existsSync } = require('node:fs');
const { spawnSync } = require('node:child_process');

const inCI = () => process.env.CI === 'true';

/** Debian's Chromium, driven by playwright-core; CHROMIUM_PATH points elsewhere (or nowhere, to try the skip). */
const chromiumPath = () => process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** The Java that runs the Nu HTML checker (vnu-jar); JAVA_PATH overrides the one on PATH. */
const javaCommand = () => process.env.JAVA_PATH ?? 'java';

/** Why the browser cannot start, or null. */
function missingChromium() {
  const path = chromiumPath();
  return existsSync(path) ? null : `Chromium missing: ${path} does not exist (apt-get install -y chromium)`;
}

/** Why the Nu HTML checker cannot run, or null. */
function missingJava() {
  const run = spawnSync(javaCommand(), ['-version'], { encoding: 'utf8' });
  if (!run.error && run.status === 0) return null;
  const why = run.error ? run.error.code : `exit ${run.status}`;
  return `Java missing for the Nu HTML checker: ${javaCommand()} -version failed (${why}; apt-get install -y default-jre-headless)`;
}

/** Per test file (from the repository root): why some of its tests may be skipped on this machine. */
const SUITES = {
  'tests/browser/pages.test.ts': () => [missingChromium(), missingJava()].filter((why) => why !== null),
};

module.exports = { inCI, chromiumPath, javaCommand, missingChromium, missingJava, SUITES };
