/**
 * The code systems and codes the FHIR mapping uses (docs/decisions/0901). Only codes that
 * standards.md does not mark ⚠ are sent as standard codes; everything else is a code of one
 * of our own CodeSystems (`https://needlecare.dev/fhir/CodeSystem/…`) with `text`.
 */
export const FHIR_BASE_CANONICAL = 'https://needlecare.dev/fhir';

export const SYSTEM = {
  cpt: 'http://www.ama-assn.org/go/cpt',
  snomed: 'http://snomed.info/sct',
  loinc: 'http://loinc.org',
  observationCategory: 'http://terminology.hl7.org/CodeSystem/observation-category',
  bcp47: 'urn:ietf:bcp:47',
  provenanceParticipantType: 'http://terminology.hl7.org/CodeSystem/provenance-participant-type',
  /** Our own vocabularies: symptoms, muscles, dispositions, alert kinds, triage rules. */
  symptom: `${FHIR_BASE_CANONICAL}/CodeSystem/symptom`,
  muscle: `${FHIR_BASE_CANONICAL}/CodeSystem/muscle`,
  disposition: `${FHIR_BASE_CANONICAL}/CodeSystem/disposition`,
  alert: `${FHIR_BASE_CANONICAL}/CodeSystem/alert`,
  triageRule: `${FHIR_BASE_CANONICAL}/CodeSystem/triage-rule`,
  /** Identifier systems of our own ids. */
  patientId: `${FHIR_BASE_CANONICAL}/sid/patient`,
  staffId: `${FHIR_BASE_CANONICAL}/sid/staff`,
} as const;

/** CPT "Needle insertion(s) without injection(s)": by the number of muscles (standards.md §1a). */
export const CPT_DRY_NEEDLING = {
  upToTwoMuscles: {
    code: '20560',
    display: 'Needle insertion(s) without injection(s); 1 or 2 muscle(s)',
  },
  threeOrMore: {
    code: '20561',
    display: 'Needle insertion(s) without injection(s); 3 or more muscle(s)',
  },
} as const;

/** SNOMED 91251008 "Physical therapy procedure (regime/therapy)" (standards.md §1a, not ⚠). */
export const PHYSICAL_THERAPY_PROCEDURE = {
  system: SYSTEM.snomed,
  code: '91251008',
  display: 'Physical therapy procedure (regime/therapy)',
} as const;

/** LOINC 72514-3, the 0–10 pain severity score (standards.md §1b). */
export const PAIN_SEVERITY_0_10 = {
  system: SYSTEM.loinc,
  code: '72514-3',
  display: 'Pain severity - 0-10 verbal numeric rating [Score] - Reported',
} as const;

/** Laterality, R4 value set bodystructure-relative-location (standards.md §1a). */
export const LATERALITY = {
  left: { system: SYSTEM.snomed, code: '419161000', display: 'Unilateral left' },
  right: { system: SYSTEM.snomed, code: '419465000', display: 'Unilateral right' },
} as const;

/** Extension linking a Procedure to the BodyStructure of each site (FHIR extensions pack). */
export const TARGET_BODY_STRUCTURE =
  'http://hl7.org/fhir/StructureDefinition/procedure-targetBodyStructure';
/** Extension on Flag pointing to the resource that explains it. */
export const FLAG_DETAIL = 'http://hl7.org/fhir/StructureDefinition/flag-detail';
/** Extension carrying a translation of a string element. */
export const TRANSLATION = 'http://hl7.org/fhir/StructureDefinition/translation';
/** Core extensions bounding an integer item of a Questionnaire. */
export const MIN_VALUE = 'http://hl7.org/fhir/StructureDefinition/minValue';
export const MAX_VALUE = 'http://hl7.org/fhir/StructureDefinition/maxValue';
/** SDC: an item with a `code` is extracted as its own Observation. */
export const OBSERVATION_EXTRACT =
  'http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-observationExtract';
