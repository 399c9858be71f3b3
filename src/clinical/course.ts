import type { RuleParameters } from './parameters.ts';
import { DEFAULT_PARAMETERS } from './parameters.ts';
import type { Phase, SorenessBand, Text } from './types.ts';

/** Soreness in the first hours is the needling itself; the expected peak follows. */
export const EARLY_END_H = 6;

/**
 * Phase of recovery at an hour after the session (RULES.md "Expected course"):
 * `early` < 6 h ≤ `peak` ≤ 48 h < `easing` ≤ 72 h < `beyond`.
 */
export function phaseAt(hoursAfter: number, params: RuleParameters = DEFAULT_PARAMETERS): Phase {
  if (hoursAfter < EARLY_END_H) return 'early';
  if (hoursAfter <= params.peakEndH) return 'peak';
  if (hoursAfter <= params.lingerEndH) return 'easing';
  return 'beyond';
}

/**
 * The expected soreness band at an hour: 0–6 up to 48 h, 0–3 to 72 h, 0 after, with a mild
 * easing ache (≤ 3) tolerated to 96 h. It spans both the trials (highest right after
 * needling, near zero by 48 h) and the article (a later peak), so neither is flagged.
 */
export function expectedBandAt(
  hoursAfter: number,
  params: RuleParameters = DEFAULT_PARAMETERS,
): SorenessBand {
  const moderateMax = params.severeMin - 1;
  if (hoursAfter <= params.peakEndH) return { min: 0, max: moderateMax, toleratedMax: moderateMax };
  if (hoursAfter <= params.lingerEndH)
    return { min: 0, max: params.mildMax, toleratedMax: params.mildMax };
  if (hoursAfter <= params.graceEndH) return { min: 0, max: 0, toleratedMax: params.mildMax };
  return { min: 0, max: 0, toleratedMax: 0 };
}

/** Points of the band's upper edge, for charts: [hoursAfter, max, toleratedMax] steps. */
export function expectedBandSteps(
  untilH: number,
  params: RuleParameters = DEFAULT_PARAMETERS,
): readonly { readonly fromH: number; readonly toH: number; readonly band: SorenessBand }[] {
  const edges = [
    0,
    params.peakEndH,
    params.lingerEndH,
    params.graceEndH,
    Math.max(untilH, params.graceEndH),
  ];
  const steps: { fromH: number; toH: number; band: SorenessBand }[] = [];
  for (let i = 0; i + 1 < edges.length; i++) {
    const fromH = edges[i] ?? 0;
    const toH = edges[i + 1] ?? fromH;
    if (toH > fromH) steps.push({ fromH, toH, band: expectedBandAt(toH, params) });
  }
  return steps;
}

/** What is normal now, in the patient's words. */
export const PHASE_TEXT: Readonly<Record<Phase, Text>> = {
  early: {
    en: 'The first hours: an ache or tenderness where the needles went in is normal and often at its strongest now.',
    es: 'Primeras horas: es normal notar dolor o molestia donde entraron las agujas, y suele ser ahora cuando más se nota.',
  },
  peak: {
    en: 'The first two days: a deep ache, like after a hard workout, is normal. Up to 6 out of 10 is within the usual range.',
    es: 'Primeros dos días: es normal un dolor profundo, como después de un entrenamiento duro. Hasta 6 sobre 10 está dentro de lo habitual.',
  },
  easing: {
    en: 'Days two to three: the ache should be easing. A mild ache (3 out of 10 or less) is still normal.',
    es: 'Del segundo al tercer día: el dolor debería ir bajando. Una molestia leve (3 sobre 10 o menos) sigue siendo normal.',
  },
  beyond: {
    en: 'After three days: the soreness from needling is usually gone. A faint ache that keeps easing can last a little longer.',
    es: 'Después de tres días: el dolor por la punción normalmente ha desaparecido. Una molestia ligera que sigue bajando puede durar un poco más.',
  },
};
