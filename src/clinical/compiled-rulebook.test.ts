import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { caseArb } from '../../test/arbitraries.ts';
import { compileCondition, compileRulebook, symptomMaskOf } from './compiled-rulebook.ts';
import type { RulebookOverrides } from './overrides.ts';
import { applyOverrides } from './overrides.ts';
import type { ParameterName } from './parameters.ts';
import { DEFAULT_PARAMETERS, PARAMETER_FLOORS, PARAMETER_NAMES } from './parameters.ts';
import type { Condition, NumberRef, Rulebook } from './rulebook.ts';
import { evaluateCondition } from './rulebook.ts';
import { RULEBOOK_V1 } from './rulebook-v1.ts';
import { triage, triageCompiled, triageInterpreted } from './triage.ts';
import { DISPOSITIONS, SYMPTOM_CODES } from './types.ts';

const numberRefArb: fc.Arbitrary<NumberRef> = fc.oneof(
  fc.integer({ min: -3, max: 120 }),
  fc.constantFrom(...PARAMETER_NAMES).map((param) => ({ param })),
);

/** Any condition of the language, nested up to three levels. */
const conditionArb: fc.Arbitrary<Condition> = fc.letrec<{ condition: Condition }>((tie) => ({
  condition: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.record({
      kind: fc.constant('anySymptom' as const),
      symptoms: fc.uniqueArray(fc.constantFrom(...SYMPTOM_CODES), { minLength: 1, maxLength: 4 }),
    }),
    fc.constant({ kind: 'thoracic' as const }),
    fc.record({
      kind: fc.constant('hoursAfter' as const),
      op: fc.constantFrom('gt' as const, 'gte' as const, 'lt' as const, 'lte' as const),
      value: numberRefArb,
    }),
    fc.record({
      kind: fc.constant('soreness' as const),
      op: fc.constantFrom('gt' as const, 'gte' as const),
      value: numberRefArb,
    }),
    fc.record({
      kind: fc.constant('sorenessRise' as const),
      op: fc.constantFrom('gt' as const, 'gte' as const),
      value: numberRefArb,
    }),
    fc.constant({ kind: 'noPreviousReport' as const }),
    fc.record({
      kind: fc.constant('all' as const),
      of: fc.array(tie('condition'), { maxLength: 3 }),
    }),
    fc.record({
      kind: fc.constant('any' as const),
      of: fc.array(tie('condition'), { maxLength: 3 }),
    }),
  ),
})).condition;

const text = { en: 'x', es: 'x' };

/** Overrides a clinic could save: lower parameters, raised rules, added rules. */
const overridesArb: fc.Arbitrary<RulebookOverrides> = fc.record({
  clinicId: fc.constant('clinic-gen'),
  revision: fc.constant('r1'),
  parameters: fc
    .subarray([...PARAMETER_NAMES])
    .chain((names) =>
      fc.tuple(
        ...names.map((name) =>
          fc
            .integer({ min: PARAMETER_FLOORS[name], max: DEFAULT_PARAMETERS[name] })
            .map((v) => [name, v] as [ParameterName, number]),
        ),
      ),
    )
    .map((pairs) => Object.fromEntries(pairs) as Partial<Record<ParameterName, number>>),
  raise: fc
    .subarray(['infection_signs', 'fever', 'severe_soreness', 'lingering_soreness'])
    .map((ids) => Object.fromEntries(ids.map((id) => [id, 'emergency' as const]))),
  add: fc.uniqueArray(
    fc.record({
      id: fc.constantFrom('extra_one', 'extra_two', 'extra_three'),
      disposition: fc.constantFrom(...DISPOSITIONS.filter((d) => d !== 'self_care')),
      when: conditionArb,
      texts: fc.constant({ patient: text, clinician: text }),
      source: fc.constant('generated'),
    }),
    { maxLength: 3, selector: (r) => r.id },
  ),
});

/** The base rulebook or, when the generated overrides are valid, the clinic's. */
const rulebookArb: fc.Arbitrary<Rulebook> = fc.oneof(
  fc.constant(RULEBOOK_V1),
  overridesArb.map((o) => {
    const r = applyOverrides(RULEBOOK_V1, o);
    return r.ok ? r.value : RULEBOOK_V1;
  }),
);

