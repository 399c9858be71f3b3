import { createHash, randomUUID } from 'node:crypto';
import type { Insertable } from 'kysely';
import { sql } from 'kysely';
import type { AlertMessagePayload } from '../../src/jobs/payloads.ts';
import type { NewAuditEvent } from '../../src/store/audit.repository.ts';
import { appendAuditEventsInBulk } from '../../src/store/audit.repository.ts';
import { insertRowsInBulk } from '../../src/store/bulk.repository.ts';
import type { Db } from '../../src/store/db.ts';
import { dialectOf, withTransaction } from '../../src/store/db.ts';
import type { Database } from '../../src/store/schema.ts';
import { searchKeyOf } from '../../src/store/search-key.ts';

/**
 * The scale benchmark's data (issue 14): per clinic 100 patients, 200 sessions (2 sites and a
 * link each), 5 check-ins per session with their assessments, alerts for the sessions with a
 * report above self-care, one outbox message per alert and the audit trail of all of it. With
 * 1,000 clinics: 100k patients, 200k sessions, 1M check-ins, ~1.4M audit events.
 *
 * Seeded through the store in bulk (multi-row inserts, 10 clinics per transaction), not over
 * HTTP. Deterministic apart from ids: a small seeded random generator picks names, times and
 * dispositions, so two seeds of the same size measure the same shape of data.
 */
export interface SeedShape {
  readonly clinics: number;
  readonly patientsPerClinic: number;
  readonly sessionsPerPatient: number;
  readonly checkInsPerSession: number;
}

export const FULL_SHAPE: SeedShape = {
  clinics: 1000,
  patientsPerClinic: 100,
  sessionsPerPatient: 2,
  checkInsPerSession: 5,
};

