/**
 * An independent reading of RULES.md's rule table, written as plain if-statements with no
 * shared code from src/clinical, so property tests can compare the data-driven engine with
 * the specification on cases nobody wrote by hand. Cases here have distinct report times.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The project's copy of the triage specification (kept in step with the design folder). */
export const RULES_MD = fileURLToPath(new URL('../docs/clinical/RULES.md', import.meta.url));

export interface OracleCase {
  session: { sites: { muscle: string; side?: string }[] };
  reports: { hoursAfter: number; soreness?: number | null; symptoms: string[] }[];
}

/** The thoracic muscle list, read from RULES.md itself. */
export function thoracicMusclesFromSpec(): Set<string> {
  const spec = readFileSync(RULES_MD, 'utf8');
  const start = spec.indexOf('Thoracic (needling can reach');
  const end = spec.indexOf('Not thoracic:');
  const block = spec.slice(start, end);
  return new Set([...block.matchAll(/`([a-z-]+)`/g)].map((m) => m[1] as string));
}

export function notThoracicMusclesFromSpec(): Set<string> {
  const spec = readFileSync(RULES_MD, 'utf8');
  const start = spec.indexOf('Not thoracic:');
  const end = spec.indexOf('Each entry has a display name');
  return new Set([...spec.slice(start, end).matchAll(/`([a-z-]+)`/g)].map((m) => m[1] as string));
}

const RANK = ['self_care', 'contact_practitioner', 'urgent_same_day', 'emergency'];

export function oracle(
  c: OracleCase,
  thoracicSet: Set<string>,
): { disposition: string; rules: string[] } {
  const last = c.reports[c.reports.length - 1];
  if (last === undefined) throw new Error('no reports');
  // v1.1: the previous report of the soreness rules is the latest earlier one with a soreness;
  // a last report without one fires no soreness rule.
  const prev = c.reports
    .slice(0, -1)
    .filter((r) => typeof r.soreness === 'number')
    .at(-1) as { soreness: number } | undefined;
  const h = last.hoursAfter;
  const scored = typeof last.soreness === 'number';
  const s = scored ? (last.soreness as number) : Number.NaN;
  const sym = new Set(last.symptoms);
  const thoracic = c.session.sites.some((site) => thoracicSet.has(site.muscle));
  const fired: [string, string][] = [];
  const has = (...codes: string[]) => codes.some((code) => sym.has(code));
  if (has('chest_pain', 'shortness_of_breath', 'pain_on_breathing'))
    fired.push(['breathing_or_chest', 'emergency']);
  if (has('spreading_redness', 'increased_warmth', 'significant_swelling', 'discharge'))
    fired.push(['infection_signs', 'urgent_same_day']);
  if (has('fever')) fired.push(['fever', 'urgent_same_day']);
  if (has('numbness_beyond_area', 'tingling_beyond_area', 'weakness_beyond_area'))
    fired.push(['nerve_symptoms', 'urgent_same_day']);
  if (has('fainting')) fired.push(['fainting', 'urgent_same_day']);
  if (has('dry_cough') && thoracic) fired.push(['thoracic_cough', 'urgent_same_day']);
  if (scored && prev !== undefined && s - prev.soreness >= 2 && (h > 48 || s >= 7))
    fired.push(['pain_worsening', 'urgent_same_day']);
  if (scored && h > 72 && s >= 7 && (prev === undefined || s >= prev.soreness))
    fired.push(['severe_not_easing', 'urgent_same_day']);
  if (scored && h <= 72 && s >= 7) fired.push(['severe_soreness', 'contact_practitioner']);
  if (
    scored &&
    ((h > 72 && (s >= 4 || (s >= 1 && (prev === undefined || s >= prev.soreness)))) ||
      (h > 96 && s >= 1))
  ) {
    fired.push(['lingering_soreness', 'contact_practitioner']);
  }
  if (fired.length === 0) fired.push(['expected_course', 'self_care']);
  const ordered = fired
    .map((f, i) => ({ f, i }))
    .sort((a, b) => RANK.indexOf(b.f[1]) - RANK.indexOf(a.f[1]) || a.i - b.i)
    .map((x) => x.f);
  return { disposition: ordered[0]?.[1] ?? 'self_care', rules: ordered.map((f) => f[0]) };
}
