import { DEFAULT_PARAMETERS } from './parameters.ts';
import type { Condition, Rule, Rulebook } from './rulebook.ts';

const p = {
  mildMax: { param: 'mildMax' },
  severeMin: { param: 'severeMin' },
  worseningDelta: { param: 'worseningDelta' },
  peakEndH: { param: 'peakEndH' },
  lingerEndH: { param: 'lingerEndH' },
  graceEndH: { param: 'graceEndH' },
} as const;

/** "No previous report, or soreness ≥ previous": the ache is not easing. */
const notEasing: Condition = {
  kind: 'any',
  of: [{ kind: 'noPreviousReport' }, { kind: 'sorenessRise', op: 'gte', value: 0 }],
};

const ARTICLE = 'Seed article, "Signs that require medical consultation"';

/**
 * Rulebook v1: RULES.md as data. The triage is the highest disposition of all rules that
 * fire; `expected_course` fires only when nothing else does.
 */
export const RULEBOOK_V1: Rulebook = {
  version: '1.1.0',
  parameters: DEFAULT_PARAMETERS,
  rules: [
    {
      id: 'breathing_or_chest',
      disposition: 'emergency',
      when: {
        kind: 'anySymptom',
        symptoms: ['chest_pain', 'shortness_of_breath', 'pain_on_breathing'],
      },
      configurable: false,
      texts: {
        patient: {
          en: 'Chest pain, getting out of breath, or pain that is worse when you breathe in must be checked by a doctor straight away, even if it seems mild or you feel it is probably nothing.',
          es: 'El dolor en el pecho, la falta de aire o un dolor que aumenta al respirar deben ser revisados por un médico de inmediato, aunque parezca leve o crea que no es nada.',
        },
        patientThoracic: {
          en: 'You were needled near your chest. Chest pain, getting out of breath, or pain that is worse when you breathe in can be a sign of a collapsed lung. This needs a doctor straight away, even if it seems mild.',
          es: 'Le pusieron agujas cerca del tórax. El dolor en el pecho, la falta de aire o un dolor que aumenta al respirar pueden ser señal de un pulmón colapsado (neumotórax). Necesita un médico de inmediato, aunque parezca leve.',
        },
        clinician: {
          en: 'Chest pain, dyspnoea (including on exertion) or pleuritic pain reported: treat as possible pneumothorax until excluded. Onset can be delayed up to ~48 h and vital signs may be normal. Never downgraded by site, soreness trend or interval.',
          es: 'Refiere dolor torácico, disnea (también de esfuerzo) o dolor pleurítico: tratar como posible neumotórax hasta descartarlo. El inicio puede retrasarse hasta ~48 h y las constantes pueden ser normales. No se rebaja por zona, evolución del dolor ni tiempo transcurrido.',
        },
      },
      source: `${ARTICLE}; RULES.md v1; clinical-evidence §4 (pneumothorax cases S22a–S22m: onset minutes to ~2 days, pleuritic pain, dyspnoea; practitioners who reassured such patients)`,
    },
    {
      id: 'infection_signs',
      disposition: 'urgent_same_day',
      when: {
        kind: 'anySymptom',
        symptoms: ['spreading_redness', 'increased_warmth', 'significant_swelling', 'discharge'],
      },
      configurable: true,
      texts: {
        patient: {
          en: 'Redness that spreads, heat, clear swelling or fluid at a needle spot can mean an infection. Contact your practitioner or a doctor today.',
          es: 'Un enrojecimiento que se extiende, calor, hinchazón evidente o líquido en un punto de aguja pueden indicar una infección. Contacte hoy con su fisioterapeuta o con un médico.',
        },
        clinician: {
          en: 'Local signs of infection at a needle site (spreading erythema, warmth, swelling or discharge). Same-day assessment; deep infection and abscess have been reported days to weeks after needling.',
          es: 'Signos locales de infección en un punto de punción (eritema que se extiende, calor, tumefacción o exudado). Valoración en el día; se han descrito infecciones profundas y abscesos días o semanas después.',
        },
      },
      source: `${ARTICLE}; clinical-evidence §2.3 (S25a–S25e)`,
    },
    {
      id: 'fever',
      disposition: 'urgent_same_day',
      when: { kind: 'anySymptom', symptoms: ['fever'] },
      configurable: true,
      texts: {
        patient: {
          en: 'A fever after needling should be checked. Contact your practitioner or a doctor today.',
          es: 'La fiebre después de la punción debe revisarse. Contacte hoy con su fisioterapeuta o con un médico.',
        },
        clinician: {
          en: 'Fever (≥ 38 °C or feverish with chills) after needling: same-day review to exclude deep infection, which may show fever before visible redness.',
          es: 'Fiebre (≥ 38 °C o sensación febril con escalofríos) tras la punción: revisión en el día para descartar infección profunda, que puede dar fiebre antes que enrojecimiento.',
        },
      },
      source:
        'RULES.md v1 (added to the article); clinical-evidence §2.3 (deep infection with fever, S25a, S25e)',
    },
    {
      id: 'nerve_symptoms',
      disposition: 'urgent_same_day',
      when: {
        kind: 'anySymptom',
        symptoms: ['numbness_beyond_area', 'tingling_beyond_area', 'weakness_beyond_area'],
      },
      configurable: true,
      texts: {
        patient: {
          en: 'New numbness, tingling or weakness beyond the treated area should be checked. Contact your practitioner or a doctor today.',
          es: 'Un adormecimiento, hormigueo o debilidad nuevos más allá de la zona tratada deben revisarse. Contacte hoy con su fisioterapeuta o con un médico.',
        },
        clinician: {
          en: 'New numbness, paraesthesia or weakness beyond the treated area: possible nerve irritation or injury. Same-day neurological check.',
          es: 'Hipoestesia, parestesias o debilidad nuevas fuera de la zona tratada: posible irritación o lesión nerviosa. Exploración neurológica en el día.',
        },
      },
      source: `${ARTICLE}; clinical-evidence §2.3 (radial nerve injury, S26)`,
    },
    {
      id: 'fainting',
      disposition: 'urgent_same_day',
      when: { kind: 'anySymptom', symptoms: ['fainting'] },
      configurable: true,
      texts: {
        patient: {
          en: 'Fainting or nearly fainting after you left the clinic should be checked. Contact your practitioner or a doctor today, and do not drive until you have.',
          es: 'Desmayarse o casi desmayarse después de salir de la consulta debe revisarse. Contacte hoy con su fisioterapeuta o con un médico, y no conduzca hasta hacerlo.',
        },
        clinician: {
          en: 'Syncope or near-syncope after leaving the clinic: same-day review (vasovagal most likely; exclude other causes).',
          es: 'Síncope o presíncope tras salir de la consulta: revisión en el día (lo más probable es vasovagal; descartar otras causas).',
        },
      },
      source:
        'RULES.md v1 (added to the article); clinical-evidence §5 (S19b: autonomic reactions)',
    },
    {
      id: 'thoracic_cough',
      disposition: 'urgent_same_day',
      when: {
        kind: 'all',
        of: [{ kind: 'anySymptom', symptoms: ['dry_cough'] }, { kind: 'thoracic' }],
      },
      configurable: true,
      texts: {
        patient: {
          en: 'You were needled near your chest and now have a new dry cough. This can rarely be an early sign of a collapsed lung. Contact your practitioner or a doctor today.',
          es: 'Le pusieron agujas cerca del tórax y ahora tiene una tos seca nueva. En raras ocasiones puede ser un primer signo de pulmón colapsado. Contacte hoy con su fisioterapeuta o con un médico.',
        },
        clinician: {
          en: 'New dry cough after thoracic-region needling: possible early pneumothorax (reported with or before dyspnoea). Same-day assessment.',
          es: 'Tos seca nueva tras punción en región torácica: posible neumotórax incipiente (descrito con o antes de la disnea). Valoración en el día.',
        },
      },
      source: 'RULES.md v1; clinical-evidence §4 (S22e, S22g: dry cough with pneumothorax)',
    },
    {
      id: 'pain_worsening',
      disposition: 'urgent_same_day',
      when: {
        kind: 'all',
        of: [
          { kind: 'sorenessRise', op: 'gte', value: p.worseningDelta },
          {
            kind: 'any',
            of: [
              { kind: 'hoursAfter', op: 'gt', value: p.peakEndH },
              { kind: 'soreness', op: 'gte', value: p.severeMin },
            ],
          },
        ],
      },
      configurable: true,
      texts: {
        patient: {
          en: 'Your pain has become clearly worse. That is not the usual course after needling. Contact your practitioner or a doctor today.',
          es: 'Su dolor ha empeorado claramente. No es la evolución habitual tras la punción. Contacte hoy con su fisioterapeuta o con un médico.',
        },
        clinician: {
          en: 'Soreness rose by ≥ 2 NRS points since the previous report, after 48 h or to severe (≥ 7). Post-needling soreness normally falls; a rise can precede infection or other complications.',
          es: 'El dolor subió ≥ 2 puntos EVN desde el informe anterior, después de 48 h o hasta intenso (≥ 7). El dolor tras la punción suele bajar; un aumento puede preceder a una infección u otras complicaciones.',
        },
      },
      source: `${ARTICLE} ("pain that significantly worsens"); clinical-evidence §1.6 and §6 (2-point change is meaningful, S28d)`,
    },
    {
      id: 'severe_not_easing',
      disposition: 'urgent_same_day',
      when: {
        kind: 'all',
        of: [
          { kind: 'hoursAfter', op: 'gt', value: p.lingerEndH },
          { kind: 'soreness', op: 'gte', value: p.severeMin },
          notEasing,
        ],
      },
      configurable: true,
      texts: {
        patient: {
          en: 'Your pain is still severe and not easing after three days. Contact your practitioner or a doctor today.',
          es: 'Su dolor sigue siendo intenso y no baja después de tres días. Contacte hoy con su fisioterapeuta o con un médico.',
        },
        clinician: {
          en: 'Severe soreness (≥ 7) after 72 h that is not lower than the previous report.',
          es: 'Dolor intenso (≥ 7) pasadas 72 h y no menor que en el informe anterior.',
        },
      },
      source: `${ARTICLE} ("severe pain that does not begin to lessen after the first 72 hours")`,
    },
    {
      id: 'severe_soreness',
      disposition: 'contact_practitioner',
      when: {
        kind: 'all',
        of: [
          { kind: 'hoursAfter', op: 'lte', value: p.lingerEndH },
          { kind: 'soreness', op: 'gte', value: p.severeMin },
        ],
      },
      configurable: true,
      texts: {
        patient: {
          en: 'Your soreness is stronger than most people have after needling. Let your practitioner know within a day. Rest the area and use the advice below.',
          es: 'Su dolor es más fuerte de lo que suele notar la mayoría tras la punción. Avise a su fisioterapeuta en el plazo de un día. Deje descansar la zona y siga los consejos de abajo.',
        },
        clinician: {
          en: 'Severe soreness (≥ 7) within the first 72 h: above the expected mild-to-moderate range.',
          es: 'Dolor intenso (≥ 7) en las primeras 72 h: por encima del rango leve a moderado esperado.',
        },
      },
      source: `${ARTICLE} ("generally mild to moderate"); clinical-evidence §6 (severe = NRS 7–10)`,
    },
    {
      id: 'lingering_soreness',
      disposition: 'contact_practitioner',
      when: {
        kind: 'any',
        of: [
          {
            kind: 'all',
            of: [
              { kind: 'hoursAfter', op: 'gt', value: p.lingerEndH },
              {
                kind: 'any',
                of: [
                  { kind: 'soreness', op: 'gt', value: p.mildMax },
                  { kind: 'all', of: [{ kind: 'soreness', op: 'gte', value: 1 }, notEasing] },
                ],
              },
            ],
          },
          {
            kind: 'all',
            of: [
              { kind: 'hoursAfter', op: 'gt', value: p.graceEndH },
              { kind: 'soreness', op: 'gte', value: 1 },
            ],
          },
        ],
      },
      configurable: true,
      texts: {
        patient: {
          en: 'Needling soreness has usually gone by now. Let your practitioner know within a day so they can check how you are.',
          es: 'A estas alturas el dolor de la punción suele haber desaparecido. Avise a su fisioterapeuta en el plazo de un día para que pueda ver cómo está.',
        },
        clinician: {
          en: 'Soreness persisting beyond 72 h (moderate, or mild and not easing), or any soreness beyond 96 h.',
          es: 'Dolor que persiste más de 72 h (moderado, o leve sin mejoría), o cualquier dolor pasadas 96 h.',
        },
      },
      source: `${ARTICLE} ("a mild ache may linger for up to 72 hours"); clinical-evidence §1.3 (resolution within 24–48 h)`,
    },
    {
      id: 'expected_course',
      disposition: 'self_care',
      when: 'no_other_rule',
      configurable: false,
      texts: {
        patient: {
          en: 'What you describe is the usual course after dry needling. The advice below can help.',
          es: 'Lo que describe es la evolución habitual después de la punción seca. Los consejos de abajo pueden ayudarle.',
        },
        clinician: {
          en: 'Within the expected post-needling course. Nothing to do; trend only.',
          es: 'Dentro de la evolución esperada tras la punción. Nada que hacer; solo seguimiento.',
        },
      },
      source: `Seed article, "Is post-needling soreness normal?" and "Expected timeline"; RULES.md expected course`,
    },
  ] satisfies readonly Rule[],
};
