import type { SimulationModel } from './model.ts';

/*
 * The alert-burden model, version 1: every rate with its source. The sources are those of the
 * project's evidence summary, docs/clinical/clinical-evidence.md (its S-numbers). Where no figure was
 * published the number is marked `assumption`: a clinic should set it from its own data (the
 * admin page "Alert burden" shows the clinic's real figures beside the simulated ones).
 */

const BRADY = 'Brady et al. 2014, J Man Manip Ther 22:134 (S13): 7,629 treatments';
const BOYCE = 'Boyce et al. 2020, Int J Sports Phys Ther 15:103 (S14): ~20,464 sessions';

export const MODEL_V1: SimulationModel = {
  version: 'sim-1',
  cohort: {
    thoracicShare: {
      value: 0.4,
      basis: 'assumption',
      source:
        'No published case mix; the neck/shoulder girdle is the commonest needled region in the trials and pneumothorax cases (clinical-evidence §1.1, §3). Set your own with --thoracic-share.',
    },
    sitesPerSession: [
      { count: 1, weight: 50 },
      { count: 2, weight: 30 },
      { count: 3, weight: 20 },
    ],
    sitesSource: 'assumption: 1–3 muscles per session',
    thoracicMuscles: [
      { id: 'upper-trapezius', weight: 40 },
      { id: 'levator-scapulae', weight: 10 },
      { id: 'infraspinatus', weight: 8 },
      { id: 'rhomboid-major', weight: 6 },
      { id: 'supraspinatus', weight: 5 },
      { id: 'middle-trapezius', weight: 5 },
      { id: 'thoracic-paraspinals', weight: 5 },
      { id: 'lower-cervical-paraspinals', weight: 5 },
      { id: 'quadratus-lumborum', weight: 5 },
      { id: 'rhomboid-minor', weight: 3 },
      { id: 'lower-trapezius', weight: 3 },
      { id: 'scalenes', weight: 2 },
      { id: 'pectoralis-major', weight: 2 },
      { id: 'latissimus-dorsi', weight: 2 },
      { id: 'pectoralis-minor', weight: 1 },
      { id: 'serratus-anterior', weight: 1 },
    ],
    otherMuscles: [
      { id: 'gluteus-medius', weight: 10 },
      { id: 'lumbar-paraspinals', weight: 10 },
      { id: 'gastrocnemius', weight: 8 },
      { id: 'piriformis', weight: 6 },
      { id: 'quadriceps', weight: 6 },
      { id: 'suboccipitals', weight: 6 },
      { id: 'forearm-extensors', weight: 6 },
      { id: 'hamstrings', weight: 5 },
      { id: 'upper-cervical-paraspinals', weight: 5 },
      { id: 'deltoid', weight: 5 },
      { id: 'gluteus-maximus', weight: 4 },
      { id: 'sternocleidomastoid', weight: 3 },
      { id: 'tibialis-anterior', weight: 3 },
      { id: 'soleus', weight: 3 },
      { id: 'tensor-fasciae-latae', weight: 3 },
      { id: 'masseter', weight: 2 },
      { id: 'temporalis', weight: 2 },
      { id: 'adductors', weight: 2 },
      { id: 'fibularis', weight: 2 },
      { id: 'forearm-flexors', weight: 2 },
      { id: 'gluteus-minimus', weight: 2 },
      { id: 'foot-intrinsics', weight: 2 },
      { id: 'biceps-brachii', weight: 1 },
      { id: 'triceps-brachii', weight: 1 },
    ],
  },

  patients: {
    responseRate: {
      value: 0.7,
      basis: 'assumption',
      source: 'No published figure for this product; set your own with --response-rate.',
    },
    answerDelayMeanH: {
      value: 1.5,
      basis: 'assumption',
      source:
        'Answers come after the reminder; exponential delay, capped. Set with --jitter-hours.',
    },
    answerDelayMaxH: 12,
    selfReportShare: {
      value: 0.5,
      basis: 'assumption',
      source:
        'Patients with pneumothorax often contacted their practitioner themselves (S22j, S22m); half report a red flag at once, the rest at the next planned check-in.',
    },
    selfReportDelayMaxH: 2,
    skipSorenessWithRedFlag: {
      value: 0.3,
      basis: 'assumption',
      source: 'RULES.md v1.1: soreness may be left out when a red flag is ticked.',
    },
    reportingSd: {
      value: 0.7,
      basis: 'assumption',
      source:
        'A change under 2 NRS points is not clinically meaningful (S28d), so a single rating scatters by about a point.',
    },
    tendernessShare: {
      value: 0.5,
      basis: 'assumption',
      source: 'Expected symptom; does not change the triage.',
    },
  },

  soreness: {
    prevalence: {
      value: 0.6,
      basis: 'derived',
      source:
        'Post-needling soreness in 29–91% of treated people in RCTs (S8) and 52% of patients within 24 h (S16).',
    },
    typical: {
      peak: { centre: 3.5, spread: 1.7 },
      halfLifeH: { centre: 15, spread: 0.35 },
      basis: 'derived',
      source:
        'Highest right after needling, ~3.5/10, ~0.4/10 at 48 h (NCT02169700, S2): a half-life of ~15 h; resolves within 24–48 h in most trials (S8).',
    },
    classes: [
      {
        id: 'post_treatment_pain',
        rate: 0.0219,
        peak: { centre: 6.5, spread: 1.5 },
        halfLifeH: { centre: 24, spread: 0.4 },
        basis: 'published',
        source: `${BRADY}: pain after treatment 2.19%. Its course (stronger, slower) is an assumption.`,
      },
      {
        id: 'aggravation',
        rate: 0.0088,
        peak: { centre: 4, spread: 1.5 },
        halfLifeH: { centre: 15, spread: 0.35 },
        rise: { centre: 3, spread: 1 },
        riseStart: [{ weight: 1, fromH: 24, toH: 72 }],
        riseOverH: 24,
        afterRiseHalfLifeH: { centre: 48, spread: 0.4 },
        basis: 'published',
        source: `${BRADY}: aggravation of symptoms 0.88%. When and how far it rises is an assumption.`,
      },
      {
        id: 'major_aggravation',
        rate: 1 / 1024,
        peak: { centre: 5, spread: 1.5 },
        halfLifeH: { centre: 15, spread: 0.35 },
        rise: { centre: 5, spread: 1 },
        riseStart: [{ weight: 1, fromH: 24, toH: 72 }],
        riseOverH: 24,
        afterRiseHalfLifeH: { centre: 120, spread: 0.3 },
        basis: 'published',
        source: `${BOYCE}: major adverse events < 0.1%, 1 per 1,024 (examples: prolonged aggravation, excessive bleeding, pneumothorax; no breakdown). All of it is modelled as prolonged aggravation, which overstates it slightly.`,
      },
    ],
  },

  mildEvents: {
    profile: 'brady2014',
    profiles: {
      brady2014: [
        {
          id: 'bruising',
          rate: 0.0755,
          symptom: 'bruising',
          visibleForH: 120,
          basis: 'published',
          source: BRADY,
        },
        {
          id: 'bleeding',
          rate: 0.0465,
          symptom: 'minor_bleeding',
          visibleForH: 12,
          basis: 'published',
          source: BRADY,
        },
        {
          id: 'pain_during',
          rate: 0.0301,
          basis: 'published',
          source: `${BRADY} (in the clinic: nothing to report)`,
        },
        {
          id: 'drowsiness',
          rate: 0.0026,
          symptom: 'tiredness',
          visibleForH: 24,
          basis: 'published',
          source: BRADY,
        },
        {
          id: 'headache',
          rate: 0.0014,
          basis: 'published',
          source: `${BRADY} (not on the checklist)`,
        },
        {
          id: 'nausea',
          rate: 0.0013,
          basis: 'published',
          source: `${BRADY} (not on the checklist)`,
        },
        {
          id: 'fatigue',
          rate: 0.0004,
          symptom: 'tiredness',
          visibleForH: 24,
          basis: 'published',
          source: BRADY,
        },
        { id: 'altered_emotions', rate: 0.0004, basis: 'published', source: BRADY },
        { id: 'shaking', rate: 0.0001, basis: 'published', source: BRADY },
        { id: 'itching', rate: 0.0001, basis: 'published', source: BRADY },
        { id: 'claustrophobia', rate: 0.0001, basis: 'published', source: BRADY },
        {
          id: 'other_mild',
          rate: 0.0025,
          basis: 'derived',
          source: `${BRADY}: 19.18% of treatments had a mild event; the itemised rates (with pain after treatment, aggravation and numbness, modelled elsewhere) add up to 18.93%`,
        },
      ],
      boyce2020: [
        {
          id: 'bruising',
          rate: 0.077,
          symptom: 'bruising',
          visibleForH: 120,
          basis: 'published',
          source: BOYCE,
        },
        {
          id: 'bleeding',
          rate: 0.16,
          symptom: 'minor_bleeding',
          visibleForH: 12,
          basis: 'published',
          source: BOYCE,
        },
        { id: 'pain_during', rate: 0.059, basis: 'published', source: BOYCE },
        {
          id: 'other_minor',
          rate: 0.0403,
          basis: 'derived',
          source: `${BOYCE}: 36.7% minor events; the rest is not itemised in the abstract (36.7% − bruising, bleeding, pain during, and Brady's pain after treatment and aggravation, modelled as soreness courses)`,
        },
      ],
    },
  },

  redFlagEvents: [
    {
      id: 'pneumothorax',
      rate: 1.75e-6,
      thoracicOnly: true,
      onset: [
        { weight: 4, fromH: 0, toH: 1 },
        { weight: 3, fromH: 1, toH: 12 },
        { weight: 6, fromH: 12, toH: 48 },
      ],
      durationH: 72,
      symptoms: [
        { code: 'chest_pain', core: true, p: 0.6 },
        { code: 'pain_on_breathing', core: true, p: 0.6 },
        { code: 'shortness_of_breath', core: true, p: 0.6 },
        { code: 'dry_cough', p: 0.25 },
      ],
      required: 'emergency',
      basis: 'published',
      source:
        'Lin et al. 2019, Acupunct Med 37:332 (S21): 1.75 per million treatments in at-risk areas (hospitalised cases; a floor: an emergency group argues it is under-reported, S22d). Onset and symptoms from the 13 cases of clinical-evidence §4.1: 4 within 1 h, 3 within 12 h, 6 the next day or two; every case had chest or thoracic pain, pain on breathing or breathlessness, a dry cough only beside them (S22e, S22g).',
    },
    {
      id: 'infection',
      rate: 0.00001,
      thoracicOnly: false,
      onset: [
        { weight: 2, fromH: 48, toH: 120 },
        { weight: 2, fromH: 120, toH: 336 },
      ],
      durationH: 168,
      symptoms: [
        { code: 'spreading_redness', core: true, p: 0.5 },
        { code: 'increased_warmth', core: true, p: 0.5 },
        { code: 'significant_swelling', core: true, p: 0.5 },
        { code: 'discharge', core: true, p: 0.2 },
        { code: 'fever', core: true, p: 0.5 },
      ],
      required: 'urgent_same_day',
      basis: 'assumption',
      source:
        'Case reports only (S25a–S25e): no rate published; 1 per 100,000 sits under the bounds of 0 in 7,629 (S13) and serious events < 0.01% (S23). Onset 2 days to 2 weeks (S25a, S25b, S25d, S25e).',
    },
    {
      id: 'nerve_injury',
      rate: 0.0001,
      thoracicOnly: false,
      onset: [{ weight: 1, fromH: 0, toH: 1 }],
      durationH: 336,
      symptoms: [
        { code: 'numbness_beyond_area', core: true, p: 0.8 },
        { code: 'tingling_beyond_area', core: true, p: 0.5 },
        { code: 'weakness_beyond_area', core: true, p: 0.2 },
      ],
      required: 'urgent_same_day',
      basis: 'published',
      source: `${BRADY}: numbness 0.01%; onset right after the needle and lasting (radial nerve case, S26).`,
    },
    {
      id: 'fainting',
      rate: 0.003,
      thoracicOnly: false,
      onset: [{ weight: 1, fromH: 0, toH: 6 }],
      durationH: 24,
      symptoms: [{ code: 'fainting', core: true, p: 1 }],
      required: 'urgent_same_day',
      basis: 'published',
      source:
        'Clinic leaflets: fainting 0.3% (S23; no source given, low authority). Same day; ticked at check-ins in the next 24 h.',
    },
  ],

  background: [
    {
      code: 'dry_cough',
      value: 0.01,
      basis: 'assumption',
      source: 'Colds and coughs are common; per answer.',
    },
    {
      code: 'tingling_beyond_area',
      value: 0.002,
      basis: 'assumption',
      source: 'The condition being treated (e.g. neck pain with arm symptoms); per answer.',
    },
    {
      code: 'numbness_beyond_area',
      value: 0.0005,
      basis: 'assumption',
      source: 'As above; per answer.',
    },
    {
      code: 'increased_warmth',
      value: 0.001,
      basis: 'assumption',
      source: 'A warm, tender needle spot read as a sign of infection; per answer.',
    },
    {
      code: 'significant_swelling',
      value: 0.0005,
      basis: 'assumption',
      source: 'As above; per answer.',
    },
    {
      code: 'spreading_redness',
      value: 0.0003,
      basis: 'assumption',
      source: 'As above; per answer.',
    },
    {
      code: 'fever',
      value: 0.0005,
      basis: 'assumption',
      source: 'An unrelated feverish illness; per answer.',
    },
    {
      code: 'pain_on_breathing',
      value: 0.0003,
      basis: 'assumption',
      source: 'Sore chest-wall or upper-back muscles on a deep breath; per answer.',
    },
    {
      code: 'chest_pain',
      value: 0.0002,
      basis: 'assumption',
      source: 'Worry, muscle pain; per answer.',
    },
    {
      code: 'shortness_of_breath',
      value: 0.0002,
      basis: 'assumption',
      source: 'Worry, unfitness; per answer.',
    },
    {
      code: 'tiredness',
      value: 0.08,
      basis: 'assumption',
      source: 'Fatigue in 21.7% of patients within 24 h (S16), spread over the answers.',
    },
  ],

  clinic: {
    sessionsPerWeek: 60,
    resolvedAfterH: { routine: 24, urgent: 6, emergency: 1 },
    source:
      'assumption: a routine alert is handled within a day, an urgent one within hours; a later answer then opens a new alert, as the product does.',
  },
};
