import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { caseArb, hoursArb, siteArb, sorenessArb, withLast } from '../../test/arbitraries.ts';
import { oracle, thoracicMusclesFromSpec } from '../../test/rules-oracle.ts';
import { readVignettes } from '../../test/vignettes.ts';
import { validateCase } from './case-schema.ts';
import { RULEBOOK_V1 } from './rulebook-v1.ts';
import { triage } from './triage.ts';
import type { SymptomCode, TriageCase } from './types.ts';
import { compareDispositions, RED_FLAG_SYMPTOMS, SYMPTOM_CODES } from './types.ts';

const vignettes = readVignettes();

describe('vignettes (test/fixtures/vignettes.json)', () => {
  it('has cases to check', () => expect(vignettes.length).toBeGreaterThan(30));
  it.each(vignettes.map((v) => [v.id, v] as const))('%s', (_id, v) => {
    const parsed = validateCase({ session: v.session, reports: v.reports });
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    const a = triage(parsed.value, RULEBOOK_V1);
    expect(a.disposition).toBe(v.expected.disposition);
    expect(a.ruleIds).toEqual(v.expected.rules);
    expect(a.rulebookVersion).toBe('1.1.0');
  });
});

describe('RULES.md v1.1: a red flag without a soreness number', () => {
  const thoracic = { sites: [{ muscle: 'rhomboid-major' }] };
  const calf = { sites: [{ muscle: 'gastrocnemius' }] };

  it('accepts a missing or null soreness when a red-flag symptom is ticked', () => {
    for (const code of RED_FLAG_SYMPTOMS) {
      for (const report of [
        { hoursAfter: 9, symptoms: [code] },
        { hoursAfter: 9, soreness: null, symptoms: [code, 'bruising'] },
      ]) {
        const parsed = validateCase({ session: calf, reports: [report] });
        expect(parsed.ok, code).toBe(true);
        if (parsed.ok) expect(parsed.value.reports[0]?.soreness).toBeNull();
      }
    }
  });

  it('refuses a report with neither a soreness nor a red-flag symptom, naming the field', () => {
    for (const symptoms of [[], ['bruising', 'tenderness'], ['tiredness', 'minor_bleeding']]) {
      const parsed = validateCase({ session: calf, reports: [{ hoursAfter: 9, symptoms }] });
      expect(parsed.ok).toBe(false);
      if (!parsed.ok) {
        expect(parsed.error[0]?.path).toBe('reports[0].soreness');
        expect(parsed.error[0]?.message).toMatch(/red-flag symptom/);
      }
    }
  });

  it('fires no soreness rule for the report without a number; the symptom rules decide', () => {
    const a = triage(
      { session: calf, reports: [{ hoursAfter: 100, soreness: null, symptoms: ['fever'] }] },
      RULEBOOK_V1,
    );
    expect(a.ruleIds).toEqual(['fever']);
    expect(a.soreness).toBeNull();
    const chest = triage(
      { session: thoracic, reports: [{ hoursAfter: 9, soreness: null, symptoms: ['chest_pain'] }] },
      RULEBOOK_V1,
    );
    expect(chest.disposition).toBe('emergency');
    expect(chest.rules[0]?.patientText.en).toMatch(/lung/i);
  });

  it('a dry cough without a number after a non-thoracic session is the expected course', () => {
    const a = triage(
      { session: calf, reports: [{ hoursAfter: 30, soreness: null, symptoms: ['dry_cough'] }] },
      RULEBOOK_V1,
    );
    expect(a.disposition).toBe('self_care');
  });

  it('skips a report without a number when finding the previous soreness (never reads it as 0)', () => {
    // 2 at 48 h, a number-less report at 96 h, then 6 at 120 h: the rise is 6 − 2 = 4.
    const a = triage(
      {
        session: calf,
        reports: [
          { hoursAfter: 48, soreness: 2, symptoms: [] },
          { hoursAfter: 96, soreness: null, symptoms: ['spreading_redness'] },
          { hoursAfter: 120, soreness: 6, symptoms: [] },
        ],
      },
      RULEBOOK_V1,
    );
    expect(a.ruleIds).toContain('pain_worsening');
    const noEarlier = triage(
      {
        session: calf,
        reports: [
          { hoursAfter: 96, soreness: null, symptoms: ['fever'] },
          { hoursAfter: 120, soreness: 3, symptoms: [] },
        ],
      },
      RULEBOOK_V1,
    );
    // No earlier report has a number: "no previous report" for the lingering rule.
    expect(noEarlier.ruleIds).toEqual(['lingering_soreness']);
    expect(noEarlier.ruleIds).not.toContain('pain_worsening');
  });

  // Found by this property in CI (forty-sixth round): a same-hour sibling's number was read as
  // the only possible previous report, hiding the rise from the hour before (decision 0004).
  it('a number on a simultaneous red-flag report does not hide a rise from the hour before', () => {
    const neck = { sites: [{ muscle: 'suboccipitals' }] };
    const at48 = (soreness: number | null): TriageCase => ({
      session: neck,
      reports: [
        { hoursAfter: 0, soreness: 0, symptoms: [] },
        { hoursAfter: 48, soreness: 7, symptoms: [] },
        { hoursAfter: 48, soreness, symptoms: ['dry_cough'] },
      ],
    });
    for (const soreness of [null, 0, 6, 7, 8, 10]) {
      const a = triage(at48(soreness), RULEBOOK_V1);
      expect(a.disposition, String(soreness)).toBe('urgent_same_day');
      expect(a.ruleIds, String(soreness)).toContain('pain_worsening');
    }
  });

  it('giving a number to the assessed red-flag report never lowers its disposition', () => {
    fc.assert(
      fc.property(caseArb({ ties: true }), sorenessArb, (input, soreness) => {
        const last = input.reports[input.reports.length - 1];
        if (last === undefined || last.soreness !== null) return true;
        return notLower(
          withLast(input, (r) => ({ ...r, soreness })),
          input,
        );
      }),
      { numRuns: 2000 },
    );
  });
});

