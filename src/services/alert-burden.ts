import { findRule } from '../clinical/rulebook.ts';
import { RULEBOOK_V1 } from '../clinical/rulebook-v1.ts';
import { MODEL_V1 } from '../simulation/model-v1.ts';
import { SEVERITIES, type Severity, simulate } from '../simulation/simulate.ts';
import { findClinicAlertBurden } from '../store/alert-burden.repository.ts';
import { findClinic } from '../store/clinics.repository.ts';
import { withTransaction } from '../store/db.ts';
import { type Actor, requireAdmin } from './actors.ts';
import { auditActorOf, recordAudit } from './audit.ts';
import type { ServiceDeps } from './deps.ts';
import { AppError } from './errors.ts';

export const ALERT_BURDEN_DAYS = 90;
/** Size of the simulated cohort behind a clinic's expectation (docs/decisions/0700). */
export const EXPECTED_COHORT_SESSIONS = 20_000;
const EXPECTED_SEED = 1;
/** Thoracic shares are rounded to this step, so a handful of cohorts serve every clinic. */
const SHARE_STEP = 0.05;

type BySeverity = Readonly<Record<Severity | 'total', number>>;

export interface BurdenRuleRow {
  readonly rule: string;
  /** The clinic's alerts this rule decided, per 1,000 sessions. */
  readonly clinicPer1000: number;
  readonly clinicAlerts: number;
  /** The simulated expectation, per 1,000 sessions. */
  readonly expectedPer1000: number;
}

export interface AlertBurden {
  readonly days: number;
  readonly since: string;
  readonly until: string;
  readonly clinic: {
    readonly sessions: number;
    readonly thoracicSessions: number;
    readonly alerts: BySeverity;
    readonly per1000: BySeverity;
  };
  readonly expected: {
    /** The thoracic share simulated: the clinic's own (rounded), or the model's when it has no sessions. */
    readonly thoracicShare: number;
    readonly fromClinicMix: boolean;
    readonly sessions: number;
    readonly per1000: BySeverity;
    readonly modelVersion: string;
    readonly rulebookVersion: string;
  };
  readonly byRule: readonly BurdenRuleRow[];
}

/**
 * The clinic's alert burden over the last 90 days (alerts per 1,000 sessions, by level and by
 * the rules that decided them) beside what the simulation expects for a cohort with the
 * clinic's thoracic share and check-in plan. Admins only; the read is audited.
 */
export async function readAlertBurden(deps: ServiceDeps, actor: Actor): Promise<AlertBurden> {
  requireAdmin(actor);
  const until = deps.clock.now();
  const since = new Date(until.getTime() - ALERT_BURDEN_DAYS * 86_400_000);
  const { rows, clinic } = await withTransaction(deps.db, async (trx) => {
    const clinic = await findClinic(trx, actor.clinicId);
    if (clinic === undefined) throw new AppError('not_found', 'No such clinic.');
    const rows = await findClinicAlertBurden(trx, actor.clinicId, since, until);
    await recordAudit(trx, deps.clock, auditActorOf(actor), {
      action: 'alert_burden.read',
      subjectType: 'clinic',
      subjectId: actor.clinicId,
      details: { periodDays: ALERT_BURDEN_DAYS, sessionCount: rows.sessions },
    });
    return { rows, clinic };
  });

  const alerts = { routine: 0, urgent: 0, emergency: 0 };
  const byRule = new Map<string, number>();
  for (const alert of rows.alerts) {
    alerts[alert.severity]++;
    for (const rule of decidingRules(alert.rules, alert.disposition))
      byRule.set(rule, (byRule.get(rule) ?? 0) + 1);
  }
  const total = alerts.routine + alerts.urgent + alerts.emergency;
  const per = (n: number) => (rows.sessions === 0 ? 0 : (n * 1000) / rows.sessions);

  const fromClinicMix = rows.sessions > 0;
  const share = fromClinicMix
    ? Math.round(rows.thoracicSessions / rows.sessions / SHARE_STEP) * SHARE_STEP
    : MODEL_V1.cohort.thoracicShare.value;
  const expected = expectedBurden(share, clinic.checkInPlanHours, clinic.thoracicPlanHours);

  const ruleIds = new Set([...byRule.keys(), ...expected.byRule.keys()]);
  return {
    days: ALERT_BURDEN_DAYS,
    since: since.toISOString(),
    until: until.toISOString(),
    clinic: {
      sessions: rows.sessions,
      thoracicSessions: rows.thoracicSessions,
      alerts: { ...alerts, total },
      per1000: {
        routine: per(alerts.routine),
        urgent: per(alerts.urgent),
        emergency: per(alerts.emergency),
        total: per(total),
      },
    },
    expected: {
      thoracicShare: Number(share.toFixed(2)),
      fromClinicMix,
      sessions: EXPECTED_COHORT_SESSIONS,
      per1000: expected.per1000,
      modelVersion: MODEL_V1.version,
      rulebookVersion: RULEBOOK_V1.version,
    },
    byRule: [...ruleIds]
      .map((rule) => ({
        rule,
        clinicAlerts: byRule.get(rule) ?? 0,
        clinicPer1000: per(byRule.get(rule) ?? 0),
        expectedPer1000: expected.byRule.get(rule) ?? 0,
      }))
      .sort(
        (a, b) =>
          b.clinicPer1000 - a.clinicPer1000 ||
          b.expectedPer1000 - a.expectedPer1000 ||
          a.rule.localeCompare(b.rule),
      ),
  };
}

/** The rules of an assessment at its own level: the ones that decided the alert. */
function decidingRules(rules: readonly string[], disposition: string | null): string[] {
  return rules.filter((id) => {
    const rule = findRule(RULEBOOK_V1, id);
    return rule === undefined || disposition === null || rule.disposition === disposition;
  });
}

interface Expected {
  readonly per1000: BySeverity;
  readonly byRule: ReadonlyMap<string, number>;
}

/**
 * Simulated cohorts are pure functions of (share, plan): computed once per process and kept,
 * at most EXPECTED_CACHE_MAX of them (docs/decisions/0700).
 */
const expectedCache = new Map<string, Expected>();
const EXPECTED_CACHE_MAX = 64;

function expectedBurden(
  thoracicShare: number,
  planHours: readonly number[],
  thoracicPlanHours: readonly number[],
): Expected {
  const key = JSON.stringify([thoracicShare.toFixed(2), planHours, thoracicPlanHours]);
  const cached = expectedCache.get(key);
  if (cached !== undefined) return cached;
  const result = simulate(
    MODEL_V1,
    {
      sessions: EXPECTED_COHORT_SESSIONS,
      seed: EXPECTED_SEED,
      thoracicShare,
      responseRate: MODEL_V1.patients.responseRate.value,
      answerDelayMeanH: MODEL_V1.patients.answerDelayMeanH.value,
      mayOmitSoreness: true,
      planHours,
      thoracicPlanHours,
    },
    [RULEBOOK_V1],
  );
  const burden = result.rulebooks[0];
  if (burden === undefined) throw new Error('simulate returned no rulebook');
  const per1000 = Object.fromEntries(
    [...SEVERITIES, 'total'].map((s) => [s, burden.per1000[s as Severity | 'total']]),
  ) as BySeverity;
  const expected = {
    per1000,
    byRule: new Map(burden.byRule.map((r) => [r.rule, r.per1000])),
  };
  if (expectedCache.size >= EXPECTED_CACHE_MAX) expectedCache.clear();
  expectedCache.set(key, expected);
  return expected;
}
