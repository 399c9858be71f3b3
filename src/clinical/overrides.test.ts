import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { caseArb } from '../../test/arbitraries.ts';
import { applyOverrides } from './overrides.ts';
import { DEFAULT_PARAMETERS, PARAMETER_FLOORS, PARAMETER_NAMES } from './parameters.ts';
import { RULEBOOK_V1 } from './rulebook-v1.ts';
import { triage } from './triage.ts';
import { compareDispositions, DISPOSITIONS } from './types.ts';

const base = { clinicId: 'clinic-a', revision: 'r1' };

describe('clinic overrides may only make the triage stricter', () => {
  it('accepts lower thresholds and names the version after the clinic', () => {
    const result = applyOverrides(RULEBOOK_V1, {
      ...base,
      parameters: { severeMin: 6, lingerEndH: 60 },
    });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value.version).toBe('1.1.0+clinic-a.r1');
    expect(result.value.parameters.severeMin).toBe(6);
    const a = triage(
      {
        session: { sites: [{ muscle: 'quadriceps' }] },
        reports: [{ hoursAfter: 10, soreness: 6, symptoms: [] }],
      },
      result.value,
    );
    expect(a.ruleIds).toEqual(['severe_soreness']);
  });

  it.each([
    ['a higher threshold', { parameters: { severeMin: 8 } }, 'parameters.severeMin', /loosen/],
    ['a longer window', { parameters: { graceEndH: 120 } }, 'parameters.graceEndH', /loosen/],
    ['an unknown parameter', { parameters: { foo: 1 } }, 'parameters.foo', /unknown parameter/],
    [
      'a value below the floor',
      { parameters: { worseningDelta: 0 } },
      'parameters.worseningDelta',
      /at least 1/,
    ],
    [
      'a lowered rule',
      { raise: { infection_signs: 'contact_practitioner' } },
      'raise.infection_signs',
      /only raise/,
    ],
    [
      'touching the emergency rule',
      { raise: { breathing_or_chest: 'emergency' } },
      'raise.breathing_or_chest',
      /not configurable/,
    ],
    ['an unknown rule', { raise: { nope: 'emergency' } }, 'raise.nope', /unknown rule/],
    [
      'windows out of order',
      { parameters: { lingerEndH: 40 } },
      'parameters',
      /peakEndH ≤ lingerEndH/,
    ],
  ] as const)('rejects %s with a clear error', (_name, overrides, field, message) => {
    const result = applyOverrides(RULEBOOK_V1, { ...base, ...(overrides as object) });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const error = result.error.find((e) => e.field === field);
    expect(error?.message).toMatch(message);
  });

  it('rejects an added rule that duplicates an id or asks for self-care', () => {
    const rule = {
      id: 'infection_signs',
      disposition: 'self_care' as const,
      when: { kind: 'thoracic' as const },
      texts: { patient: { en: 'x', es: 'x' }, clinician: { en: 'x', es: 'x' } },
      source: 'clinic policy',
    };
    const result = applyOverrides(RULEBOOK_V1, { ...base, add: [rule] });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.map((e) => e.field)).toEqual(['add[0].id', 'add[0].disposition']);
  });

  it('an added rule fires and ranks by its disposition', () => {
    const result = applyOverrides(RULEBOOK_V1, {
      ...base,
      add: [
        {
          id: 'thoracic_first_day_moderate',
          disposition: 'contact_practitioner',
          when: {
            kind: 'all',
            of: [
              { kind: 'thoracic' },
              { kind: 'hoursAfter', op: 'lte', value: 24 },
              { kind: 'soreness', op: 'gte', value: 5 },
            ],
          },
          texts: {
            patient: { en: 'Tell us.', es: 'Avísenos.' },
            clinician: { en: 'Policy.', es: 'Política.' },
          },
          source: 'Clinic policy',
        },
      ],
    });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const a = triage(
      {
        session: { sites: [{ muscle: 'scalenes' }] },
        reports: [{ hoursAfter: 3, soreness: 5, symptoms: [] }],
      },
      result.value,
    );
    expect(a.ruleIds).toEqual(['thoracic_first_day_moderate']);
  });

  it('no accepted override ever lowers a disposition (property)', () => {
    const paramsArb = fc.record(
      Object.fromEntries(
        PARAMETER_NAMES.map((name) => [
          name,
          fc.integer({ min: PARAMETER_FLOORS[name], max: DEFAULT_PARAMETERS[name] }),
        ]),
      ) as Record<(typeof PARAMETER_NAMES)[number], fc.Arbitrary<number>>,
      { requiredKeys: [] },
    );
    const raiseArb = fc.dictionary(
      fc.constantFrom(...RULEBOOK_V1.rules.filter((r) => r.configurable).map((r) => r.id)),
      fc.constantFrom(...DISPOSITIONS),
    );
    fc.assert(
      fc.property(
        paramsArb,
        raiseArb,
        fc.array(caseArb({ ties: true }), { minLength: 1, maxLength: 20 }),
        (parameters, raise, cases) => {
          const result = applyOverrides(RULEBOOK_V1, { ...base, parameters, raise });
          if (!result.ok) return true; // refused: nothing to compare
          return cases.every(
            (c) =>
              compareDispositions(
                triage(c, result.value).disposition,
                triage(c, RULEBOOK_V1).disposition,
              ) >= 0,
          );
        },
      ),
      { numRuns: 1000 },
    );
  });
});
