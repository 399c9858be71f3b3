/**
 * Test data for the FHIR mapping (never imported by production code): a synthetic clinic
 * record built from the clinical core's own catalogue, so every muscle, side, symptom,
 * disposition, alert severity and alert state reaches the mapping at least once.
 */
import { MUSCLES } from '../../clinical/muscles.ts';
import { RULEBOOK_V1 } from '../../clinical/rulebook-v1.ts';
import { triage } from '../../clinical/triage.ts';
import { SIDES, type Side, SYMPTOM_CODES, type SymptomCode } from '../../clinical/types.ts';
import type { Alert, AlertSeverity, AlertStatus } from '../../store/alerts.repository.ts';
import type { CheckInWithAssessment } from '../../store/checkins.repository.ts';
import type { Clinic } from '../../store/clinics.repository.ts';
import type { ClinicRecord } from '../../store/interop.repository.ts';
import type { NeedlingSession } from '../../store/sessions.repository.ts';

const T0 = Date.parse('2026-11-02T09:00:00.000Z');
const HOUR = 3_600_000;

function at(hours: number): string {
  return new Date(T0 + hours * HOUR).toISOString();
}

/** A deterministic UUID-shaped id from a number. */
function uuid(kind: number, n: number): string {
  const hex = (kind * 1_000_000 + n).toString(16).padStart(12, '0');
  return `00000000-0000-4000-8000-${hex}`;
}

export function catalogueRecord(): ClinicRecord {
  const clinic: Clinic = {
    id: uuid(1, 1),
    name: 'Catalogue Physio',
    timeZone: 'Europe/Madrid',
    emergencyNumber: '112',
    contactPhone: '+34 600 000 000',
    defaultLanguage: 'es',
    languages: ['en', 'es'],
    checkInPlanHours: [4, 24, 48, 72, 168],
    thoracicPlanHours: [2, 6, 24, 48, 72, 168],
    coverage: {},
    quietHours: null,
    escalation: {},
    linkTtlDays: 14,
    retentionYears: 8,
    patientContactInAlerts: true,
    country: 'ES',
    suspendedAt: null,
    createdAt: at(-1000),
  };
  const practitionerId = uuid(2, 1);
  const staff = [
    {
      id: practitionerId,
      clinicId: clinic.id,
      email: 'pia@catalogue.test',
      displayName: 'Pia Practitioner',
      role: 'practitioner' as const,
      active: true,
      createdAt: at(-900),
    },
    {
      id: uuid(2, 2),
      clinicId: clinic.id,
      email: 'old@catalogue.test',
      displayName: 'Former Admin',
      role: 'admin' as const,
      active: false,
      createdAt: at(-900),
    },
  ];
  const patients: ClinicRecord['patients'][number][] = [];
  const sessions: NeedlingSession[] = [];
  const checkIns: CheckInWithAssessment[] = [];
  const alerts: Alert[] = [];
  const severities: AlertSeverity[] = ['routine', 'urgent', 'emergency'];
  const statuses: AlertStatus[] = ['open', 'acknowledged', 'resolved'];
  const sides: (Side | null)[] = [...SIDES, null];

  // One patient and session per muscle; one to four sites; each with one check-in whose
  // symptoms walk through the checklist.
  MUSCLES.forEach((muscle, i) => {
    const patientId = uuid(3, i);
    const sessionId = uuid(4, i);
    patients.push({
      id: patientId,
      clinicId: clinic.id,
      erasedAt: null,
      displayName: `Patient ${i}`,
      email: i % 2 === 0 ? `p${i}@example.test` : null,
      phone: i % 3 === 0 ? '+34 611 000 000' : null,
      language: i % 2 === 0 ? 'en' : 'es',
      createdAt: at(i),
      identifiers: i % 4 === 0 ? [{ system: 'urn:oid:1.2.3.4', value: `MRN-${i}` }] : [],
    });
    const siteCount = (i % 4) + 1;
    const sites = Array.from({ length: siteCount }, (_, k) => ({
      id: uuid(5, i * 10 + k),
      position: k,
      muscle: (MUSCLES[(i + k) % MUSCLES.length] ?? muscle).id,
      side: sides[(i + k) % sides.length] ?? null,
      needleCount: k % 2 === 0 ? k + 1 : null,
    }));
    const session: NeedlingSession = {
      id: sessionId,
      clinicId: clinic.id,
      patientId,
      practitionerId: i % 5 === 0 ? null : practitionerId,
      performedAt: at(i),
      thoracic: false,
      bilateralThoracic: false,
      notes: i % 3 === 0 ? 'Tolerated well.' : null,
      createdAt: at(i),
      sites,
    };
    sessions.push(session);
    const symptoms: SymptomCode[] =
      i % 5 === 4
        ? []
        : [SYMPTOM_CODES[i % SYMPTOM_CODES.length], SYMPTOM_CODES[(i + 7) % SYMPTOM_CODES.length]]
            .filter((s): s is SymptomCode => s !== undefined)
            .filter((s, k, all) => all.indexOf(s) === k);
    const hoursAfter = [2, 20, 50, 90, 170][i % 5] ?? 20;
    const soreness = i % 11;
    const result = triage(
      {
        session: {
          sites: sites.map((s) =>
            s.side === null ? { muscle: s.muscle } : { muscle: s.muscle, side: s.side },
          ),
        },
        reports: [{ hoursAfter, soreness, symptoms }],
      },
      RULEBOOK_V1,
    );
    const checkInId = uuid(6, i);
    const assessmentId = uuid(7, i);
    checkIns.push({
      id: checkInId,
      sessionId,
      clinicId: clinic.id,
      receivedAt: at(i + hoursAfter),
      hoursAfter,
      soreness,
      symptoms,
      note: i % 4 === 1 ? 'Felt it most when turning my head.' : null,
      source: i % 7 === 6 ? 'staff' : 'patient',
      assessment: {
        id: assessmentId,
        checkInId,
        sessionId,
        clinicId: clinic.id,
        disposition: result.disposition,
        rules: result.ruleIds,
        rulebookVersion:
          i % 6 === 5 ? `${RULEBOOK_V1.version}+clinic-catalogue` : result.rulebookVersion,
        phase: result.phase,
        thoracic: result.thoracic,
        createdAt: at(i + hoursAfter),
      },
    });
    if (result.disposition !== 'self_care') {
      const severity = severities[i % 3] ?? 'routine';
      const status = statuses[i % 3] ?? 'open';
      alerts.push({
        id: uuid(8, i),
        clinicId: clinic.id,
        sessionId,
        patientId,
        assessmentId: i % 8 === 7 ? null : assessmentId,
        severity,
        status,
        createdAt: at(i + hoursAfter),
        acknowledgedAt: status === 'open' ? null : at(i + hoursAfter + 1),
        acknowledgedBy: status === 'open' ? null : practitionerId,
        resolvedAt: status === 'resolved' ? at(i + hoursAfter + 2) : null,
        resolvedBy: status === 'resolved' ? practitionerId : null,
        resolutionNote: status === 'resolved' ? 'Called the patient; settling.' : null,
        outcome: status === 'resolved' ? 'false_alarm' : null,
        outcomeClass: null,
      });
    }
  });
  return { clinic, staff, patients, sessions, checkIns, alerts };
}
