import type { FastifyRequest } from 'fastify';
import { type RecordedSite, validateSites } from '../../../clinical/case-schema.ts';
import { type CheckInPlan, planCheckIns } from '../../../clinical/checkin-plan.ts';
import { isBilateralThoracic, isThoracicSession } from '../../../clinical/muscles.ts';
import { findClinic } from '../../../store/clinics.repository.ts';
import { withTransaction } from '../../../store/db.ts';
import { findPatient, insertPatient, type Patient } from '../../../store/patients.repository.ts';
import { insertNeedlingSession, type NeedlingSession } from '../../../store/sessions.repository.ts';
import { actorOf } from '../../audit.ts';
import { recordAudit } from '../../../services/audit.ts';
import { principalOf } from '../../auth/auth.plugin.ts';
import { HOUR_MS } from '../../../services/clock.ts';
import type { AppDeps } from '../../deps.ts';
import { AppError, type FieldIssue } from '../../../services/errors.ts';
import { type IssuedLink, issueLink, linkExpiry } from '../../../services/links.ts';
import type { NewPatientBody } from '../patients/patients.routes.ts';

export interface RecordSessionBody {
  patientId?: string;
  patient?: NewPatientBody;
  performedAt: string;
  sites: unknown[];
  notes?: string;
}

export interface SessionWarning {
  readonly code: 'bilateral_thoracic';
  readonly message: string;
}

export interface RecordedSession {
  readonly session: NeedlingSession;
  readonly patient: Patient;
  readonly plan: CheckInPlan;
  readonly warnings: readonly SessionWarning[];
  readonly link: IssuedLink;
}

/** How far in the future a session time may lie (clock skew), and how far back it may be recorded. */
const FUTURE_SLACK_MS = 5 * 60_000;
const MAX_BACKDATE_MS = 30 * 24 * HOUR_MS;

function invalid(errors: FieldIssue[]): AppError {
  return new AppError('validation_failed', `Invalid ${errors.map((e) => e.field).join(', ')}`, {
    errors,
  });
}

/** Check what the schema cannot: one patient reference, sites via the clinical core, a sane time. */
function checkInput(body: RecordSessionBody, now: Date): RecordedSite[] {
  const errors: FieldIssue[] = [];
  if ((body.patientId === undefined) === (body.patient === undefined)) {
    errors.push({
      field: 'patientId',
      message: 'give either patientId or patient (quick add), not both or neither',
    });
  }
  const sites = validateSites(body.sites);
  if (!sites.ok) errors.push(...sites.error.map((i) => ({ field: i.path, message: i.message })));
  const performed = Date.parse(body.performedAt);
  if (performed > now.getTime() + FUTURE_SLACK_MS)
    errors.push({ field: 'performedAt', message: 'must not be in the future' });
  if (performed < now.getTime() - MAX_BACKDATE_MS)
    errors.push({ field: 'performedAt', message: 'must be within the last 30 days' });
  if (errors.length > 0 || !sites.ok) throw invalid(errors);
  return sites.value;
}

/**
 * Record a session in one transaction: (quick-add patient), session with sites, patient link,
 * audit events. The core decides thoracic, bilateral-thoracic and the check-in plan.
 */
export async function recordSession(
  deps: AppDeps,
  request: FastifyRequest,
  body: RecordSessionBody,
): Promise<RecordedSession> {
  const { db, clock } = deps;
  const principal = principalOf(request);
  const now = clock.now();
  const sites = checkInput(body, now);
  const performedAt = new Date(body.performedAt).toISOString();
  const thoracic = isThoracicSession(sites);
  const bilateral = isBilateralThoracic(sites);
  const actor = actorOf(request);

  return withTransaction(db, async (trx) => {
    const clinic = await findClinic(trx, principal.clinicId);
    if (clinic === undefined) throw new AppError('not_found', 'Your clinic no longer exists.');
    if (linkExpiry(clinic, performedAt).getTime() <= now.getTime()) {
      throw invalid([
        {
          field: 'performedAt',
          message: `must be within the aftercare period (${clinic.linkTtlDays} days)`,
        },
      ]);
    }
    let patient: Patient | undefined;
    if (body.patientId !== undefined) {
      patient = await findPatient(trx, clinic.id, body.patientId);
      if (patient === undefined) {
        throw new AppError('not_found', 'No such patient.', {
          errors: [{ field: 'patientId', message: 'no such patient' }],
        });
      }
    } else if (body.patient !== undefined) {
      patient = await insertPatient(trx, {
        clinicId: clinic.id,
        displayName: body.patient.displayName,
        email: body.patient.email ?? null,
        phone: body.patient.phone ?? null,
        language: body.patient.language ?? clinic.defaultLanguage,
        createdAt: now,
      });
      await recordAudit(trx, clock, actor, {
        action: 'patient.create',
        subjectType: 'patient',
        subjectId: patient.id,
        patientId: patient.id,
      });
    }
    if (patient === undefined) throw invalid([{ field: 'patientId', message: 'is required' }]);

    const session = await insertNeedlingSession(trx, {
      clinicId: clinic.id,
      patientId: patient.id,
      practitionerId: principal.kind === 'staff' ? principal.userId : null,
      performedAt,
      thoracic,
      bilateralThoracic: bilateral,
      notes: body.notes ?? null,
      createdAt: now,
      sites: sites.map((s) => ({
        muscle: s.muscle,
        side: s.side ?? null,
        needleCount: s.needleCount ?? null,
      })),
    });
    const { issued } = await issueLink(trx, deps, { clinic, session, patient }, 'session_recorded');
    await recordAudit(trx, clock, actor, {
      action: 'session.create',
      subjectType: 'needling_session',
      subjectId: session.id,
      patientId: patient.id,
      details: { linkId: issued.id, thoracic, bilateralThoracic: bilateral },
    });
    const plan = planCheckIns(
      { performedAt, sites },
      { planHours: clinic.checkInPlanHours, thoracicPlanHours: clinic.thoracicPlanHours },
    );
    const warnings: SessionWarning[] = bilateral
      ? [
          {
            code: 'bilateral_thoracic',
            message:
              'Thoracic muscles were needled on both the left and the right: guidance advises against it (bilateral pneumothorax risk).',
          },
        ]
      : [];
    return { session, patient, plan, warnings, link: issued };
  });
}
