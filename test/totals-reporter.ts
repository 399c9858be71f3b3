import type { Reporter, TestModule } from 'vitest/node';

/**
 * Prints one closing line CI can read: "Totals: N passed, N failed, N skipped", plus the
 * wall time of the run, after Vitest's own summary.
 */
export default class TotalsReporter implements Reporter {
  private started = 0;

  onInit(): void {
    this.started = performance.now();
  }

  onTestRunEnd(testModules: readonly TestModule[]): void {
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    for (const module of testModules) {
      for (const test of module.children.allTests()) {
        const state = test.result().state;
        if (state === 'passed') passed++;
        else if (state === 'failed') failed++;
        else skipped++;
      }
      if (module.state() === 'failed' && [...module.children.allTests()].length === 0) failed++;
    }
    const seconds = ((performance.now() - this.started) / 1000).toFixed(1);
    process.stdout.write(
      `\nTotals (${seconds} s):\n${passed} passed, ${failed} failed, ${skipped} skipped\n`,
    );
  }
}
