import { describe, expect, it } from 'vitest';
import { manualClock } from './clock.ts';
import { createPatientLimits, PATIENT_LIMITS, ticksRedFlag } from './patient-limits.ts';

describe('patient-link limits', () => {
  it('a safety request passes past the ordinary limit (flagged for the log) up to its ceiling', () => {
    const limits = createPatientLimits(manualClock('2026-11-25T12:00:00.000Z'));
    const hit = (safety: boolean) => limits.hit({ token: 't', ip: '10.0.0.1', safety });
    for (let i = 0; i < PATIENT_LIMITS.perLink; i += 1) expect(hit(false).allowed).toBe(true);
    // Refused until the window that counted it ends (10 minutes, none of it gone yet).
    expect(hit(false)).toEqual({
      allowed: false,
      retryAfterSeconds: 600,
      overOrdinaryLimit: false,
    });
    const safe = hit(true);
    expect(safe).toMatchObject({ allowed: true, overOrdinaryLimit: true });
    for (let i = 1; i < PATIENT_LIMITS.perLink * PATIENT_LIMITS.safetyFactor; i += 1)
      expect(hit(true).allowed).toBe(true);
    const past = hit(true);
    expect(past.allowed).toBe(false);
    expect(past.retryAfterSeconds).toBeGreaterThan(0);
  });

  it('knows a red-flag tick from an ordinary one', () => {
    expect(ticksRedFlag(['bruising'])).toBe(false);
    expect(ticksRedFlag('bruising')).toBe(false);
    expect(ticksRedFlag(undefined)).toBe(false);
    expect(ticksRedFlag(['bruising', 'chest_pain'])).toBe(true);
    expect(ticksRedFlag('shortness_of_breath')).toBe(true);
  });
});
