import type { SeededClinic } from '../src/api/test-support.ts';
import { T0 } from '../src/api/test-support.ts';
import type { AnonymousActor, LinkActor, StaffActor } from '../src/services/actors.ts';
import type { ManualClock } from '../src/services/clock.ts';
import type { ServiceDeps } from '../src/services/deps.ts';
import { type ActiveLink, resolvePatientLink } from '../src/services/patient-link.ts';
import { recordSession } from '../src/services/record-session.ts';

/** Where a test's actors say they come from. */
export interface ActorBase {
  readonly ip: string;
  readonly requestId: string;
}

/** A session's patient link and the patient acting through it. */
export interface LinkSession {
  readonly link: ActiveLink;
  readonly actor: LinkActor;
}

/** The seeded clinic's practitioner as a staff actor. */
export function practitionerOf(clinic: SeededClinic, base: ActorBase): StaffActor {
  return {
    ...base,
    kind: 'staff',
    userId: clinic.practitionerId,
    clinicId: clinic.clinicId,
    role: 'practitioner',
  };
}

/**
 * At T0 on `clock`: `staff` records a session (one leg site, needled 30 minutes before) for a
 * new patient, and the patient opens its link.
 */
export async function recordLinkSession(
  deps: ServiceDeps,
  clock: ManualClock,
  staff: StaffActor,
  patient: { readonly displayName: string; readonly phone: string },
  base: ActorBase,
): Promise<LinkSession> {
  clock.set(T0);
  const recorded = await recordSession(deps, staff, {
    patient,
    performedAt: new Date(Date.parse(T0) - 30 * 60_000).toISOString(),
    sites: [{ muscle: 'tibialis-anterior', side: 'right' }],
  });
  const token = recorded.link.url.split('/p/')[1] ?? '';
  const nobody: AnonymousActor = { ...base, kind: 'anonymous', clinicId: null, actorId: null };
  const link = await resolvePatientLink(deps, nobody, token);
  return {
    link,
    actor: { ...base, kind: 'patient_link', linkId: link.id, clinicId: link.clinicId },
  };
}
