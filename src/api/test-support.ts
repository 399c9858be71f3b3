/**
 * Test helpers for the API's *.int.test.ts files (never imported by production code): a
 * test config (cheap Argon2 — tests only, docs/decisions/0200-argon2-parameters.md), an app on
 * a harness database, two seeded clinics, and sign-in helpers.
 */
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import type { AppConfig } from '../config/env.ts';
import { parseKeyEnv } from '../config/keys.ts';
import { type ManualClock, manualClock } from '../services/clock.ts';
import { createPasswordHasher } from '../services/passwords.ts';
import { insertClinic } from '../store/clinics.repository.ts';
import type { Db } from '../store/db.ts';
import { insertStaffUser } from '../store/staff.repository.ts';
import { TEST_KEY_ENV } from '../store/test-keys.ts';
import { buildApp } from './app.ts';
import { createLogger } from './logger.ts';

export const TEST_ARGON2 = { memoryCost: 256, timeCost: 1, parallelism: 1 } as const;

export function testConfig(overrides: Partial<AppConfig> = {}): AppConfig {
  return {
    host: '127.0.0.1',
    port: 0,
    databaseUrl: undefined,
    sqlitePath: ':memory:',
    publicUrl: 'https://care.example.test',
    cookieSecure: true,
    logLevel: 'silent',
    sessionTtlHours: 12,
    sessionIdleMinutes: 30,
    bodyLimitBytes: 64 * 1024,
    trustProxy: false,
    argon2: TEST_ARGON2,
    signIn: { maxFailures: 5, lockMinutes: 15, perIpMax: 1000, perIpWindowMinutes: 15 },
    patientLinks: { perLinkMax: 20, perIpMax: 60 },
    worker: {
      smtpUrl: undefined,
      mailFrom: 'Needlecare <no-reply@care.example.test>',
      smsGatewayUrl: undefined,
      smsGatewayToken: undefined,
      id: undefined,
      pollIntervalMs: 100,
      maxAttempts: 10,
      leaseMs: 30_000,
    },
    auditLane: 1,
    keys: parseKeyEnv(TEST_KEY_ENV).value,
    ...overrides,
  };
}

export const PASSWORD = 'correct horse battery staple';
export const T0 = '2026-11-25T09:00:00.000Z';

export interface SeededClinic {
  readonly clinicId: string;
  readonly adminId: string;
  readonly adminEmail: string;
  readonly practitionerId: string;
  readonly practitionerEmail: string;
}

let seq = 0;

/** A clinic with one admin and one practitioner, e-mails unique per call. */
export async function seedClinic(db: Db, name: string): Promise<SeededClinic> {
  seq += 1;
  const tag = `${name.toLowerCase().replace(/\W+/g, '')}${seq}${Math.random().toString(36).slice(2, 8)}`;
  const hash = await createPasswordHasher(TEST_ARGON2).hash(PASSWORD);
  const clinic = await insertClinic(db, {
    name,
    timeZone: 'Europe/Madrid',
    emergencyNumber: '112',
    contactPhone: '+34 600 000 000',
    createdAt: T0,
  });
  const admin = await insertStaffUser(db, {
    clinicId: clinic.id,
    email: `admin.${tag}@example.test`,
    displayName: 'Ada Admin',
    role: 'admin',
    passwordHash: hash,
    createdAt: T0,
  });
  const practitioner = await insertStaffUser(db, {
    clinicId: clinic.id,
    email: `pat.${tag}@example.test`,
    displayName: 'Pia Practitioner',
    role: 'practitioner',
    passwordHash: hash,
    createdAt: T0,
  });
  return {
    clinicId: clinic.id,
    adminId: admin.id,
    adminEmail: admin.email,
    practitionerId: practitioner.id,
    practitionerEmail: practitioner.email,
  };
}

export interface TestApp {
  readonly app: FastifyInstance;
  readonly clock: ManualClock;
}

export async function makeTestApp(
  db: Db,
  overrides: Partial<AppConfig> = {},
  start = T0,
): Promise<TestApp> {
  const clock = manualClock(start);
  const config = testConfig(overrides);
  const app = await buildApp({ config, db, clock, logger: createLogger('silent') });
  await app.ready();
  return { app, clock };
}

/** Credentials of a signed-in browser: the cookie header and the CSRF token. */
export interface Browser {
  readonly cookie: string;
  readonly csrf: string;
  headers(unsafe?: boolean): Record<string, string>;
}

