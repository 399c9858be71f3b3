import { findClinic } from '../store/clinics.repository.ts';
import { withTransaction } from '../store/db.ts';
import {
  type CdsClient,
  findCdsClientByIssuer,
  insertCdsClient,
  insertPatientIdentifier,
} from '../store/interop.repository.ts';
import { findPatient } from '../store/patients.repository.ts';
import type { Actor } from './actors.ts';
import { auditActorOf, recordAudit } from './audit.ts';
import type { ServiceDeps } from './deps.ts';
import { AppError } from './errors.ts';

/**
 * Setting up the links between a clinic and its EHR (docs/decisions/0904): which EHR may call
 * the CDS services (by JWT issuer, with its public keys) and which identifier of the EHR
 * names which of our patients. Run by an operator through the CLI (a system actor).
 */

function requireOperator(actor: Actor, clinicId: string): void {
  const ok =
    (actor.kind === 'system' && (actor.clinicId === null || actor.clinicId === clinicId)) ||
    (actor.kind === 'staff' && actor.role === 'admin' && actor.clinicId === clinicId);
  if (!ok) throw new AppError('forbidden', 'Only an operator or the clinic admin may do this.');
}

function uri(field: string, value: string): string {
  const trimmed = value.trim();
  if (!/^(https?:\/\/[^\s]+|urn:[a-z0-9][a-z0-9-]*:[^\s]+)$/i.test(trimmed))
    throw new AppError(
      'validation_failed',
      `${field}: must be an absolute URI (https://… or urn:…)`,
      {
        errors: [{ field, message: 'must be an absolute URI' }],
      },
    );
  return trimmed;
}

export async function linkPatientIdentifier(
  deps: Pick<ServiceDeps, 'db' | 'clock'>,
  actor: Actor,
  input: { clinicId: string; patientId: string; system: string; value: string },
): Promise<void> {
  requireOperator(actor, input.clinicId);
  const system = uri('system', input.system);
  const value = input.value.trim();
  if (value === '' || value.length > 200)
    throw new AppError('validation_failed', 'value: must be 1–200 characters', {
      errors: [{ field: 'value', message: 'must be 1–200 characters' }],
    });
  await withTransaction(deps.db, async (trx) => {
    const patient = await findPatient(trx, input.clinicId, input.patientId);
    if (patient === undefined) throw new AppError('not_found', 'No such patient in this clinic.');
    const inserted = await insertPatientIdentifier(trx, {
      clinicId: input.clinicId,
      patientId: patient.id,
      system,
      value,
      at: deps.clock.now(),
    });
    if (!inserted)
      throw new AppError('conflict', 'The clinic already gave this identifier to a patient.');
    await recordAudit(trx, deps.clock, auditActorOf(actor), {
      action: 'patient.identifier.add',
      subjectType: 'patient',
      subjectId: patient.id,
      patientId: patient.id,
      details: { system },
    });
  });
}

export async function registerCdsClient(
  deps: Pick<ServiceDeps, 'db' | 'clock'>,
  actor: Actor,
  input: {
    clinicId: string;
    issuer: string;
    jwksUrl: string | null;
    jwks: { keys: readonly object[] } | null;
    identifierSystem: string;
  },
): Promise<CdsClient> {
  requireOperator(actor, input.clinicId);
  const issuer = input.issuer.trim();
  if (issuer === '' || issuer.length > 500)
    throw new AppError('validation_failed', 'issuer: must be 1–500 characters', {
      errors: [{ field: 'issuer', message: 'must be 1–500 characters' }],
    });
  const identifierSystem = uri('identifierSystem', input.identifierSystem);
  const jwksUrl = input.jwksUrl === null ? null : uri('jwksUrl', input.jwksUrl);
  if (jwksUrl !== null && !jwksUrl.startsWith('https://'))
    throw new AppError('validation_failed', 'jwksUrl: must be https', {
      errors: [{ field: 'jwksUrl', message: 'must be https' }],
    });
  if ((jwksUrl === null) === (input.jwks === null))
    throw new AppError('validation_failed', 'Give exactly one of a JWKS URL or a JWKS.', {
      errors: [{ field: 'jwks', message: 'give exactly one of jwksUrl or jwks' }],
    });
  if (input.jwks !== null && (!Array.isArray(input.jwks.keys) || input.jwks.keys.length === 0))
    throw new AppError('validation_failed', 'jwks: must hold at least one key', {
      errors: [{ field: 'jwks.keys', message: 'must hold at least one key' }],
    });
  for (const key of input.jwks?.keys ?? []) {
    const k = key as { kty?: unknown; d?: unknown };
    // CDS Hooks forbids shared-secret algorithms; a private key must never be stored here.
    if (k.kty === 'oct' || k.d !== undefined)
      throw new AppError(
        'validation_failed',
        'jwks: public keys only (no private or symmetric keys)',
        {
          errors: [{ field: 'jwks.keys', message: 'public asymmetric keys only' }],
        },
      );
  }
  return withTransaction(deps.db, async (trx) => {
    if ((await findClinic(trx, input.clinicId)) === undefined)
      throw new AppError('not_found', 'No such clinic.');
    if ((await findCdsClientByIssuer(trx, issuer)) !== undefined)
      throw new AppError('conflict', 'A CDS client with this issuer exists already.');
    const client = await insertCdsClient(trx, {
      clinicId: input.clinicId,
      issuer,
      jwksUrl,
      jwks: input.jwks,
      identifierSystem,
      at: deps.clock.now(),
    });
    await recordAudit(trx, deps.clock, auditActorOf(actor), {
      action: 'cds_client.add',
      subjectType: 'cds_client',
      subjectId: client.id,
      details: { issuer },
    });
    return client;
  });
}
