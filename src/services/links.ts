import { planCheckIns } from '../clinical/checkin-plan.ts';
import type { Clinic } from '../store/clinics.repository.ts';
import type { Db } from '../store/db.ts';
import {
  insertPatientLink,
  listLinksForSession,
  type PatientLink,
  revokeLink,
} from '../store/links.repository.ts';
import type { Patient } from '../store/patients.repository.ts';
import type { NeedlingSession } from '../store/sessions.repository.ts';
import type { ServiceDeps } from './deps.ts';
import { AppError } from './errors.ts';
import type { LinkIssuedEvent } from './events.ts';
import { randomSecret, sha256Hex } from './secrets.ts';
import { productUrls } from './urls.ts';

const DAY_MS = 86_400_000;

export interface IssuedLink {
  readonly id: string;
  /** The patient's page. The token in it is shown here once and stored only as its sha256. */
  readonly url: string;
  readonly expiresAt: string;
}

/**
 * A patient link for one session (docs/decisions/0200-patient-links.md): 256 random bits,
 * valid `linkTtlDays` after the session was performed. Earlier links of the session are
 * revoked, so only the newest one opens it. Emits `linkIssued` (reminders carry the URL).
 */
export async function issueLink(
  trx: Db,
  deps: ServiceDeps,
  target: { readonly clinic: Clinic; readonly session: NeedlingSession; readonly patient: Patient },
  reason: LinkIssuedEvent['reason'],
): Promise<{ link: PatientLink; issued: IssuedLink }> {
  const { clinic, session, patient } = target;
  if (patient.erasedAt !== null) {
    throw new AppError('conflict', 'This patient was erased: no new link.');
  }
  const now = deps.clock.now();
  const expiresAt = linkExpiry(clinic, session.performedAt);
  if (expiresAt.getTime() <= now.getTime()) {
    throw new AppError(
      'conflict',
      `The aftercare period of this session (${clinic.linkTtlDays} days) has ended: no new link.`,
    );
  }
  await revokeActiveLinks(trx, clinic.id, session.id, now);
  const token = randomSecret(32);
  const link = await insertPatientLink(trx, {
    sessionId: session.id,
    clinicId: clinic.id,
    tokenHash: sha256Hex(token),
    createdAt: now,
    expiresAt,
  });
  const url = productUrls(deps.config.publicUrl).patientPage(token);
  await deps.events.linkIssued?.(trx, {
    reason,
    session,
    patient,
    clinic,
    plan: planCheckIns(
      {
        performedAt: session.performedAt,
        sites: session.sites.map((s) =>
          s.side === null ? { muscle: s.muscle } : { muscle: s.muscle, side: s.side },
        ),
      },
      { planHours: clinic.checkInPlanHours, thoracicPlanHours: clinic.thoracicPlanHours },
    ),
    linkId: link.id,
    linkUrl: url,
    expiresAt: link.expiresAt,
    at: now,
  });
  return { link, issued: { id: link.id, url, expiresAt: link.expiresAt } };
}

/** When a session's links stop working: `linkTtlDays` after the session was performed. */
export function linkExpiry(clinic: Pick<Clinic, 'linkTtlDays'>, performedAt: string): Date {
  return new Date(Date.parse(performedAt) + clinic.linkTtlDays * DAY_MS);
}

/** Revoke every active link of a session; returns how many were active. */
export async function revokeActiveLinks(
  trx: Db,
  clinicId: string,
  sessionId: string,
  at: Date,
): Promise<number> {
  const links = await listLinksForSession(trx, clinicId, sessionId);
  let revoked = 0;
  for (const link of links) {
    if (link.revokedAt === null && (await revokeLink(trx, clinicId, link.id, at))) revoked += 1;
  }
  return revoked;
}

export type LinkState = 'active' | 'expired' | 'revoked';

export function linkState(link: PatientLink, now: Date): LinkState {
  if (link.revokedAt !== null) return 'revoked';
  return expiryOf(link) <= now.getTime() ? 'expired' : 'active';
}

/**
 * A link's expiry in milliseconds, parsed once per link object: a check-in asks twice, at the
 * door and under the session's lock, of a link usually remembered from the token's last
 * check-in, and `Date.parse` is the costlier part of the question (decision 1486).
 */
const expiries = new WeakMap<PatientLink, number>();

function expiryOf(link: PatientLink): number {
  let ms = expiries.get(link);
  if (ms === undefined) {
    ms = Date.parse(link.expiresAt);
    expiries.set(link, ms);
  }
  return ms;
}
