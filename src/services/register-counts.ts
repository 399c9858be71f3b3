import { expectedBandAt } from '../clinical/course.ts';
import type { Disposition, SymptomCode } from '../clinical/types.ts';

/**
 * The adverse-event register: how many sessions per 1,000 had an adverse event, by class,
 * period and thoracic vs other sessions, next to the published rates. Pure: the caller loads
 * the sessions and passes "now".
 *
 * Classes (issue 5; clinical-evidence.md §2):
 * - mild: soreness above the expected band at that hour (above the tolerated edge, so the
 *   easing ache the triage accepts is not counted), bruising, or minor bleeding;
 * - significant: a check-in triaged `urgent_same_day`;
 * - serious: a check-in triaged `emergency`.
 * A session counts at most once per class, however many of its check-ins qualify; a session
 * may count in several classes.
 */
export const EVENT_CLASSES = ['mild', 'significant', 'serious'] as const;
export type EventClass = (typeof EVENT_CLASSES)[number];

export const PERIODS = [30, 90, 365] as const;
export type PeriodDays = (typeof PERIODS)[number];

export const GROUPS = ['all', 'thoracic', 'other'] as const;
export type SessionGroup = (typeof GROUPS)[number];

export interface RegisterReport {
  readonly hoursAfter: number;
  /** Null: no number given (a red-flag report); it never counts as soreness above the band. */
  readonly soreness: number | null;
  readonly symptoms: readonly SymptomCode[];
  /** The stored disposition; null when the check-in has no assessment. */
  readonly disposition: Disposition | null;
}

export interface RegisterSession {
  readonly id: string;
  readonly performedAt: string;
  readonly thoracic: boolean;
  readonly reports: readonly RegisterReport[];
}

export interface ClassCount {
  readonly sessions: number;
  readonly perThousand: number;
}

export interface GroupCounts {
  readonly sessions: number;
  /** Sessions with at least one check-in: the others could not report anything. */
  readonly withCheckIns: number;
  readonly classes: Readonly<Record<EventClass, ClassCount>>;
}

export type RegisterCounts = Readonly<Record<SessionGroup, GroupCounts>>;

const MILD_SYMPTOMS: ReadonlySet<SymptomCode> = new Set(['bruising', 'minor_bleeding']);

/** The classes one report falls in. */
export function classesOfReport(report: RegisterReport): EventClass[] {
  const out: EventClass[] = [];
  const band = expectedBandAt(report.hoursAfter);
  const aboveBand = report.soreness !== null && report.soreness > band.toleratedMax;
  if (aboveBand || report.symptoms.some((s) => MILD_SYMPTOMS.has(s))) out.push('mild');
  if (report.disposition === 'urgent_same_day') out.push('significant');
  if (report.disposition === 'emergency') out.push('serious');
  return out;
}

/** The classes a session counts in (each once). */
export function classesOfSession(session: RegisterSession): ReadonlySet<EventClass> {
  return new Set(session.reports.flatMap(classesOfReport));
}

/** Per 1,000 sessions, one decimal; 0 when there are no sessions. */
export function perThousand(count: number, sessions: number): number {
  return sessions === 0 ? 0 : Math.round((count / sessions) * 10_000) / 10;
}

function countGroup(sessions: readonly RegisterSession[]): GroupCounts {
  const tally: Record<EventClass, number> = { mild: 0, significant: 0, serious: 0 };
  let withCheckIns = 0;
  for (const session of sessions) {
    if (session.reports.length > 0) withCheckIns += 1;
    for (const c of classesOfSession(session)) tally[c] += 1;
  }
  const classes = Object.fromEntries(
    EVENT_CLASSES.map((c) => [
      c,
      { sessions: tally[c], perThousand: perThousand(tally[c], sessions.length) },
    ]),
  ) as Record<EventClass, ClassCount>;
  return { sessions: sessions.length, withCheckIns, classes };
}

/**
 * Count the sessions performed in the `days` before `now` (inclusive of `now`, sessions in
 * the future excluded) by class, for all sessions, thoracic ones and the others.
 */
