/**
 * The two independent FHIR R4 validators of the tests (docs/decisions/0900), over NDJSON files:
 * @medplum/core 5's `validateResource`, run by the Node 24 of test/node24 in one process for
 * all files (test/fhir-validate-medplum.mjs), and the `fhir` package's validator in-process.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..');
export const NODE24 = join(ROOT, 'test', 'node24', 'node_modules', 'node', 'bin', 'node');
const MEDPLUM_SCRIPT = join(ROOT, 'test', 'fhir-validate-medplum.mjs');

export interface Issue {
  readonly file: string;
  readonly line: number;
  readonly resourceType: string;
  readonly id?: string;
  readonly severity: string;
  readonly path: string;
  readonly text: string;
}

export function validateWithMedplum(files: readonly string[]): {
  checked: number;
  issues: Issue[];
} {
  const out = execFileSync(NODE24, [MEDPLUM_SCRIPT, ...files], { cwd: ROOT, encoding: 'utf8' });
  return JSON.parse(out) as { checked: number; issues: Issue[] };
}

interface FhirJsValidator {
  validate(
    resource: unknown,
    options: { errorOnUnexpected: boolean },
  ): { valid: boolean; messages: { location?: string; severity: string; message: string }[] };
}

export function validateWithFhirJs(files: readonly string[]): { checked: number; issues: Issue[] } {
  const { Fhir } = createRequire(import.meta.url)('fhir') as { Fhir: new () => FhirJsValidator };
  const fhir = new Fhir();
  const issues: Issue[] = [];
  let checked = 0;
  for (const file of files) {
    readFileSync(file, 'utf8')
      .split('\n')
      .forEach((text, i) => {
        if (text.trim() === '') return;
        const resource = JSON.parse(text) as { resourceType: string; id?: string };
        checked += 1;
        for (const m of fhir.validate(resource, { errorOnUnexpected: true }).messages) {
          issues.push({
            file,
            line: i + 1,
            resourceType: resource.resourceType,
            ...(resource.id === undefined ? {} : { id: resource.id }),
            severity: m.severity,
            path: m.location ?? '',
            text: m.message,
          });
        }
      });
  }
  return { checked, issues };
}

export const errorsOf = (issues: readonly Issue[]) =>
  issues.filter((i) => i.severity === 'error' || i.severity === 'fatal');
