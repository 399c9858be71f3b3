import { randomUUID } from 'node:crypto';
import { withTransaction } from '../store/db.ts';
import type { ClinicRecord } from '../store/interop.repository.ts';
import {
  deleteFhirExport,
  type FhirExport,
  findFhirExport,
  insertFhirExport,
  readFhirExportFile,
} from '../store/interop.repository.ts';
import { type Actor, requireClinicActor } from './actors.ts';
import { auditActorOf, recordAudit } from './audit.ts';
import { HOUR_MS } from './clock.ts';
import type { ServiceDeps } from './deps.ts';
import { AppError } from './errors.ts';
import { type Disclosure, discloseClinicRecord } from './fhir-records.ts';

/**
 * The FHIR Bulk Data `$export` of one clinic (docs/decisions/0903): the kick-off builds the
 * NDJSON files at once (a clinic's record is small) and stores them; the status and download
 * URLs then serve them to the same clinic's tokens until they expire.
 */
export const EXPORT_TTL_HOURS = 24;

export interface ExportFile {
  readonly type: string;
  readonly count: number;
  readonly ndjson: string;
}

export async function startFhirExport(
  deps: Pick<ServiceDeps, 'db' | 'clock'>,
  actor: Actor,
  input: {
    readonly requestUrl: string;
    readonly since: string | null;
    readonly project: (record: ClinicRecord) => Disclosure<readonly ExportFile[]>;
  },
): Promise<FhirExport> {
  requireClinicActor(actor);
  const files = await discloseClinicRecord(deps, actor, {
    action: 'fhir.export',
    subject: '$export',
    project: input.project,
  });
  const now = deps.clock.now();
  const id = randomUUID();
  await withTransaction(deps.db, async (trx) => {
    await insertFhirExport(trx, {
      id,
      clinicId: actor.clinicId,
      requestedBy: auditActorOf(actor).actorId ?? actor.kind,
      requestUrl: input.requestUrl,
      since: input.since,
      createdAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + EXPORT_TTL_HOURS * HOUR_MS).toISOString(),
      files,
    });
  });
  const created = await findFhirExport(deps.db, actor.clinicId, id);
  if (created === undefined) throw new AppError('internal', 'The export was not stored.');
  return created;
}

/** An export of the actor's clinic that has not expired (404 otherwise: a foreign id too). */
export async function findLiveFhirExport(
  deps: Pick<ServiceDeps, 'db' | 'clock'>,
  actor: Actor,
  exportId: string,
): Promise<FhirExport> {
  requireClinicActor(actor);
  const found = await findFhirExport(deps.db, actor.clinicId, exportId);
  if (found === undefined || Date.parse(found.expiresAt) <= deps.clock.now().getTime())
    throw new AppError('not_found', 'No such export, or it has expired.');
  return found;
}

/** One NDJSON file of an export; every download is audited. */
export async function downloadFhirExportFile(
  deps: Pick<ServiceDeps, 'db' | 'clock'>,
  actor: Actor,
  input: { readonly exportId: string; readonly type: string },
): Promise<string> {
  requireClinicActor(actor);
  await findLiveFhirExport(deps, actor, input.exportId);
  return withTransaction(deps.db, async (trx) => {
    const ndjson = await readFhirExportFile(trx, actor.clinicId, input.exportId, input.type);
    if (ndjson === undefined) throw new AppError('not_found', 'No such file in this export.');
    await recordAudit(trx, deps.clock, auditActorOf(actor), {
      action: 'fhir.export.download',
      subjectType: 'fhir_export',
      subjectId: input.exportId,
      details: { resourceType: input.type },
    });
    return ndjson;
  });
}

export async function deleteFhirExportJob(
  deps: Pick<ServiceDeps, 'db' | 'clock'>,
  actor: Actor,
  exportId: string,
): Promise<void> {
  requireClinicActor(actor);
  await withTransaction(deps.db, async (trx) => {
    const deleted = await deleteFhirExport(trx, actor.clinicId, exportId);
    if (!deleted) throw new AppError('not_found', 'No such export.');
    await recordAudit(trx, deps.clock, auditActorOf(actor), {
      action: 'fhir.export.delete',
      subjectType: 'fhir_export',
      subjectId: exportId,
    });
  });
}