/** A case with one far-from-chest site unless a muscle is given. */
function c(reports: [number, number, SymptomCode[]?][], muscle = 'quadriceps'): TriageCase {
  return {
    session: { sites: [{ muscle }] },
    reports: reports.map(([hoursAfter, soreness, symptoms = []]) => ({
      hoursAfter,
      soreness,
      symptoms,
    })),
  };
}

describe('rules, one table per rule with the boundaries', () => {
  const cases: [string, TriageCase, string, string[]][] = [
    // breathing_or_chest: any time, any site, never lowered
    [
      'chest pain, calf, 0 h',
      c([[0, 0, ['chest_pain']]], 'gastrocnemius'),
      'emergency',
      ['breathing_or_chest'],
    ],
    [
      'breathless at 300 h, improving',
      c([
        [200, 5],
        [300, 0, ['shortness_of_breath']],
      ]),
      'emergency',
      ['breathing_or_chest'],
    ],
    [
      'pleuritic pain',
      c([[3, 2, ['pain_on_breathing']]], 'upper-trapezius'),
      'emergency',
      ['breathing_or_chest'],
    ],
    // infection_signs, fever, nerve, fainting
    ['discharge', c([[30, 1, ['discharge']]]), 'urgent_same_day', ['infection_signs']],
    ['swelling', c([[30, 1, ['significant_swelling']]]), 'urgent_same_day', ['infection_signs']],
    ['fever', c([[30, 1, ['fever']]]), 'urgent_same_day', ['fever']],
    ['weakness', c([[1, 1, ['weakness_beyond_area']]]), 'urgent_same_day', ['nerve_symptoms']],
    ['fainting', c([[1, 1, ['fainting']]]), 'urgent_same_day', ['fainting']],
    // thoracic_cough: only when thoracic
    [
      'dry cough, thoracic',
      c([[20, 2, ['dry_cough']]], 'scalenes'),
      'urgent_same_day',
      ['thoracic_cough'],
    ],
    ['dry cough, leg', c([[20, 2, ['dry_cough']]], 'hamstrings'), 'self_care', ['expected_course']],
    // pain_worsening: delta 2 vs 1; 48 h boundary; severe
    [
      'rise 2 at exactly 48 h, moderate',
      c([
        [24, 2],
        [48, 4],
      ]),
      'self_care',
      ['expected_course'],
    ],
    [
      'rise 2 at 48.5 h',
      c([
        [24, 2],
        [48.5, 4],
      ]),
      'urgent_same_day',
      ['pain_worsening'],
    ],
    [
      'rise 1 at 60 h',
      c([
        [24, 2],
        [60, 3],
      ]),
      'self_care',
      ['expected_course'],
    ],
    [
      'rise 2 to 7 at 10 h',
      c([
        [2, 5],
        [10, 7],
      ]),
      'urgent_same_day',
      ['pain_worsening', 'severe_soreness'],
    ],
    [
      'rise 1 to 7 at 10 h',
      c([
        [2, 6],
        [10, 7],
      ]),
      'contact_practitioner',
      ['severe_soreness'],
    ],
    [
      'rise 3 to 6 at 24 h (build-up)',
      c([
        [1, 3],
        [24, 6],
      ]),
      'self_care',
      ['expected_course'],
    ],
    // severe_not_easing / severe_soreness around 72 h
    [
      'severe at exactly 72 h',
      c([
        [48, 8],
        [72, 8],
      ]),
      'contact_practitioner',
      ['severe_soreness'],
    ],
    [
      'severe at 72.5 h, same',
      c([
        [48, 8],
        [72.5, 8],
      ]),
      'urgent_same_day',
      ['severe_not_easing', 'lingering_soreness'],
    ],
    [
      'severe at 80 h, easing',
      c([
        [48, 9],
        [80, 7],
      ]),
      'contact_practitioner',
      ['lingering_soreness'],
    ],
    [
      'severe at 80 h, first report',
      c([[80, 7]]),
      'urgent_same_day',
      ['severe_not_easing', 'lingering_soreness'],
    ],
    // lingering_soreness around 72 and 96 h
    ['3 at exactly 72 h', c([[72, 3]]), 'self_care', ['expected_course']],
    ['1 at 73 h, first report', c([[73, 1]]), 'contact_practitioner', ['lingering_soreness']],
    [
      '2 at 80 h, easing from 3',
      c([
        [60, 3],
        [80, 2],
      ]),
      'self_care',
      ['expected_course'],
    ],
    [
      '2 at 80 h, not easing',
      c([
        [60, 2],
        [80, 2],
      ]),
      'contact_practitioner',
      ['lingering_soreness'],
    ],
    [
      '4 at 73 h, easing from 6',
      c([
        [49, 6],
        [73, 4],
      ]),
      'contact_practitioner',
      ['lingering_soreness'],
    ],
    [
      '1 at exactly 96 h, easing',
      c([
        [72, 3],
        [96, 1],
      ]),
      'self_care',
      ['expected_course'],
    ],
    [
      '1 at 96.5 h, easing',
      c([
        [72, 3],
        [96.5, 1],
      ]),
      'contact_practitioner',
      ['lingering_soreness'],
    ],
    [
      '0 at 200 h',
      c([
        [100, 2],
        [200, 0],
      ]),
      'self_care',
      ['expected_course'],
    ],
    // expected symptoms never raise anything
    [
      'bruising, bleeding, tiredness',
      c([[3, 4, ['bruising', 'minor_bleeding', 'tiredness', 'tenderness']]]),
      'self_care',
      ['expected_course'],
    ],
  ];
  it.each(cases)('%s', (_name, input, disposition, rules) => {
    expect(validateCase(input).ok).toBe(true);
    const a = triage(input, RULEBOOK_V1);
    expect(a.disposition).toBe(disposition);
    expect(a.ruleIds).toEqual(rules);
  });

  it('names a possible collapsed lung only for thoracic sessions', () => {
    const thoracic = triage(c([[5, 2, ['chest_pain']]], 'pectoralis-major'), RULEBOOK_V1);
    const leg = triage(c([[5, 2, ['chest_pain']]], 'quadriceps'), RULEBOOK_V1);
    expect(thoracic.rules[0]?.patientText.en).toMatch(/collapsed lung/);
    expect(thoracic.rules[0]?.patientText.es).toMatch(/pulmón colapsado/);
    expect(leg.rules[0]?.patientText.en).not.toMatch(/collapsed lung/);
  });

  it('reports phase and expected band of the assessed hour', () => {
    expect(triage(c([[5, 2]]), RULEBOOK_V1)).toMatchObject({
      phase: 'early',
      expectedBand: { max: 6 },
    });
    expect(triage(c([[48, 2]]), RULEBOOK_V1)).toMatchObject({
      phase: 'peak',
      expectedBand: { max: 6 },
    });
    expect(triage(c([[60, 2]]), RULEBOOK_V1)).toMatchObject({
      phase: 'easing',
      expectedBand: { max: 3 },
    });
    expect(triage(c([[90, 0]]), RULEBOOK_V1)).toMatchObject({
      phase: 'beyond',
      expectedBand: { max: 0, toleratedMax: 3 },
    });
  });
});

