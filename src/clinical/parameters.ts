/**
 * The numeric parameters of the rulebook (RULES.md "Parameters"). Clinic overrides may only
 * lower them: every rule is written so that a lower value makes it fire at least as often.
 */
export interface RuleParameters {
  /** Highest soreness still called mild (NRS 1–3). */
  readonly mildMax: number;
  /** Lowest soreness called severe (NRS 7–10). */
  readonly severeMin: number;
  /** A rise of this many points is clinically meaningful. */
  readonly worseningDelta: number;
  /** End of the expected peak, in hours after the session. */
  readonly peakEndH: number;
  /** End of the window in which a mild ache may linger. */
  readonly lingerEndH: number;
  /** End of the grace period for a mild, easing ache. */
  readonly graceEndH: number;
}
export type ParameterName = keyof RuleParameters;

export const PARAMETER_NAMES: readonly ParameterName[] = [
  'mildMax',
  'severeMin',
  'worseningDelta',
  'peakEndH',
  'lingerEndH',
  'graceEndH',
];

export const DEFAULT_PARAMETERS: RuleParameters = {
  mildMax: 3,
  severeMin: 7,
  worseningDelta: 2,
  peakEndH: 48,
  lingerEndH: 72,
  graceEndH: 96,
};

/** The lowest value a clinic may set for each parameter; below it the rule would fire on a normal course from the first hour. */
export const PARAMETER_FLOORS: Readonly<Record<ParameterName, number>> = {
  mildMax: 1,
  severeMin: 4,
  worseningDelta: 1,
  peakEndH: 6,
  lingerEndH: 24,
  graceEndH: 24,
};