export function countAdverseEvents(
  sessions: readonly RegisterSession[],
  now: Date,
  days: PeriodDays,
): RegisterCounts {
  const from = now.getTime() - days * 86_400_000;
  const inPeriod = sessions.filter((s) => {
    const t = Date.parse(s.performedAt);
    return t > from && t <= now.getTime();
  });
  return {
    all: countGroup(inPeriod),
    thoracic: countGroup(inPeriod.filter((s) => s.thoracic)),
    other: countGroup(inPeriod.filter((s) => !s.thoracic)),
  };
}

export interface PublishedRate {
  readonly id: 'brady2014' | 'boyce2020';
  readonly citation: string;
  readonly sessions: number;
  /** Per 1,000 sessions; null when the study gives no figure for the class. */
  readonly perThousand: Readonly<Record<EventClass, number | null>>;
  /** True when the study's figure is an upper bound ("under 0.1%"). */
  readonly upperBound: Readonly<Partial<Record<EventClass, boolean>>>;
}

/**
 * Published rates (docs/clinical/clinical-evidence.md §2). Brady et al. 2014: 19.2% mild
 * events and no significant ones in 7,629 treatments. Boyce et al. 2020: 36.7% minor events
 * and under 0.1% major ones in about 20,000 sessions. "Major" is shown against our serious
 * class, the closest match; neither study maps exactly onto our classes.
 */
export const PUBLISHED_RATES: readonly PublishedRate[] = [
  {
    id: 'brady2014',
    citation: 'Brady et al. 2014',
    sessions: 7629,
    perThousand: { mild: 192, significant: 0, serious: 0 },
    upperBound: {},
  },
  {
    id: 'boyce2020',
    citation: 'Boyce et al. 2020',
    sessions: 20_000,
    perThousand: { mild: 367, significant: null, serious: 1 },
    upperBound: { serious: true },
  },
];

/** An alert of a session in the period and how staff classified it when resolving. */
export interface RegisterAlertOutcome {
  readonly sessionId: string;
  readonly thoracic: boolean;
  readonly outcome: 'confirmed' | 'false_alarm' | 'unrelated' | null;
  readonly outcomeClass: EventClass | null;
}

export interface ConfirmedGroupCounts {
  /** Sessions with a confirmed adverse event of each class (each session once per class). */
  readonly classes: Readonly<Record<EventClass, ClassCount>>;
  /** Alerts by what staff found: confirmed, false alarm, unrelated, not yet classified. */
  readonly alerts: Readonly<
    Record<'confirmed' | 'false_alarm' | 'unrelated' | 'unclassified', number>
  >;
}

export type ConfirmedCounts = Readonly<Record<SessionGroup, ConfirmedGroupCounts>>;

/**
 * Confirmed adverse events (decision 1213): what staff found when they resolved the alerts,
 * next to the raw triage counts. Rates use the same denominators as `countAdverseEvents`
 * (every session performed in the period, by group).
 */
export function countConfirmedEvents(
  outcomes: readonly RegisterAlertOutcome[],
  raw: RegisterCounts,
): ConfirmedCounts {
  const group = (keep: (o: RegisterAlertOutcome) => boolean, sessions: number) => {
    const mine = outcomes.filter(keep);
    const alerts = { confirmed: 0, false_alarm: 0, unrelated: 0, unclassified: 0 };
    const bySession: Record<EventClass, Set<string>> = {
      mild: new Set(),
      significant: new Set(),
      serious: new Set(),
    };
    for (const o of mine) {
      alerts[o.outcome ?? 'unclassified'] += 1;
      if (o.outcome === 'confirmed' && o.outcomeClass !== null)
        bySession[o.outcomeClass].add(o.sessionId);
    }
    const classes = Object.fromEntries(
      EVENT_CLASSES.map((c) => [
        c,
        { sessions: bySession[c].size, perThousand: perThousand(bySession[c].size, sessions) },
      ]),
    ) as Record<EventClass, ClassCount>;
    return { classes, alerts };
  };
  return {
    all: group(() => true, raw.all.sessions),
    thoracic: group((o) => o.thoracic, raw.thoracic.sessions),
    other: group((o) => !o.thoracic, raw.other.sessions),
  };
}
