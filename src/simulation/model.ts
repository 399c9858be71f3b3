import type { Disposition, SymptomCode } from '../clinical/types.ts';

/**
 * The shape of a simulation model: every number a clinician might question, with where it
 * comes from. `basis` says how firm it is: `published` (a figure from a study in
 * docs/clinical/clinical-evidence.md), `derived` (computed from published figures),
 * `assumption` (no published figure; a stated guess for a clinic to calibrate).
 */
export type Basis = 'published' | 'derived' | 'assumption';

export interface Sourced {
  readonly source: string;
  readonly basis: Basis;
}

/** A probability per session (treatment) or per answer, with its source. */
export interface Rate extends Sourced {
  readonly value: number;
}

/** A time window after the session, in hours, drawn uniformly; windows are picked by weight. */
export interface HourWindow {
  readonly weight: number;
  readonly fromH: number;
  readonly toH: number;
}

export interface Spread {
  /** Median (log-normal) or mean (normal). */
  readonly centre: number;
  readonly spread: number;
}

/** A soreness course other than the typical one (an adverse event of the soreness kind). */
export interface SorenessClass extends Sourced {
  readonly id: 'post_treatment_pain' | 'aggravation' | 'major_aggravation';
  /** Share of sessions (treatments). */
  readonly rate: number;
  /** Soreness right after needling, NRS (normal: centre = mean, spread = SD). */
  readonly peak: Spread;
  /** Half-life of the soreness, hours (log-normal: centre = median, spread = log SD). */
  readonly halfLifeH: Spread;
  /** For aggravations: the soreness climbs by `rise` points over `riseOverH` hours from a start hour. */
  readonly rise?: Spread;
  readonly riseStart?: readonly HourWindow[];
  readonly riseOverH?: number;
  /** Half-life of the ache after an aggravation has peaked. */
  readonly afterRiseHalfLifeH?: Spread;
}

/** A mild adverse event from a practitioner survey; `symptom` is what the patient would tick. */
export interface MildEvent extends Sourced {
  readonly id: string;
  readonly rate: number;
  readonly symptom?: SymptomCode;
  /** Hours during which the patient would tick it. */
  readonly visibleForH?: number;
}

/** A rare event whose symptoms are red flags: the triage must catch every report of it. */
export interface RedFlagEvent extends Sourced {
  readonly id: 'pneumothorax' | 'infection' | 'nerve_injury' | 'fainting';
  /** Share of sessions (of thoracic sessions only, when `thoracicOnly`). */
  readonly rate: number;
  readonly thoracicOnly: boolean;
  readonly onset: readonly HourWindow[];
  /** How long the symptoms last (or until care), hours. */
  readonly durationH: number;
  /**
   * Each symptom is ticked with its probability. Every event shows at least one `core` symptom
   * (the first core one when the draws give none): the presentations of the published cases.
   */
  readonly symptoms: readonly {
    readonly code: SymptomCode;
    readonly p: number;
    readonly core?: boolean;
  }[];
  /** The lowest disposition that counts as catching it. */
  readonly required: Disposition;
}

export interface SimulationModel {
  readonly version: string;
  readonly cohort: {
    readonly thoracicShare: Rate;
    readonly sitesPerSession: readonly { readonly count: number; readonly weight: number }[];
    readonly sitesSource: string;
    /** Muscle ids of src/clinical/muscles.ts with relative weights. */
    readonly thoracicMuscles: readonly { readonly id: string; readonly weight: number }[];
    readonly otherMuscles: readonly { readonly id: string; readonly weight: number }[];
  };
  readonly patients: {
    /** Share of planned check-ins answered. */
    readonly responseRate: Rate;
    /** Answers come this long after the check-in is due (exponential mean; capped). */
    readonly answerDelayMeanH: Rate;
    readonly answerDelayMaxH: number;
    /** Share of red-flag events the patient reports at once, unprompted (any-time check-in, emergency button). */
    readonly selfReportShare: Rate;
    readonly selfReportDelayMaxH: number;
    /** Rulebook v1.1: share of red-flag answers that leave the soreness out. */
    readonly skipSorenessWithRedFlag: Rate;
    /** SD of the error of a reported NRS around the true soreness (points). */
    readonly reportingSd: Rate;
    /** Share of patients with soreness who also tick "tenderness". */
    readonly tendernessShare: Rate;
  };
  readonly soreness: {
    readonly prevalence: Rate;
    readonly typical: Sourced & { readonly peak: Spread; readonly halfLifeH: Spread };
    readonly classes: readonly SorenessClass[];
  };
  readonly mildEvents: {
    /** Which survey's itemised rates the cohort uses. */
    readonly profile: 'brady2014' | 'boyce2020';
    readonly profiles: Readonly<Record<'brady2014' | 'boyce2020', readonly MildEvent[]>>;
  };
  readonly redFlagEvents: readonly RedFlagEvent[];
  /** Symptoms ticked with no underlying event, per answer (colds, worry, the condition being treated). */
  readonly background: readonly (Rate & { readonly code: SymptomCode })[];
  readonly clinic: {
    readonly sessionsPerWeek: number;
    /** An open alert is taken as handled (resolved) this long after it opened. */
    readonly resolvedAfterH: Readonly<Record<'routine' | 'urgent' | 'emergency', number>>;
    readonly source: string;
  };
}