const rank = (c: TriageCase) => triage(c, RULEBOOK_V1).disposition;
const notLower = (after: TriageCase, before: TriageCase) =>
  compareDispositions(rank(after), rank(before)) >= 0;

describe('agreement with RULES.md on generated cases', () => {
  const thoracicSet = thoracicMusclesFromSpec();
  it('matches an independent reading of the rule table (disposition and fired rules, in order)', () => {
    fc.assert(
      fc.property(caseArb(), (input) => {
        const expected = oracle(
          {
            session: { sites: input.session.sites.map((s) => ({ ...s })) },
            reports: input.reports.map((r) => ({ ...r, symptoms: [...r.symptoms] })),
          },
          thoracicSet,
        );
        const a = triage(input, RULEBOOK_V1);
        expect(a.disposition).toBe(expected.disposition);
        expect(a.ruleIds).toEqual(expected.rules);
      }),
      { numRuns: 5000 },
    );
  });
});

describe('safety properties (RULES.md)', () => {
  const runs = { numRuns: 2000 };

  it('adding a symptom never lowers the disposition', () => {
    fc.assert(
      fc.property(caseArb({ ties: true }), fc.constantFrom(...SYMPTOM_CODES), (input, code) => {
        const added = withLast(input, (r) => ({
          ...r,
          symptoms: r.symptoms.includes(code) ? r.symptoms : [...r.symptoms, code],
        }));
        return notLower(added, input);
      }),
      runs,
    );
  });

  it('raising the last soreness never lowers the disposition', () => {
    fc.assert(
      fc.property(caseArb(), fc.integer({ min: 1, max: 10 }), (input, by) => {
        const raised = withLast(input, (r) => ({
          ...r,
          soreness: r.soreness === null ? null : Math.min(10, r.soreness + by),
        }));
        return notLower(raised, input);
      }),
      runs,
    );
  });

  // With simultaneous last reports any of them may be "the last" (decision 0004), so raising
  // one that is not the highest can shrink a rise read from it to a higher sibling. The
  // patient's latest number is then the highest of the group: raising that never lowers.
  it('with simultaneous last reports, raising the highest soreness never lowers it', () => {
    fc.assert(
      fc.property(caseArb({ ties: true }), fc.integer({ min: 1, max: 10 }), (input, by) => {
        const lastHour = input.reports[input.reports.length - 1]?.hoursAfter;
        let top = -1;
        input.reports.forEach((r, i) => {
          const best = top === -1 ? null : (input.reports[top]?.soreness ?? null);
          if (
            r.hoursAfter === lastHour &&
            r.soreness !== null &&
            (best === null || r.soreness >= best)
          )
            top = i;
        });
        if (top === -1) return true;
        const raised = {
          ...input,
          reports: input.reports.map((r, i) =>
            i === top && r.soreness !== null
              ? { ...r, soreness: Math.min(10, r.soreness + by) }
              : r,
          ),
        };
        return notLower(raised, input);
      }),
      runs,
    );
  });

  it('adding a site never lowers the disposition', () => {
    fc.assert(
      fc.property(caseArb({ ties: true }), siteArb, (input, site) =>
        notLower({ ...input, session: { sites: [...input.session.sites, site] } }, input),
      ),
      runs,
    );
  });

  it('the result depends on report times only, not on the order reports arrive in', () => {
    fc.assert(
      fc.property(
        caseArb({ ties: true }),
        fc.infiniteStream(fc.double({ min: 0, max: 1, noNaN: true })),
        (input, randoms) => {
          const shuffled = [...input.reports]
            .map((r) => ({ r, k: randoms.next().value as number }))
            .sort((a, b) => a.k - b.k)
            .map((x) => x.r);
          const a = triage(input, RULEBOOK_V1);
          const b = triage({ ...input, reports: shuffled }, RULEBOOK_V1);
          expect(b.disposition).toBe(a.disposition);
          expect([...b.ruleIds].sort()).toEqual([...a.ruleIds].sort());
        },
      ),
      runs,
    );
  });

  it('simultaneous reports never answer lower than any order of them would', () => {
    const thoracicSet = thoracicMusclesFromSpec();
    fc.assert(
      fc.property(caseArb({ ties: true }), (input) => {
        const expected = oracle(
          {
            session: { sites: [...input.session.sites] },
            reports: input.reports.map((r) => ({ ...r, symptoms: [...r.symptoms] })),
          },
          thoracicSet,
        );
        return compareDispositions(rank(input), expected.disposition as never) >= 0;
      }),
      runs,
    );
  });

  it('breathing or chest symptoms are an emergency whatever the site, soreness or hour', () => {
    fc.assert(
      fc.property(
        caseArb({ ties: true }),
        fc.constantFrom<SymptomCode>('chest_pain', 'shortness_of_breath', 'pain_on_breathing'),
        hoursArb,
        sorenessArb,
        (input, code, _h, _s) => {
          const withChest = withLast(input, (r) => ({
            ...r,
            symptoms: r.symptoms.includes(code) ? r.symptoms : [...r.symptoms, code],
          }));
          const a = triage(withChest, RULEBOOK_V1);
          return a.disposition === 'emergency' && a.ruleIds[0] === 'breathing_or_chest';
        },
      ),
      runs,
    );
  });

  it('every fired rule is reported, highest first, and the disposition is the highest', () => {
    fc.assert(
      fc.property(caseArb({ ties: true }), (input) => {
        const a = triage(input, RULEBOOK_V1);
        expect(a.rules.length).toBeGreaterThan(0);
        expect(a.rules[0]?.disposition).toBe(a.disposition);
        for (let i = 1; i < a.rules.length; i++) {
          expect(
            compareDispositions(
              a.rules[i - 1]?.disposition ?? 'self_care',
              a.rules[i]?.disposition ?? 'self_care',
            ),
          ).toBeGreaterThanOrEqual(0);
        }
        expect(a.ruleIds.includes('expected_course')).toBe(
          a.ruleIds.length === 1 && a.disposition === 'self_care',
        );
      }),
      runs,
    );
  });
});
