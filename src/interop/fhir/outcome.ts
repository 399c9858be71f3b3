import type { OperationOutcome, OperationOutcomeIssue } from '@medplum/fhirtypes';
import type { AppError, ErrorCode } from '../../services/errors.ts';

/** FHIR answers errors as OperationOutcome (STYLE.md §5): one issue code per error code. */
const ISSUE_CODE: Readonly<Record<ErrorCode, OperationOutcomeIssue['code']>> = {
  bad_request: 'invalid',
  validation_failed: 'invalid',
  unauthenticated: 'login',
  csrf_failed: 'security',
  forbidden: 'forbidden',
  not_found: 'not-found',
  link_gone: 'not-found',
  conflict: 'conflict',
  payload_too_large: 'too-costly',
  uri_too_long: 'too-long',
  unsupported_media_type: 'not-supported',
  idempotency_key_reused: 'conflict',
  too_many_requests: 'throttled',
  internal: 'exception',
  unavailable: 'transient',
};

export const FHIR_JSON = 'application/fhir+json; charset=utf-8';
export const FHIR_NDJSON = 'application/fhir+ndjson';

export function operationOutcomeOf(error: AppError, requestId: string): OperationOutcome {
  const fields = error.errors.length > 0 ? error.errors : [undefined];
  return {
    resourceType: 'OperationOutcome',
    id: requestId.replace(/[^A-Za-z0-9\-.]/g, '-').slice(0, 64),
    issue: fields.map((field) => ({
      severity: error.status >= 500 ? 'fatal' : 'error',
      code: ISSUE_CODE[error.code],
      diagnostics: field === undefined ? error.detail : `${field.field}: ${field.message}`,
      ...(field === undefined ? {} : { expression: [field.field] }),
    })),
  };
}
