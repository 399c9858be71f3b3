import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hoursArb, reportArb, siteArb } from '../../test/arbitraries.ts';
import { RULEBOOK_V1 } from './rulebook-v1.ts';
import { decidingReports, triage, triageInterpreted } from './triage.ts';
import type { Report, TriageCase } from './types.ts';

/** Hours from a short list, so ties at the last and the previous hour are common. */
const tiedHoursArb = fc.oneof(fc.constantFrom(2, 24, 48, 72, 96.5), hoursArb);

const tiedReportArb = reportArb(tiedHoursArb);

/** Long histories (up to 14 reports) in time order, ties included. */
const historyArb: fc.Arbitrary<TriageCase> = fc
  .record({
    sites: fc.array(siteArb, { minLength: 1, maxLength: 3 }),
    reports: fc.array(tiedReportArb, { minLength: 1, maxLength: 14 }),
  })
  .map(({ sites, reports }) => ({
    session: { sites },
    reports: [...reports].sort((a, b) => a.hoursAfter - b.hoursAfter),
  }));

const decide = (c: TriageCase, reports: readonly Report[]) => {
  const { rules: _texts, ...rest } = triage({ ...c, reports: [...reports] }, RULEBOOK_V1);
  return rest;
};

describe('decidingReports: the reports a triage reads', () => {
  it('triage of the deciding reports equals triage of all of them', () => {
    fc.assert(
      fc.property(historyArb, (c) => {
        const kept = decidingReports(c.reports);
        expect(decide(c, kept)).toEqual(decide(c, c.reports));
        expect(triageInterpreted({ ...c, reports: kept }, RULEBOOK_V1).ruleIds).toEqual(
          triageInterpreted(c, RULEBOOK_V1).ruleIds,
        );
      }),
      { numRuns: 2000 },
    );
  });

  it('is closed: keeping only them while reports arrive decides every report alike', () => {
    fc.assert(
      fc.property(
        historyArb,
        fc.array(tiedReportArb, { minLength: 1, maxLength: 6 }),
        (c, more) => {
          let all = [...c.reports];
          let kept = decidingReports(all);
          for (const next of [...more].sort((a, b) => a.hoursAfter - b.hoursAfter)) {
            all = [...all, next];
            kept = [...kept, next];
            expect(decidingReports(kept)).toEqual(decidingReports(all));
            expect(decide(c, kept)).toEqual(decide(c, all));
          }
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('keeps the last hour whole, the previous hour with a soreness, and nothing older', () => {
    const r = (hoursAfter: number, soreness: number | null): Report => ({
      hoursAfter,
      soreness,
      symptoms: soreness === null ? ['chest_pain'] : [],
    });
    const reports = [r(2, 3), r(24, 5), r(24, 6), r(48, null), r(72, 4), r(72, null)];
    expect(decidingReports(reports)).toEqual([r(24, 5), r(24, 6), r(72, 4), r(72, null)]);
    expect(decidingReports([r(5, null)])).toEqual([r(5, null)]);
  });
});