/** What the measurements need to find again: ids of clinics 0–9 and their secrets. */
export interface SeedIndex {
  readonly clinics: readonly {
    readonly id: string;
    readonly apiToken: string;
    readonly patientIds: readonly string[];
    /** Patient-link tokens of the clinic's sessions (plain; the store keeps only sha256). */
    readonly linkTokens: readonly string[];
  }[];
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const CHECK_IN_HOURS = [4, 24, 48, 72, 168, 336];
const FIRST = ['Ana', 'Luis', 'Marta', 'John', 'Sara', 'Pablo', 'Elena', 'Omar', 'Lucia', 'Tom'];
const LAST = ['Garcia', 'Smith', 'Lopez', 'Brown', 'Martin', 'Perez', 'Wilson', 'Ruiz', 'Khan'];
const MUSCLES = ['upper-trapezius', 'gluteus-medius', 'gastrocnemius', 'infraspinatus'];

/** Dispositions of the seeded check-ins: 85% self-care, 10% tell, 4% today, 1% emergency. */
const MIX = [
  { upTo: 0.85, disposition: 'self_care', rule: 'expected_course', symptoms: ['tenderness'] },
  {
    upTo: 0.95,
    disposition: 'contact_practitioner',
    rule: 'lingering_soreness',
    symptoms: ['tiredness'],
  },
  { upTo: 0.99, disposition: 'urgent_same_day', rule: 'infection_signs', symptoms: ['fever'] },
  { upTo: 1, disposition: 'emergency', rule: 'breathing_or_chest', symptoms: ['chest_pain'] },
] as const;
const SEVERITY = {
  contact_practitioner: 'routine',
  urgent_same_day: 'urgent',
  emergency: 'emergency',
} as const;
const SEVERITY_RANK = { routine: 0, urgent: 1, emergency: 2 } as const;

/** mulberry32: a tiny seeded generator, so the data's shape repeats between seeds. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const sha256Hex = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');
export const benchApiToken = (clinic: number) =>
  `nck_${createHash('sha256').update(`bench-api-${clinic}`).digest('base64url')}`;
export const benchLinkToken = (clinic: number, session: number) =>
  createHash('sha256').update(`bench-link-${clinic}-${session}`).digest('base64url');

type Rows = { [T in keyof Database]: Insertable<Database[T]>[] };

function emptyRows(): Rows {
  return {
    clinics: [],
    staff_users: [],
    staff_sessions: [],
    api_tokens: [],
    patients: [],
    needling_sessions: [],
    session_sites: [],
    alert_contact_attempts: [],
    password_tokens: [],
    setup_tokens: [],
    patient_links: [],
    check_ins: [],
    assessments: [],
    alerts: [],
    audit_events: [],
    audit_head: [],
    idempotency_keys: [],
    outbox: [],
  };
}

const INSERT_ORDER: readonly (keyof Database)[] = [
  'clinics',
  'staff_users',
  'api_tokens',
  'patients',
  'needling_sessions',
  'session_sites',
  'patient_links',
  'check_ins',
  'assessments',
  'alerts',
  'outbox',
];

/** One clinic's rows and audit events. */
function clinicRows(
  ci: number,
  shape: SeedShape,
  now: number,
  rows: Rows,
  audit: NewAuditEvent[],
  index: SeedIndex['clinics'][number][] | undefined,
): void {
  const rnd = random(ci + 1);
  const iso = (ms: number) => new Date(ms).toISOString();
  const clinicId = randomUUID();
  const created = iso(now - 500 * DAY);
  rows.clinics.push({
    id: clinicId,
    name: `Bench clinic ${ci}`,
    time_zone: 'Europe/Madrid',
    emergency_number: '112',
    contact_phone: '+34 900 000 000',
    default_language: 'en',
    created_at: created,
  });
  const staffId = randomUUID();
  rows.staff_users.push({
    id: staffId,
    clinic_id: clinicId,
    email: `practitioner-${ci}@bench.needlecare.test`,
    display_name: `Practitioner ${ci}`,
    role: 'practitioner',
    password_hash: 'argon2id$bench-no-sign-in',
    locked_until: null,
    created_at: created,
  });
  const apiToken = benchApiToken(ci);
  rows.api_tokens.push({
    id: randomUUID(),
    clinic_id: clinicId,
    name: 'bench',
    token_hash: sha256Hex(apiToken),
    created_by: staffId,
    created_at: created,
    last_used_at: null,
    revoked_at: null,
  });

  const patientIds: string[] = [];
  for (let pi = 0; pi < shape.patientsPerClinic; pi++) {
    const id = randomUUID();
    patientIds.push(id);
    const first = FIRST[Math.floor(rnd() * FIRST.length)] as string;
    const last = LAST[Math.floor(rnd() * LAST.length)] as string;
    const displayName = `${first} ${last} ${pi}`;
    const email = `${first}.${last}.${ci}.${pi}@example.test`.toLowerCase();
    const phone = `+34 6${String(ci).padStart(4, '0')}${String(pi).padStart(4, '0')}`;
    rows.patients.push({
      id,
      clinic_id: clinicId,
      display_name: displayName,
      email,
      phone,
      language: rnd() < 0.3 ? 'es' : 'en',
      created_at: created,
      // As the repository writes it, so the search is timed over real keys.
      search_key: searchKeyOf(displayName, email, phone),
    });
    audit.push({
      at: created,
      clinicId,
      actorType: 'staff',
      actorId: staffId,
      action: 'patient.timeline.read',
      subjectType: 'patient',
      subjectId: id,
    });
  }

  // Sessions from 15 to 400 days ago, so every planned check-in lies in the past; newest last.
  const sessionCount = shape.patientsPerClinic * shape.sessionsPerPatient;
  const performed = Array.from(
    { length: sessionCount },
    () => now - 15 * DAY - Math.floor(rnd() * 385 * DAY),
  ).sort((a, b) => a - b);
  const linkTokens: string[] = [];
  interface Raised {
    alert: Insertable<Database['alerts']>;
    rank: number;
  }
  const raised: Raised[] = [];
  for (let si = 0; si < sessionCount; si++) {
    const sessionId = randomUUID();
    const patientId = patientIds[si % patientIds.length] as string;
    const at = performed[si] as number;
    const thoracic = rnd() < 0.1;
    rows.needling_sessions.push({
      id: sessionId,
      clinic_id: clinicId,
      patient_id: patientId,
      practitioner_id: staffId,
      performed_at: iso(at),
      thoracic: thoracic ? 1 : 0,
      bilateral_thoracic: 0,
      notes: null,
      created_at: iso(at),
    });
    for (let position = 0; position < 2; position++) {
      rows.session_sites.push({
        id: randomUUID(),
        session_id: sessionId,
        position,
        muscle: thoracic && position === 0 ? 'rhomboid-major' : (MUSCLES[si % 4] as string),
        side: position === 0 ? 'left' : 'right',
        needle_count: 2,
      });
    }
    const token = benchLinkToken(ci, si);
    linkTokens.push(token);
    rows.patient_links.push({
      id: randomUUID(),
      session_id: sessionId,
      clinic_id: clinicId,
      token_hash: sha256Hex(token),
      created_at: iso(at),
      // Far ahead, so the HTTP check-in load can post to any seeded link.
      expires_at: iso(now + 365 * DAY),
      revoked_at: null,
    });
    audit.push({
      at: iso(at),
      clinicId,
      actorType: 'staff',
      actorId: staffId,
      action: 'session.create',
      subjectType: 'session',
      subjectId: sessionId,
    });

    let alert: Raised | undefined;
    for (let k = 0; k < shape.checkInsPerSession; k++) {
      const hours = CHECK_IN_HOURS[k % CHECK_IN_HOURS.length] as number;
      const received = iso(at + hours * HOUR);
      const r = rnd();
      const mix = MIX.find((m) => r < m.upTo) ?? MIX[0];
      const checkInId = randomUUID();
      const assessmentId = randomUUID();
      rows.check_ins.push({
        id: checkInId,
        session_id: sessionId,
        clinic_id: clinicId,
        received_at: received,
        hours_after: hours,
        soreness: mix.disposition === 'self_care' ? 2 + Math.floor(rnd() * 3) : 5,
        symptoms_json: JSON.stringify(mix.symptoms),
        note: null,
        source: 'patient',
      });
      rows.assessments.push({
        id: assessmentId,
        check_in_id: checkInId,
        session_id: sessionId,
        clinic_id: clinicId,
        disposition: mix.disposition,
        rules_json: JSON.stringify([mix.rule]),
        rulebook_version: '1.1.0',
        phase: hours <= 48 ? 'peak' : hours <= 72 ? 'easing' : 'beyond',
        thoracic: thoracic ? 1 : 0,
        created_at: received,
      });
      audit.push({
        at: received,
        clinicId,
        actorType: 'patient_link',
        actorId: sessionId,
        action: 'checkin.submit',
        subjectType: 'check_in',
        subjectId: checkInId,
        details: { disposition: mix.disposition },
      });
      if (mix.disposition === 'self_care') continue;
      const severity = SEVERITY[mix.disposition];
      // One alert per session, raised to the worst report (as the check-in service does).
      if (alert === undefined) {
        alert = {
          alert: {
            id: randomUUID(),
            clinic_id: clinicId,
            session_id: sessionId,
            patient_id: patientId,
            assessment_id: assessmentId,
            severity,
            status: 'open',
            created_at: received,
            acknowledged_at: null,
            acknowledged_by: null,
            resolved_at: null,
            resolved_by: null,
            resolution_note: null,
          },
          rank: SEVERITY_RANK[severity],
        };
        raised.push(alert);
      } else if (SEVERITY_RANK[severity] > alert.rank) {
        alert.alert = { ...alert.alert, severity, assessment_id: assessmentId };
        alert.rank = SEVERITY_RANK[severity];
      }
    }
  }

  // The newest alerts are still open (≈ 5% of the clinic's check-ins), a few acknowledged,
  // the rest resolved a day after they were raised.
  const openCount = Math.round(0.05 * sessionCount * shape.checkInsPerSession);
  raised.forEach((r, i) => {
    const fromNewest = raised.length - 1 - i;
    const createdMs = Date.parse(r.alert.created_at as string);
    let status: 'open' | 'acknowledged' | 'resolved' = 'resolved';
    if (fromNewest < openCount) status = 'open';
    else if (fromNewest < openCount + 5) status = 'acknowledged';
    const ackAt = status === 'open' ? null : iso(createdMs + HOUR);
    const resolvedAt = status === 'resolved' ? iso(createdMs + DAY) : null;
    rows.alerts.push({
      ...r.alert,
      status,
      acknowledged_at: ackAt,
      acknowledged_by: ackAt === null ? null : staffId,
      resolved_at: resolvedAt,
      resolved_by: resolvedAt === null ? null : staffId,
      resolution_note: resolvedAt === null ? null : 'Called the patient; settled.',
    });
    rows.outbox.push({
      id: randomUUID(),
      clinic_id: clinicId,
      kind: 'alert.email',
      dedupe_key: `alert.email:${r.alert.id as string}`,
      payload_json: JSON.stringify({
        alertId: r.alert.id,
        severity: r.alert.severity,
        event: 'alert.created',
        reason: 'checkin',
        to: `practitioner-${ci}@bench.needlecare.test`,
        dashboardUrl: `http://127.0.0.1/app/alerts/${r.alert.id as string}`,
        clinicName: `Bench clinic ${ci}`,
        timeZone: 'Europe/Madrid',
        raisedAt: r.alert.created_at,
      } satisfies AlertMessagePayload),
      due_at: r.alert.created_at as string,
      status: status === 'open' ? 'pending' : 'sent',
      claimed_by: null,
      claimed_until: null,
      last_error: null,
      created_at: r.alert.created_at as string,
      sent_at: status === 'open' ? null : iso(createdMs + 60_000),
    });
    for (const [action, at] of [
      ['alert.acknowledge', ackAt],
      ['alert.resolve', resolvedAt],
    ] as const) {
      if (at === null) continue;
      audit.push({
        at,
        clinicId,
        actorType: 'staff',
        actorId: staffId,
        action,
        subjectType: 'alert',
        subjectId: r.alert.id as string,
      });
    }
  });
  index?.push({ id: clinicId, apiToken, patientIds, linkTokens });
}

/**
 * Seed `shape` into a freshly migrated database. Returns the index of clinics 0–9. On SQLite
 * the seed runs with `synchronous=OFF` (restored to FULL after): a crash mid-seed only loses
 * the seed, which is started again.
 */
export async function seedScale(
  db: Db,
  shape: SeedShape,
  now: number,
  progress: (done: number) => void = () => undefined,
): Promise<SeedIndex> {
  const sqlite = dialectOf(db) === 'sqlite';
  if (sqlite) await sql`pragma synchronous = OFF`.execute(db);
  const index: SeedIndex['clinics'][number][] = [];
  const perTransaction = 10;
  for (let from = 0; from < shape.clinics; from += perTransaction) {
    const rows = emptyRows();
    const audit: NewAuditEvent[] = [];
    for (let ci = from; ci < Math.min(shape.clinics, from + perTransaction); ci++) {
      clinicRows(ci, shape, now, rows, audit, ci < 10 ? index : undefined);
    }
    await withTransaction(db, async (trx) => {
      // Migration 0270's triggers would move each new session's triage version once per
      // table of its rows (sites, link, check-ins, and alerts where it has one): three or four
      // updates of every session row, left as dead rows (711k beside 200k live, measured). No
      // process keeps any of them, so the seed says what a check-in group says: it moves its
      // sessions itself (they stay at 0).
      if (!sqlite) await sql`set local needlecare.triage_versions = 'moved'`.execute(trx);
      for (const table of INSERT_ORDER) {
        await insertRowsInBulk(trx, table, rows[table] as never[]);
      }
      await appendAuditEventsInBulk(trx, audit);
    });
    progress(Math.min(shape.clinics, from + perTransaction));
  }
  if (sqlite) {
    await sql`pragma synchronous = FULL`.execute(db);
    await sql`pragma wal_checkpoint(TRUNCATE)`.execute(db);
  } else {
    // A vacuum too, as autovacuum leaves a database in service: visibility set, free space
    // mapped (seed version 3; until then only `analyze`).
    await sql`vacuum analyze`.execute(db);
  }
  return { clinics: index };
}
