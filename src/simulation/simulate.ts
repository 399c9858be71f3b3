import type { Rulebook } from '../clinical/rulebook.ts';
import { triage } from '../clinical/triage.ts';
import type { Disposition, Report } from '../clinical/types.ts';
import { compareDispositions } from '../clinical/types.ts';
import { type CohortOptions, drawSession, type SimSession } from './cohort.ts';
import type { SimulationModel } from './model.ts';
import { createRandom } from './random.ts';

export const SEVERITIES = ['routine', 'urgent', 'emergency'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** The clinic alert of each disposition above self-care (as the check-in path stores it). */
export const SEVERITY_OF: Readonly<Record<Disposition, Severity | null>> = {
  self_care: null,
  contact_practitioner: 'routine',
  urgent_same_day: 'urgent',
  emergency: 'emergency',
};

type BySeverity = Record<Severity, number>;

export interface SimulationOptions extends CohortOptions {
  readonly sessions: number;
  readonly seed: number;
}

export interface RuleBurden {
  readonly rule: string;
  readonly alerts: BySeverity;
  readonly per1000: number;
}

export interface RecallRow {
  readonly event: string;
  readonly required: Disposition;
  readonly events: number;
  /** Events the patient reported in at least one answer. */
  readonly reported: number;
  /** Reported events triaged at or above `required` in at least one of those answers. */
  readonly caught: number;
  /** caught / reported; null when nothing was reported. */
  readonly recall: number | null;
}

export interface RulebookBurden {
  readonly rulebookVersion: string;
  readonly alerts: BySeverity & { readonly total: number };
  readonly per1000: BySeverity & { readonly total: number };
  readonly perClinicWeek: BySeverity & { readonly total: number };
  /** Share of alerts (of each severity) whose deciding answer had no underlying event. */
  readonly noEventShare: BySeverity & { readonly total: number };
  readonly byRule: readonly RuleBurden[];
  readonly recall: readonly RecallRow[];
  /** Answers by disposition. */
  readonly answers: Readonly<Record<Disposition, number>>;
}

export interface InputCheck {
  readonly id: string;
  /** The model's rate. */
  readonly rate: number;
  /** What it is a rate of: sessions, or thoracic sessions. */
  readonly denominator: number;
  readonly observed: number;
}

export interface SimulationResult {
  readonly modelVersion: string;
  readonly seed: number;
  readonly sessions: number;
  readonly thoracicSessions: number;
  readonly plannedCheckIns: number;
  readonly answers: number;
  /** Answers with a red flag ticked and no soreness number (rulebook v1.1). */
  readonly answersWithoutSoreness: number;
  readonly sessionsPerWeek: number;
  readonly rulebooks: readonly RulebookBurden[];
  readonly inputs: readonly InputCheck[];
}

interface Tally {
  alerts: BySeverity;
  noEvent: BySeverity;
  byRule: Map<string, BySeverity>;
  recall: Map<string, { required: Disposition; events: number; reported: number; caught: number }>;
  answers: Record<Disposition, number>;
}

function zero(): BySeverity {
  return { routine: 0, urgent: 0, emergency: 0 };
}

function newTally(model: SimulationModel): Tally {
  const recall = new Map<
    string,
    { required: Disposition; events: number; reported: number; caught: number }
  >();
  for (const flag of model.redFlagEvents)
    recall.set(flag.id, { required: flag.required, events: 0, reported: 0, caught: 0 });
  return {
    alerts: zero(),
    noEvent: zero(),
    byRule: new Map(),
    recall,
    answers: { self_care: 0, contact_practitioner: 0, urgent_same_day: 0, emergency: 0 },
  };
}

/**
 * Simulate `sessions` sessions and triage every answer under each rulebook (the same answers
 * for all: the what-if comparison sees one cohort). `onProgress` is called every 1,000 sessions.
 */
export function simulate(
  model: SimulationModel,
  options: SimulationOptions,
  rulebooks: readonly Rulebook[],
  onProgress?: (done: number, total: number) => void,
): SimulationResult {
  const tallies = rulebooks.map(() => newTally(model));
  const inputs = new Map<string, number>();
  const bump = (id: string) => inputs.set(id, (inputs.get(id) ?? 0) + 1);
  let thoracicSessions = 0;
  let planned = 0;
  let answers = 0;
  let withoutSoreness = 0;

  for (let i = 0; i < options.sessions; i++) {
    const session = drawSession(model, options, createRandom(options.seed, i));
    if (session.thoracic) thoracicSessions++;
    planned += session.plannedCheckIns;
    answers += session.answers.length;
    for (const answer of session.answers) if (answer.soreness === undefined) withoutSoreness++;
    if (session.sorenessClass !== 'none') bump(`soreness.${session.sorenessClass}`);
    for (const id of session.mildEvents) bump(`mild.${id}`);
    for (const event of session.events) bump(`event.${event.id}`);
    rulebooks.forEach((rulebook, r) => {
      tallySession(session, rulebook, model, tallies[r] as Tally);
    });
    if (onProgress !== undefined && ((i + 1) % 1000 === 0 || i + 1 === options.sessions))
      onProgress(i + 1, options.sessions);
  }

  const n = options.sessions;
  const perWeek = model.clinic.sessionsPerWeek;
  return {
    modelVersion: model.version,
    seed: options.seed,
    sessions: n,
    thoracicSessions,
    plannedCheckIns: planned,
    answers,
    answersWithoutSoreness: withoutSoreness,
    sessionsPerWeek: perWeek,
    rulebooks: rulebooks.map((rulebook, r) =>
      summarise(rulebook.version, tallies[r] as Tally, n, perWeek),
    ),
    inputs: inputChecks(model, inputs, n, thoracicSessions),
  };
}

function inputChecks(
  model: SimulationModel,
  counts: ReadonlyMap<string, number>,
  sessions: number,
  thoracicSessions: number,
): InputCheck[] {
  const rows: InputCheck[] = [];
  const add = (id: string, rate: number, denominator: number) =>
    rows.push({ id, rate, denominator, observed: counts.get(id) ?? 0 });
  for (const cls of model.soreness.classes) add(`soreness.${cls.id}`, cls.rate, sessions);
  const classShare = model.soreness.classes.reduce((sum, cls) => sum + cls.rate, 0);
  add('soreness.typical', (1 - classShare) * model.soreness.prevalence.value, sessions);
  for (const e of model.mildEvents.profiles[model.mildEvents.profile])
    add(`mild.${e.id}`, e.rate, sessions);
  for (const f of model.redFlagEvents)
    add(`event.${f.id}`, f.rate, f.thoracicOnly ? thoracicSessions : sessions);
  return rows;
}

interface OpenAlert {
  severity: Severity;
  disposition: Disposition;
  resolvedAtH: number;
  rules: readonly string[];
  underlyingEvent: boolean;
}

/**
 * Triage a session's answers in time order and keep its alerts as the check-in path does: an
 * answer above self-care opens an alert, or raises the session's open one (never lowers it);
 * the clinic handles an open alert after the model's delay, and a later answer opens a new one.
 */
function tallySession(
  session: SimSession,
  rulebook: Rulebook,
  model: SimulationModel,
  tally: Tally,
): void {
  const reports: Report[] = [];
  const sites = session.sites;
  const caught = session.events.map(() => false);
  const reported = session.events.map(() => false);
  let open: OpenAlert | undefined;
  const close = (alert: OpenAlert) => {
    tally.alerts[alert.severity]++;
    if (!alert.underlyingEvent) tally.noEvent[alert.severity]++;
    for (const rule of alert.rules) {
      const row = tally.byRule.get(rule) ?? zero();
      row[alert.severity]++;
      tally.byRule.set(rule, row);
    }
  };

  for (const answer of session.answers) {
    reports.push(toReport(answer));
    const decided = triage({ session: { sites }, reports }, rulebook);
    tally.answers[decided.disposition]++;
    for (const i of answer.eventIndexes) {
      reported[i] = true;
      const event = session.events[i];
      if (event !== undefined && compareDispositions(decided.disposition, event.required) >= 0)
        caught[i] = true;
    }
    if (open !== undefined && answer.hoursAfter >= open.resolvedAtH) {
      close(open);
      open = undefined;
    }
    const severity = SEVERITY_OF[decided.disposition];
    if (severity === null) continue;
    const deciding = decided.rules
      .filter((rule) => rule.disposition === decided.disposition)
      .map((rule) => rule.id);
    if (open === undefined) {
      open = {
        severity,
        disposition: decided.disposition,
        resolvedAtH: answer.hoursAfter + model.clinic.resolvedAfterH[severity],
        rules: deciding,
        underlyingEvent: answer.underlyingEvent,
      };
    } else if (compareDispositions(decided.disposition, open.disposition) > 0) {
      open = {
        severity,
        disposition: decided.disposition,
        resolvedAtH: Math.max(
          open.resolvedAtH,
          answer.hoursAfter + model.clinic.resolvedAfterH[severity],
        ),
        rules: deciding,
        underlyingEvent: answer.underlyingEvent,
      };
    }
  }
  if (open !== undefined) close(open);

  session.events.forEach((event, i) => {
    const row = tally.recall.get(event.id);
    if (row === undefined) return;
    row.events++;
    if (reported[i]) row.reported++;
    if (caught[i]) row.caught++;
  });
}

function toReport(answer: SimSession['answers'][number]): Report {
  return {
    hoursAfter: answer.hoursAfter,
    soreness: answer.soreness ?? null,
    symptoms: answer.symptoms,
  };
}

function summarise(
  version: string,
  tally: Tally,
  sessions: number,
  sessionsPerWeek: number,
): RulebookBurden {
  const total = SEVERITIES.reduce((sum, s) => sum + tally.alerts[s], 0);
  const noEventTotal = SEVERITIES.reduce((sum, s) => sum + tally.noEvent[s], 0);
  const per = (count: number) => (sessions === 0 ? 0 : (count * 1000) / sessions);
  const week = (count: number) => (sessions === 0 ? 0 : (count * sessionsPerWeek) / sessions);
  const share = (part: number, whole: number) => (whole === 0 ? 0 : part / whole);
  const map = (f: (s: Severity) => number) =>
    ({ routine: f('routine'), urgent: f('urgent'), emergency: f('emergency') }) as BySeverity;
  const byRule = [...tally.byRule.entries()]
    .map(([rule, alerts]) => ({
      rule,
      alerts,
      per1000: per(alerts.routine + alerts.urgent + alerts.emergency),
    }))
    .sort((a, b) => b.per1000 - a.per1000 || a.rule.localeCompare(b.rule));
  return {
    rulebookVersion: version,
    alerts: { ...tally.alerts, total },
    per1000: { ...map((s) => per(tally.alerts[s])), total: per(total) },
    perClinicWeek: { ...map((s) => week(tally.alerts[s])), total: week(total) },
    noEventShare: {
      ...map((s) => share(tally.noEvent[s], tally.alerts[s])),
      total: share(noEventTotal, total),
    },
    byRule,
    recall: [...tally.recall.entries()].map(([event, row]) => ({
      event,
      required: row.required,
      events: row.events,
      reported: row.reported,
      caught: row.caught,
      recall: row.reported === 0 ? null : row.caught / row.reported,
    })),
    answers: { ...tally.answers },
  };
}
