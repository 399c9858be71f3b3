import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * The slowest files first, so two workers finish together (decision 1418). Vitest orders by
 * the durations of the last run when it has them, and a clean clone (CI) has none: it then
 * runs larger files first, and a small file that drives a browser for two minutes could start
 * last and leave one worker idle for its whole length. These are the files over ten seconds in
 * a CI run (`.ci/run` at e836eb1, seconds); the rest follow in Vitest's own order. The list only
 * orders: a file missing from it, or gone, changes nothing else.
 */
const SLOW_FILES: Readonly<Record<string, number>> = {
  'e2e/dashboard.test.ts': 125,
  'e2e/patient-walk.test.ts': 120,
  'e2e/clinic-walk.test.ts': 115,
  'src/cli/commands/crash.int.test.ts': 57,
  'e2e/patient-pages.test.ts': 51,
  'e2e/staff.test.ts': 49,
  'e2e/safety-patient.test.ts': 41,
  'e2e/record-replay.test.ts': 32,
  'e2e/patients.test.ts': 29,
  'e2e/dashboard-safety.test.ts': 28,
  'e2e/clinic-webhooks.test.ts': 27,
  'e2e/clinic-setup.test.ts': 25,
  'e2e/alert-burden.test.ts': 19,
  'src/jobs/worker-killed.int.test.ts': 18,
  'src/cli/commands/serve-cluster.int.test.ts': 17,
  'src/cli/commands/faults-postgres.int.test.ts': 16,
  'test/system/forgot-password.int.test.ts': 16,
  'e2e/patient-unavailable.test.ts': 16,
  'src/interop/fhir-webhook.int.test.ts': 14,
  'src/cli/demo-links.int.test.ts': 11,
};

function secondsOf(spec: TestSpecification): number {
  const root = spec.project.config.root;
  const path = spec.moduleId.startsWith(root) ? spec.moduleId.slice(root.length + 1) : '';
  return SLOW_FILES[path] ?? 0;
}

export default class SlowestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    // Array#sort is stable: files of equal weight keep Vitest's order.
    return sorted.sort((a, b) => secondsOf(b) - secondsOf(a));
  }
}
