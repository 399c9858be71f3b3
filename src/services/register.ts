import { listAlertOutcomes, listSessionsWithReports } from '../store/register.repository.ts';
import { type Actor, requireClinicActor } from './actors.ts';
import { auditActorOf, recordAudit } from './audit.ts';
import type { ServiceDeps } from './deps.ts';
import {
  type ConfirmedCounts,
  countAdverseEvents,
  countConfirmedEvents,
  PERIODS,
  type PeriodDays,
  type RegisterCounts,
} from './register-counts.ts';

const DAY_MS = 86_400_000;

/** A period the register offers; anything else asks for the default, 90 days. */
export function registerPeriodOf(asked: unknown): PeriodDays {
  const days = Number(asked);
  return (PERIODS as readonly number[]).includes(days) ? (days as PeriodDays) : 90;
}

/**
 * The adverse-event register of the caller's clinic over the last `periodDays`: counts only,
 * no patient named, but built from patient data, so the read is audited.
 */
export async function readAdverseEventRegister(
  deps: ServiceDeps,
  actor: Actor,
  input: { readonly periodDays: PeriodDays },
): Promise<RegisterCounts & { readonly confirmed: ConfirmedCounts }> {
  requireClinicActor(actor);
  const now = deps.clock.now();
  const period = input.periodDays;
  const sessions = await listSessionsWithReports(
    deps.db,
    actor.clinicId,
    new Date(now.getTime() - period * DAY_MS),
    now,
  );
  const counts = countAdverseEvents(sessions, now, period);
  const outcomes = await listAlertOutcomes(
    deps.db,
    actor.clinicId,
    new Date(now.getTime() - period * DAY_MS),
    now,
  );
  await recordAudit(deps.db, deps.clock, auditActorOf(actor), {
    action: 'register.read',
    subjectType: 'clinic',
    subjectId: actor.clinicId,
    details: { periodDays: period, sessionCount: counts.all.sessions },
  });
  return { ...counts, confirmed: countConfirmedEvents(outcomes, counts) };
}
