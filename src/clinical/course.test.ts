import { describe, expect, it } from 'vitest';
import { aftercareFor, formatWeekdayTime } from './aftercare.ts';
import {
  DEFAULT_PLAN_HOURS,
  nextCheckIn,
  planCheckIns,
  THORACIC_PLAN_HOURS,
  validatePlanHours,
} from './checkin-plan.ts';
import { expectedBandAt, expectedBandSteps, phaseAt } from './course.ts';

describe('expected course', () => {
  it.each([
    [0, 'early', 6, 6],
    [5.99, 'early', 6, 6],
    [6, 'peak', 6, 6],
    [48, 'peak', 6, 6],
    [48.01, 'easing', 3, 3],
    [72, 'easing', 3, 3],
    [72.01, 'beyond', 0, 3],
    [96, 'beyond', 0, 3],
    [96.01, 'beyond', 0, 0],
  ])('at %s h: phase %s, band max %s, tolerated %s', (h, phase, max, tolerated) => {
    expect(phaseAt(h)).toBe(phase);
    expect(expectedBandAt(h)).toEqual({ min: 0, max, toleratedMax: tolerated });
  });

  it('gives chart steps that cover the whole range', () => {
    const steps = expectedBandSteps(168);
    expect(steps.map((s) => [s.fromH, s.toH, s.band.max])).toEqual([
      [0, 48, 6],
      [48, 72, 3],
      [72, 96, 0],
      [96, 168, 0],
    ]);
  });
});

describe('planCheckIns', () => {
  const performedAt = '2026-03-02T14:30:00.000Z';
  it('uses the default plan away from the chest', () => {
    const plan = planCheckIns({ performedAt, sites: [{ muscle: 'gastrocnemius' }] });
    expect(plan.thoracic).toBe(false);
    expect(plan.checkIns.map((c) => c.hoursAfter)).toEqual([...DEFAULT_PLAN_HOURS]);
    expect(plan.checkIns[0]).toEqual({
      hoursAfter: 4,
      dueAt: '2026-03-02T18:30:00.000Z',
      early: false,
    });
    expect(plan.checkIns[4]?.dueAt).toBe('2026-03-09T14:30:00.000Z');
  });
  it('uses the thoracic plan when any site is thoracic, with early check-ins marked', () => {
    const plan = planCheckIns({
      performedAt,
      sites: [{ muscle: 'gastrocnemius' }, { muscle: 'upper-trapezius' }],
    });
    expect(plan.thoracic).toBe(true);
    expect(plan.checkIns.map((c) => c.hoursAfter)).toEqual([...THORACIC_PLAN_HOURS]);
    expect(plan.checkIns.filter((c) => c.early).map((c) => c.hoursAfter)).toEqual([2, 6, 24, 48]);
  });
  it('takes a clinic plan and finds the next check-in', () => {
    const plan = planCheckIns(
      { performedAt, sites: [{ muscle: 'deltoid' }] },
      { planHours: [48, 12] },
    );
    expect(plan.checkIns.map((c) => c.hoursAfter)).toEqual([12, 48]);
    expect(nextCheckIn(plan, '2026-03-03T03:00:00.000Z')?.hoursAfter).toBe(48);
    expect(nextCheckIn(plan, '2026-03-10T00:00:00.000Z')).toBeUndefined();
  });
  it('validates clinic plans', () => {
    expect(validatePlanHours([24, 4], false)).toEqual({ ok: true, value: [4, 24] });
    expect(validatePlanHours([], false).ok).toBe(false);
    expect(validatePlanHours([4, 4], false).ok).toBe(false);
    expect(validatePlanHours([24, 48], true)).toEqual({
      ok: false,
      error: 'a thoracic plan needs its first check-in within 6 hours of the session',
    });
  });
});

describe("aftercare advice in the patient's own time and language", () => {
  // Monday 2 March 2026 14:30 UTC is 15:30 in Madrid, 09:30 in New York.
  const session = { performedAt: '2026-03-02T14:30:00.000Z', sites: [{ muscle: 'quadriceps' }] };
  it.each([
    ['Europe/Madrid', 'en', 'Wednesday 15:30'],
    ['Europe/Madrid', 'es', 'miércoles a las 15:30'],
    ['America/New_York', 'en', 'Wednesday 09:30'],
    ['Australia/Sydney', 'en', 'Thursday 01:30'],
  ] as const)('in %s (%s): avoid intense exercise until %s', (timeZone, locale, text) => {
    const advice = aftercareFor(session, { now: '2026-03-02T16:00:00.000Z', timeZone, locale });
    expect(advice.avoidIntenseUntilText).toBe(text);
    expect(advice.items.find((i) => i.id === 'avoid_intense_exercise')?.text).toContain(text);
  });

  it('crosses a daylight-saving change by the clock on the wall', () => {
    // US clocks go forward on Sunday 8 March 2026.
    expect(formatWeekdayTime('2026-03-09T13:30:00.000Z', 'America/New_York', 'en')).toBe(
      'Monday 09:30',
    );
  });

  it('after 48 h says usual exercise is fine; every item states its evidence', () => {
    const advice = aftercareFor(session, {
      now: '2026-03-04T16:00:00.000Z',
      timeZone: 'Europe/London',
      locale: 'en',
    });
    expect(advice.phase).toBe('easing');
    expect(advice.items.map((i) => i.id)).toEqual(['hydration', 'usual_activity', 'heat']);
    expect(advice.items.every((i) => i.evidence === 'guidance' && i.evidenceText.length > 0)).toBe(
      true,
    );
  });

  it('shows the breathing warning for 48 h after thoracic needling only', () => {
    const thoracic = { ...session, sites: [{ muscle: 'rhomboid-major' }] };
    const early = aftercareFor(thoracic, {
      now: '2026-03-03T10:00:00.000Z',
      timeZone: 'Europe/London',
      locale: 'es',
    });
    expect(early.breathingWarning).toBe(true);
    expect(early.items[0]?.id).toBe('breathing_warning');
    expect(early.items[0]?.text).toMatch(/emergencias/);
    const later = aftercareFor(thoracic, {
      now: '2026-03-04T15:00:00.000Z',
      timeZone: 'Europe/London',
      locale: 'en',
    });
    expect(later.breathingWarning).toBe(false);
  });
});
