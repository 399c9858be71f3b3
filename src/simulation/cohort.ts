import { DEFAULT_PLAN_HOURS, THORACIC_PLAN_HOURS } from '../clinical/checkin-plan.ts';
import type { Site, SymptomCode } from '../clinical/types.ts';
import { hasRedFlag } from '../clinical/types.ts';
import type { HourWindow, RedFlagEvent, SimulationModel, SorenessClass, Spread } from './model.ts';
import {
  chance,
  exponential,
  logNormal,
  normal,
  pickWeighted,
  type Random,
  uniform,
} from './random.ts';

/** The cohort's knobs a clinic sets; the rest comes from the model. */
export interface CohortOptions {
  readonly thoracicShare: number;
  readonly responseRate: number;
  readonly answerDelayMeanH: number;
  /** Check-in hours; the defaults of RULES.md when absent. */
  readonly planHours?: readonly number[];
  readonly thoracicPlanHours?: readonly number[];
  /** Rulebook v1.1 lets a report with a red flag leave the soreness out; false keeps every number. */
  readonly mayOmitSoreness: boolean;
}

/** One simulated answer to a check-in, with what the simulation knows about it. */
export interface SimAnswer {
  readonly hoursAfter: number;
  /** Undefined when the patient left it out (rulebook v1.1, red flag ticked). */
  readonly soreness: number | undefined;
  readonly symptoms: readonly SymptomCode[];
  /** Red-flag events whose symptoms this answer carries (their index in `events`). */
  readonly eventIndexes: readonly number[];
  /** True when something real lies under the answer: an event's symptoms or an adverse soreness course. */
  readonly underlyingEvent: boolean;
}

export interface SimEvent {
  readonly id: RedFlagEvent['id'];
  readonly required: RedFlagEvent['required'];
  readonly onsetH: number;
  readonly endH: number;
  readonly symptoms: readonly SymptomCode[];
}

export interface SimSession {
  readonly sites: readonly Site[];
  readonly thoracic: boolean;
  readonly sorenessClass: SorenessClass['id'] | 'typical' | 'none';
  /** The true soreness (NRS, unrounded) at an hour after the session: what the patient rates. */
  readonly sorenessAt: (hoursAfter: number) => number;
  /** Ids of the mild events drawn (inputs, for checking the model is reproduced). */
  readonly mildEvents: readonly string[];
  readonly events: readonly SimEvent[];
  readonly answers: readonly SimAnswer[];
  readonly plannedCheckIns: number;
}

type Course = (h: number) => number;

/**
 * Draw one session: its muscles, soreness course, events and the patient's answers. Pure: the
 * same model, options and random stream give the same session.
 */
export function drawSession(
  model: SimulationModel,
  options: CohortOptions,
  random: Random,
): SimSession {
  const thoracic = chance(random, options.thoracicShare);
  const sites = drawSites(model, random, thoracic);
  const { id: sorenessClass, course } = drawCourse(model, random);

  const mildEvents: string[] = [];
  const visible: { code: SymptomCode; untilH: number }[] = [];
  for (const event of model.mildEvents.profiles[model.mildEvents.profile]) {
    if (!chance(random, event.rate)) continue;
    mildEvents.push(event.id);
    if (event.symptom !== undefined)
      visible.push({ code: event.symptom, untilH: event.visibleForH ?? 24 });
  }

  const events: SimEvent[] = [];
  for (const flag of model.redFlagEvents) {
    if (flag.thoracicOnly && !thoracic) continue;
    if (!chance(random, flag.rate)) continue;
    events.push(drawEvent(flag, random));
  }
  const tender = chance(random, model.patients.tendernessShare.value);

  const plan = thoracic
    ? (options.thoracicPlanHours ?? THORACIC_PLAN_HOURS)
    : (options.planHours ?? DEFAULT_PLAN_HOURS);
  const times: number[] = [];
  for (const due of plan) {
    if (!chance(random, options.responseRate)) continue;
    const delay = Math.min(
      exponential(random, options.answerDelayMeanH),
      model.patients.answerDelayMaxH,
    );
    times.push(due + delay);
  }
  for (const event of events) {
    if (chance(random, model.patients.selfReportShare.value)) {
      times.push(event.onsetH + uniform(random, 0, model.patients.selfReportDelayMaxH));
    }
  }
  times.sort((a, b) => a - b);

  const answers = times.map((h) =>
    drawAnswer(model, options, random, {
      h,
      course,
      sorenessClass,
      events,
      visible,
      tender,
    }),
  );
  return {
    sites,
    thoracic,
    sorenessClass,
    sorenessAt: course,
    mildEvents,
    events,
    answers,
    plannedCheckIns: plan.length,
  };
}

