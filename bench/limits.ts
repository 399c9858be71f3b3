/**
 * The patient-link POST limits every bench server runs with: out of reach, since all of a run's
 * requests come from one address. `PATIENT_LINK_MAX` and `PATIENT_IP_MAX` take up to this.
 */
export const BENCH_LIMIT = 10_000_000;
