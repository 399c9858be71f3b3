import fc from 'fast-check';
import { MUSCLE_IDS } from '../src/clinical/muscles.ts';
import type { Report, Site, SymptomCode, TriageCase } from '../src/clinical/types.ts';
import { hasRedFlag, SIDES, SYMPTOM_CODES } from '../src/clinical/types.ts';

/** Hours that hit the rule boundaries often, and anything in between. */
export const hoursArb: fc.Arbitrary<number> = fc.oneof(
  fc.constantFrom(0, 0.5, 2, 6, 24, 47.9, 48, 48.1, 71.9, 72, 72.1, 95.9, 96, 96.1, 168, 240),
  fc.double({ min: 0, max: 300, noNaN: true, noDefaultInfinity: true }),
  fc.integer({ min: 0, max: 300 }),
);

export const sorenessArb = fc.integer({ min: 0, max: 10 });
export const symptomsArb: fc.Arbitrary<SymptomCode[]> = fc.uniqueArray(
  fc.constantFrom(...SYMPTOM_CODES),
  {
    maxLength: 5,
  },
);
export const siteArb: fc.Arbitrary<Site> = fc.record(
  { muscle: fc.constantFrom(...MUSCLE_IDS), side: fc.constantFrom(...SIDES) },
  { requiredKeys: ['muscle'] },
);

/** One valid report at an hour from `hours`; with a red flag, sometimes without a soreness. */
export function reportArb(hours: fc.Arbitrary<number> = hoursArb): fc.Arbitrary<Report> {
  return fc
    .record({
      hoursAfter: hours,
      soreness: sorenessArb,
      // RULES.md v1.1: a report with a red flag may come without a number
      leaveOut: fc.boolean(),
      symptoms: symptomsArb,
    })
    .map(({ hoursAfter, soreness, leaveOut, symptoms }) => ({
      hoursAfter,
      soreness: leaveOut && hasRedFlag(symptoms) ? null : soreness,
      symptoms,
    }));
}

/** Valid cases: 1–5 reports in time order (ties allowed when `ties` is true). */
export function caseArb(options: { ties?: boolean } = {}): fc.Arbitrary<TriageCase> {
  return fc
    .record({
      sites: fc.array(siteArb, { minLength: 1, maxLength: 4 }),
      reports: fc.array(reportArb(), {
        minLength: 1,
        maxLength: 5,
      }),
    })
    .map(({ sites, reports }) => {
      const sorted = [...reports].sort((a, b) => a.hoursAfter - b.hoursAfter);
      return { session: { sites }, reports: sorted as Report[] };
    })
    .filter(
      (c) =>
        options.ties === true ||
        c.reports.every((r, i) => i === 0 || r.hoursAfter !== c.reports[i - 1]?.hoursAfter),
    );
}

export function withLast(c: TriageCase, change: (r: Report) => Report): TriageCase {
  const last = c.reports[c.reports.length - 1];
  if (last === undefined) return c;
  return { ...c, reports: [...c.reports.slice(0, -1), change(last)] };
}
