import type { Questionnaire, QuestionnaireItem } from '@medplum/fhirtypes';
import { SYMPTOMS } from '../../clinical/symptoms.ts';
import type { SymptomCode, Text } from '../../clinical/types.ts';
import {
  FHIR_BASE_CANONICAL,
  MAX_VALUE,
  MIN_VALUE,
  OBSERVATION_EXTRACT,
  PAIN_SEVERITY_0_10,
  SYSTEM,
  TRANSLATION,
} from './codes.ts';

/**
 * The check-in form as one Questionnaire, English with Spanish translations on every text
 * (the core `translation` extension). Its version changes whenever an item, code or answer
 * changes; QuestionnaireResponses cite `url|version`.
 */
export const CHECKIN_QUESTIONNAIRE_URL = `${FHIR_BASE_CANONICAL}/Questionnaire/check-in`;
export const CHECKIN_QUESTIONNAIRE_VERSION = '1.0.0';
export const CHECKIN_QUESTIONNAIRE_ID = 'check-in';

export const LINK_ID = { soreness: 'soreness', symptoms: 'symptoms', note: 'note' } as const;

const SORENESS_TEXT: Text = {
  en: 'How sore is the treated area right now? (0 = not at all, 10 = the worst you can imagine)',
  es: '¿Cuánto le molesta ahora la zona tratada? (0 = nada, 10 = lo peor que pueda imaginar)',
};
const SYMPTOMS_TEXT: Text = {
  en: 'Tick anything you have noticed since the session',
  es: 'Marque lo que haya notado desde la sesión',
};
const NOTE_TEXT: Text = {
  en: 'Anything else you want your practitioner to know',
  es: 'Algo más que quiera contar a su fisioterapeuta',
};

/** `text` in English plus its Spanish translation, as an element and its `_text` sibling. */
function translated(text: Text): { text: string; _text: { extension: object[] } } {
  return {
    text: text.en,
    _text: {
      extension: [
        {
          url: TRANSLATION,
          extension: [
            { url: 'lang', valueCode: 'es' },
            { url: 'content', valueString: text.es },
          ],
        },
      ],
    },
  };
}

/** The display of a symptom code in the local CodeSystem: the checklist's English words. */
export function symptomDisplay(code: SymptomCode): string {
  return SYMPTOMS.find((s) => s.code === code)?.label.en ?? code;
}

export function symptomCoding(code: SymptomCode): {
  system: string;
  code: string;
  display: string;
} {
  return { system: SYSTEM.symptom, code, display: symptomDisplay(code) };
}

export function checkInQuestionnaire(): Questionnaire {
  const items: QuestionnaireItem[] = [
    {
      linkId: LINK_ID.soreness,
      type: 'integer',
      required: true,
      code: [{ ...PAIN_SEVERITY_0_10 }],
      extension: [
        { url: MIN_VALUE, valueInteger: 0 },
        { url: MAX_VALUE, valueInteger: 10 },
        { url: OBSERVATION_EXTRACT, valueBoolean: true },
      ],
      ...translated(SORENESS_TEXT),
    } as QuestionnaireItem,
    {
      linkId: LINK_ID.symptoms,
      type: 'choice',
      repeats: true,
      required: false,
      answerOption: SYMPTOMS.map((s) => ({
        valueCoding: {
          ...symptomCoding(s.code),
          _display: translated(s.label)._text,
        },
      })),
      ...translated(SYMPTOMS_TEXT),
    } as QuestionnaireItem,
    {
      linkId: LINK_ID.note,
      type: 'text',
      required: false,
      ...translated(NOTE_TEXT),
    } as QuestionnaireItem,
  ];
  return {
    resourceType: 'Questionnaire',
    id: CHECKIN_QUESTIONNAIRE_ID,
    url: CHECKIN_QUESTIONNAIRE_URL,
    version: CHECKIN_QUESTIONNAIRE_VERSION,
    name: 'NeedlecareCheckIn',
    title: 'Check-in after dry needling',
    status: 'active',
    language: 'en',
    subjectType: ['Patient'],
    publisher: 'Needlecare',
    description:
      'The short check-in a patient answers after dry needling: soreness 0–10 and a symptom checklist. English, with Spanish translations.',
    item: items,
  };
}