describe('the compiled rulebook agrees with the interpreter', () => {
  it('on every leaf and combination of the condition language', () => {
    fc.assert(
      fc.property(
        conditionArb,
        fc.double({ min: 0, max: 200, noNaN: true }),
        fc.option(fc.integer({ min: 0, max: 10 })),
        fc.uniqueArray(fc.constantFrom(...SYMPTOM_CODES), { maxLength: 5 }),
        fc.option(fc.integer({ min: 0, max: 10 }), { nil: undefined }),
        fc.boolean(),
        (c, hoursAfter, soreness, symptoms, previousSoreness, thoracic) => {
          const interpreted = evaluateCondition(
            c,
            { hoursAfter, soreness, symptoms: new Set(symptoms), previousSoreness, thoracic },
            DEFAULT_PARAMETERS,
          );
          const compiled = compileCondition(c, DEFAULT_PARAMETERS)(
            hoursAfter,
            soreness ?? Number.NaN,
            symptomMaskOf(symptoms),
            previousSoreness ?? Number.NaN,
            thoracic,
          );
          expect(compiled).toBe(interpreted);
        },
      ),
      { numRuns: 1500 },
    );
  });

  it('on generated cases, with and without ties, under generated clinic overrides', () => {
    fc.assert(
      fc.property(fc.oneof(caseArb(), caseArb({ ties: true })), rulebookArb, (input, rulebook) => {
        const expected = triageInterpreted(input, rulebook);
        expect(triage(input, rulebook)).toEqual(expected);
        expect(triageCompiled(input, compileRulebook(rulebook))).toEqual(expected);
      }),
      { numRuns: 1500 },
    );
  });

  it('compiles a rulebook once and reuses it', () => {
    const input = caseArbSample();
    const a = triage(input, RULEBOOK_V1);
    const b = triage(input, RULEBOOK_V1);
    expect(b.rules[0]).toBe(a.rules[0]);
    expect(Object.isFrozen(a.expectedBand)).toBe(true);
  });
});

describe('the condition program', () => {
  it('compares soreness and rise as the interpreter does, even with a comparison their types leave out', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('soreness' as const, 'sorenessRise' as const),
        fc.constantFrom('gt' as const, 'gte' as const, 'lt' as const, 'lte' as const),
        fc.integer({ min: -3, max: 12 }),
        fc.option(fc.integer({ min: 0, max: 10 })),
        fc.option(fc.integer({ min: 0, max: 10 }), { nil: undefined }),
        (kind, op, value, soreness, previousSoreness) => {
          const c = { kind, op, value } as unknown as Condition;
          const input = { hoursAfter: 30, soreness, symptoms: new Set<never>(), previousSoreness };
          const interpreted = evaluateCondition(
            c,
            { ...input, thoracic: false },
            DEFAULT_PARAMETERS,
          );
          const compiled = compileCondition(c, DEFAULT_PARAMETERS)(
            30,
            soreness ?? Number.NaN,
            0,
            previousSoreness ?? Number.NaN,
            false,
          );
          expect(compiled).toBe(interpreted);
        },
      ),
      { numRuns: 500 },
    );
  });

  it.each([
    [{ kind: 'hoursAfter', op: 'eq', value: 3 }, /no comparison "eq"/],
    [{ kind: 'fever' }, /no condition "fever"/],
    [{ kind: 'all', of: { kind: 'thoracic' } }, /"all" needs a list of conditions/],
    [{ kind: 'any' }, /"any" needs a list of conditions/],
    [{ kind: 'anySymptom', symptoms: 'fever' }, /"anySymptom" needs a list of symptoms/],
    [{ kind: 'soreness', op: 'gte', value: { param: 'noSuchParam' } }, /no number for/],
    [{ kind: 'all', of: [{ kind: 'thoracic' }, { kind: 'fever' }] }, /no condition "fever"/],
  ])('refuses %j when it compiles, instead of never firing', (c, message) => {
    expect(() => compileCondition(c as unknown as Condition, DEFAULT_PARAMETERS)).toThrow(message);
  });

  it('lays every test out so that its jumps go back or out: a walk of the program always ends', () => {
    fc.assert(
      fc.property(rulebookArb, (rulebook) => {
        const { program, ordered } = compileRulebook(rulebook);
        for (let i = 0; i < program.op.length; i++) {
          expect(program.ifTrue[i]).toBeLessThan(i);
          expect(program.ifFalse[i]).toBeLessThan(i);
        }
        for (const rule of ordered) expect(rule.entry).toBeLessThan(program.op.length);
      }),
      { numRuns: 300 },
    );
  });
});

function caseArbSample() {
  const [one] = fc.sample(caseArb(), { numRuns: 1, seed: 7 });
  if (one === undefined) throw new Error('no sample');
  return one;
}
