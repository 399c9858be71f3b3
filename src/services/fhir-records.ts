import { withTransaction } from '../store/db.ts';
import type { ClinicRecord } from '../store/interop.repository.ts';
import { loadClinicRecord } from '../store/interop.repository.ts';
import type { Actor } from './actors.ts';
import { auditActorOf, recordAudit } from './audit.ts';
import type { ServiceDeps } from './deps.ts';
import { AppError } from './errors.ts';

/**
 * Disclose part of a clinic's record to another system (FHIR reads and searches, bulk export,
 * CDS Hooks cards): docs/decisions/0902.
 *
 * The door passes `project`, a pure function that turns the record into its answer (the FHIR
 * mapping lives in src/interop, which services may not import) and names the patients whose
 * data the answer holds. This service checks the actor, loads the record through the
 * clinic-scoped queries, and writes one audit event per disclosed patient — in one
 * transaction, before the door sends anything.
 */
export interface Disclosure<T> {
  readonly result: T;
  /** Patients whose data is in `result` (each gets an audit event). */
  readonly patientIds: readonly string[];
}

export interface DiscloseInput<T> {
  /** Audit action, e.g. `fhir.read`, `fhir.search`, `fhir.export`, `cds.patient_view`. */
  readonly action: string;
  /** What was asked for, for the audit trail: `Observation/…`, `Patient?date=…`. */
  readonly subject: string;
  /** Only this patient's part of the record (404 when not a patient of the clinic). */
  readonly patientId?: string;
  readonly project: (record: ClinicRecord) => Disclosure<T>;
}

/** The clinic an actor may read: its own (staff, API token) or the one a system actor names. */
function clinicOf(actor: Actor): string {
  if (actor.kind === 'staff' || actor.kind === 'api_token') return actor.clinicId;
  if (actor.kind === 'system' && actor.clinicId !== null) return actor.clinicId;
  throw new AppError('unauthenticated', 'Send an API token of the clinic.');
}

export async function discloseClinicRecord<T>(
  deps: Pick<ServiceDeps, 'db' | 'clock'>,
  actor: Actor,
  input: DiscloseInput<T>,
): Promise<T> {
  const clinicId = clinicOf(actor);
  return withTransaction(deps.db, async (trx) => {
    const record = await loadClinicRecord(trx, clinicId, input.patientId);
    if (record === undefined) {
      throw new AppError(
        'not_found',
        input.patientId === undefined ? 'No such clinic.' : 'No such patient.',
      );
    }
    const { result, patientIds } = input.project(record);
    const who = auditActorOf(actor);
    const unique = [...new Set(patientIds)];
    if (unique.length === 0) {
      await recordAudit(trx, deps.clock, who, {
        action: input.action,
        subjectType: 'fhir',
        subjectId: input.subject.slice(0, 200),
      });
    }
    for (const patientId of unique) {
      await recordAudit(trx, deps.clock, who, {
        action: input.action,
        subjectType: 'fhir',
        subjectId: input.subject.slice(0, 200),
        patientId,
      });
    }
    return result;
  });
}