function drawSites(model: SimulationModel, random: Random, thoracic: boolean): Site[] {
  const { count } = pickWeighted(random, model.cohort.sitesPerSession);
  const sites: Site[] = [];
  for (let i = 0; i < count; i++) {
    const pool =
      thoracic && i === 0
        ? model.cohort.thoracicMuscles
        : thoracic
          ? [...model.cohort.thoracicMuscles, ...model.cohort.otherMuscles]
          : model.cohort.otherMuscles;
    const muscle = pickWeighted(random, pool).id;
    if (sites.some((s) => s.muscle === muscle)) continue;
    sites.push({ muscle, side: chance(random, 0.5) ? 'left' : 'right' });
  }
  return sites;
}

function clampNrs(x: number): number {
  return Math.min(10, Math.max(0, x));
}

function peakOf(random: Random, peak: Spread): number {
  return clampNrs(normal(random, peak.centre, peak.spread));
}

function drawCourse(
  model: SimulationModel,
  random: Random,
): { id: SimSession['sorenessClass']; course: Course } {
  // The adverse soreness courses exclude each other; one uniform draw picks at most one.
  const u = random.next();
  let cumulative = 0;
  for (const cls of model.soreness.classes) {
    cumulative += cls.rate;
    if (u < cumulative) return { id: cls.id, course: classCourse(cls, random) };
  }
  if (!chance(random, model.soreness.prevalence.value)) return { id: 'none', course: () => 0 };
  const { peak, halfLifeH } = model.soreness.typical;
  return { id: 'typical', course: decay(peakOf(random, peak), halfLifeOf(random, halfLifeH)) };
}

function halfLifeOf(random: Random, s: Spread): number {
  return logNormal(random, s.centre, s.spread);
}

function decay(peak: number, halfLife: number): Course {
  return (h) => peak * 0.5 ** (h / halfLife);
}

function classCourse(cls: SorenessClass, random: Random): Course {
  const base = decay(peakOf(random, cls.peak), halfLifeOf(random, cls.halfLifeH));
  if (cls.rise === undefined || cls.riseStart === undefined) return base;
  const startH = drawHour(random, cls.riseStart);
  const overH = cls.riseOverH ?? 24;
  const rise = Math.max(0, normal(random, cls.rise.centre, cls.rise.spread));
  const after = halfLifeOf(random, cls.afterRiseHalfLifeH ?? cls.halfLifeH);
  const topH = startH + overH;
  const top = clampNrs(base(topH) + rise);
  return (h) => {
    if (h <= startH) return base(h);
    if (h <= topH) {
      const from = base(startH);
      return from + ((top - from) * (h - startH)) / overH;
    }
    return top * 0.5 ** ((h - topH) / after);
  };
}

function drawHour(random: Random, windows: readonly HourWindow[]): number {
  const w = pickWeighted(random, windows);
  return uniform(random, w.fromH, w.toH);
}

function drawEvent(flag: RedFlagEvent, random: Random): SimEvent {
  const onsetH = drawHour(random, flag.onset);
  const symptoms = flag.symptoms.filter((s) => chance(random, s.p)).map((s) => s.code);
  const core = flag.symptoms.filter((s) => s.core === true);
  const first = core[0] ?? flag.symptoms[0];
  if (!core.some((s) => symptoms.includes(s.code)) && first !== undefined)
    symptoms.push(first.code);
  return {
    id: flag.id,
    required: flag.required,
    onsetH,
    endH: onsetH + flag.durationH,
    symptoms,
  };
}

function drawAnswer(
  model: SimulationModel,
  options: CohortOptions,
  random: Random,
  at: {
    h: number;
    course: Course;
    sorenessClass: SimSession['sorenessClass'];
    events: readonly SimEvent[];
    visible: readonly { code: SymptomCode; untilH: number }[];
    tender: boolean;
  },
): SimAnswer {
  const { h } = at;
  const truth = at.course(h);
  const soreness =
    truth < 0.5 ? 0 : Math.round(clampNrs(normal(random, truth, model.patients.reportingSd.value)));
  const symptoms = new Set<SymptomCode>();
  const eventIndexes: number[] = [];
  at.events.forEach((event, i) => {
    if (h < event.onsetH || h > event.endH) return;
    eventIndexes.push(i);
    for (const code of event.symptoms) symptoms.add(code);
  });
  for (const v of at.visible) if (h <= v.untilH) symptoms.add(v.code);
  if (at.tender && soreness > 0) symptoms.add('tenderness');
  for (const b of model.background) if (chance(random, b.value)) symptoms.add(b.code);

  const ticked = [...symptoms];
  const omit =
    options.mayOmitSoreness &&
    hasRedFlag(ticked) &&
    chance(random, model.patients.skipSorenessWithRedFlag.value);
  const adverseCourse = at.sorenessClass !== 'typical' && at.sorenessClass !== 'none';
  return {
    hoursAfter: h,
    soreness: omit ? undefined : soreness,
    symptoms: ticked,
    eventIndexes,
    underlyingEvent: eventIndexes.length > 0 || (adverseCourse && soreness > 0),
  };
}