export async function signIn(
  app: FastifyInstance,
  email: string,
  password = PASSWORD,
): Promise<Browser> {
  const res = await app.inject({
    method: 'POST',
    url: '/api/v1/auth/sign-in',
    payload: { email, password },
  });
  if (res.statusCode !== 200) throw new Error(`sign-in failed: ${res.statusCode} ${res.body}`);
  const cookie = res.cookies.find((c) => c.name.endsWith('needlecare_session'));
  if (cookie === undefined) throw new Error('no session cookie');
  const csrf = (res.json() as { csrfToken: string }).csrfToken;
  const header = `${cookie.name}=${cookie.value}`;
  return {
    cookie: header,
    csrf,
    headers: (unsafe = true) =>
      unsafe ? { cookie: header, 'x-csrf-token': csrf } : { cookie: header },
  };
}

export function json<T = Record<string, unknown>>(res: LightMyRequestResponse): T {
  return res.json() as T;
}

export const COUNTED_TABLES = [
  'patients',
  'needling_sessions',
  'patient_links',
  'check_ins',
  'assessments',
  'alerts',
  'idempotency_keys',
  'outbox',
  'staff_users',
  'api_tokens',
] as const;
export type CountedTable = (typeof COUNTED_TABLES)[number];

/** Row counts of the tables a request could write, for "nothing stored" checks. */
export async function countRows(db: Db): Promise<Record<CountedTable, number>> {
  const out = {} as Record<CountedTable, number>;
  for (const table of COUNTED_TABLES) {
    const row = await db
      .selectFrom(table)
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirstOrThrow();
    out[table] = Number(row.n);
  }
  return out;
}

export const THORACIC_SITE = { muscle: 'upper-trapezius', side: 'left', needleCount: 2 } as const;
export const LEG_SITE = { muscle: 'tibialis-anterior', side: 'right', needleCount: 3 } as const;

export interface World extends TestApp {
  readonly db: Db;
  readonly a: SeededClinic;
  readonly b: SeededClinic;
  readonly adminA: Browser;
  readonly pracA: Browser;
  readonly adminB: Browser;
  readonly pracB: Browser;
}

/** Two clinics, each with a signed-in admin and practitioner, on one app. */
export async function makeWorld(db: Db, overrides: Partial<AppConfig> = {}): Promise<World> {
  const t = await makeTestApp(db, overrides);
  const a = await seedClinic(db, 'Clinic A');
  const b = await seedClinic(db, 'Clinic B');
  return {
    ...t,
    db,
    a,
    b,
    adminA: await signIn(t.app, a.adminEmail),
    pracA: await signIn(t.app, a.practitionerEmail),
    adminB: await signIn(t.app, b.adminEmail),
    pracB: await signIn(t.app, b.practitionerEmail),
  };
}

export interface CreatedSession {
  readonly sessionId: string;
  readonly patientId: string;
  readonly linkId: string;
  readonly token: string;
  readonly body: Record<string, unknown>;
}

/** Record a session through the API (quick-add patient unless `patientId` is given). */
export async function createSession(
  app: FastifyInstance,
  browser: Browser,
  options: { sites?: readonly object[]; performedAt?: string; patientId?: string } = {},
): Promise<CreatedSession> {
  const res = await app.inject({
    method: 'POST',
    url: '/api/v1/sessions',
    headers: browser.headers(),
    payload: {
      ...(options.patientId === undefined
        ? { patient: { displayName: 'Test Patient', email: 'p@example.test' } }
        : { patientId: options.patientId }),
      performedAt: options.performedAt ?? '2026-11-25T08:30:00.000Z',
      sites: options.sites ?? [LEG_SITE],
    },
  });
  if (res.statusCode !== 201) throw new Error(`createSession: ${res.statusCode} ${res.body}`);
  const body = res.json() as {
    session: { id: string; patientId: string };
    link: { id: string; url: string };
  };
  const token = body.link.url.split('/p/')[1] ?? '';
  return {
    sessionId: body.session.id,
    patientId: body.session.patientId,
    linkId: body.link.id,
    token,
    body: body as unknown as Record<string, unknown>,
  };
}

/** Audit events with an action, newest first. */
export async function auditActions(
  db: Db,
  action: string,
): Promise<
  { subjectId: string | null; actorType: string; actorId: string | null; details: string }[]
> {
  const rows = await db
    .selectFrom('audit_events')
    .select(['subject_id', 'actor_type', 'actor_id', 'details_json'])
    .where('action', '=', action)
    .orderBy('seq', 'desc')
    .execute();
  return rows.map((r) => ({
    subjectId: r.subject_id,
    actorType: r.actor_type,
    actorId: r.actor_id,
    details: r.details_json,
  }));
}

/** Milliseconds `app.close()` takes, failing past `limitMs` (the keep-alive timeout is 72 s). */
export async function timedClose(app: FastifyInstance, limitMs = 3000): Promise<number> {
  const started = Date.now();
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    app.close(),
    new Promise((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`app.close() still running after ${limitMs} ms`)),
        limitMs,
      );
    }),
  ]).finally(() => clearTimeout(timer));
  return Date.now() - started;
}
