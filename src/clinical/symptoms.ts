import type { SymptomCode, Text } from './types.ts';

export const SYMPTOM_GROUPS = [
  'breathing_chest',
  'needle_sites',
  'whole_body',
  'nerves',
  'expected',
] as const;
export type SymptomGroup = (typeof SYMPTOM_GROUPS)[number];

export interface SymptomInfo {
  readonly code: SymptomCode;
  readonly group: SymptomGroup;
  /** The checklist question, in the patient's words. */
  readonly label: Text;
}

export const SYMPTOM_GROUP_NAMES: Readonly<Record<SymptomGroup, Text>> = {
  breathing_chest: { en: 'Breathing and chest', es: 'Respiración y pecho' },
  needle_sites: { en: 'Where the needles went in', es: 'Donde entraron las agujas' },
  whole_body: { en: 'How you feel overall', es: 'Cómo se encuentra en general' },
  nerves: { en: 'Numbness, tingling or weakness', es: 'Adormecimiento, hormigueo o debilidad' },
  expected: { en: 'Common and expected', es: 'Habitual y esperable' },
};

/** The checklist, breathing and chest questions first (RULES.md symptom codes). */
export const SYMPTOMS: readonly SymptomInfo[] = [
  {
    code: 'chest_pain',
    group: 'breathing_chest',
    label: { en: 'Pain in my chest', es: 'Dolor en el pecho' },
  },
  {
    code: 'shortness_of_breath',
    group: 'breathing_chest',
    label: {
      en: 'I get out of breath, even only when I walk or climb stairs',
      es: 'Me falta el aire, aunque sea solo al caminar o subir escaleras',
    },
  },
  {
    code: 'pain_on_breathing',
    group: 'breathing_chest',
    label: {
      en: 'Pain in my chest, upper back or shoulder that gets worse when I breathe in',
      es: 'Dolor en el pecho, la parte alta de la espalda o el hombro que aumenta al tomar aire',
    },
  },
  {
    code: 'dry_cough',
    group: 'breathing_chest',
    label: { en: 'A new dry cough', es: 'Una tos seca nueva' },
  },
  {
    code: 'spreading_redness',
    group: 'needle_sites',
    label: {
      en: 'Redness around a needle spot that is spreading',
      es: 'Enrojecimiento alrededor de un punto de aguja que se extiende',
    },
  },
  {
    code: 'increased_warmth',
    group: 'needle_sites',
    label: { en: 'A needle spot feels hot', es: 'Un punto de aguja está caliente' },
  },
  {
    code: 'significant_swelling',
    group: 'needle_sites',
    label: { en: 'Clear swelling at a needle spot', es: 'Hinchazón evidente en un punto de aguja' },
  },
  {
    code: 'discharge',
    group: 'needle_sites',
    label: {
      en: 'Fluid or pus coming out of a needle spot',
      es: 'Sale líquido o pus de un punto de aguja',
    },
  },
  {
    code: 'fever',
    group: 'whole_body',
    label: {
      en: 'Fever (38 °C / 100.4 °F or more), or feeling feverish with chills',
      es: 'Fiebre (38 °C o más), o sensación de fiebre con escalofríos',
    },
  },
  {
    code: 'fainting',
    group: 'whole_body',
    label: {
      en: 'I fainted or nearly fainted since leaving the clinic',
      es: 'Me he desmayado o casi desmayado desde que salí de la consulta',
    },
  },
  {
    code: 'numbness_beyond_area',
    group: 'nerves',
    label: {
      en: 'Numbness beyond the treated area',
      es: 'Adormecimiento más allá de la zona tratada',
    },
  },
  {
    code: 'tingling_beyond_area',
    group: 'nerves',
    label: {
      en: 'Tingling or pins and needles beyond the treated area',
      es: 'Hormigueo más allá de la zona tratada',
    },
  },
  {
    code: 'weakness_beyond_area',
    group: 'nerves',
    label: { en: 'Weakness beyond the treated area', es: 'Debilidad más allá de la zona tratada' },
  },
  { code: 'bruising', group: 'expected', label: { en: 'A bruise', es: 'Un moratón' } },
  {
    code: 'tenderness',
    group: 'expected',
    label: { en: 'Tender to touch', es: 'Molestia al tocar' },
  },
  { code: 'tiredness', group: 'expected', label: { en: 'Tired', es: 'Cansancio' } },
  {
    code: 'minor_bleeding',
    group: 'expected',
    label: { en: 'A little bleeding that stopped', es: 'Un poco de sangrado que ya paró' },
  },
];
