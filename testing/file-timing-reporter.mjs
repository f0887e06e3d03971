// A mocha reporter: spec's output, then the wall time each test file took, slowest first, to see
// what keeps the every-change suite under its 25 minutes. `npx mocha --reporter
// ./testing/file-timing-reporter.mjs …` (or `"reporter"` in a local .mocharc.json).
/* global console */
import Mocha from 'mocha';

export default class FileTimingReporter extends Mocha.reporters.Spec {
  constructor(runner, options) {
    super(runner, options);
    /** Milliseconds per file: from its first suite's start to the next file's, hooks included. */
    const byFile = new Map();
    let current;
    let since = Date.now();
    const charge = () => {
      if (current) byFile.set(current, (byFile.get(current) ?? 0) + Date.now() - since);
      since = Date.now();
    };
    runner.on('suite', (suite) => {
      if (!suite.file || suite.file === current) return;
      charge();
      current = suite.file;
    });
    runner.once('end', () => {
      charge();
      const rows = [...byFile].sort((a, b) => b[1] - a[1]);
      console.log('\n  seconds per test file, slowest first:');
      for (const [file, ms] of rows) console.log(`  ${(ms / 1000).toFixed(1).padStart(7)}  ${file}`);
    });
  }
}
