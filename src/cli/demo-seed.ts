import type { FastifyInstance } from 'fastify';
import { buildApp } from '../api/app.ts';
import { createLogger } from '../api/logger.ts';
import type { AppConfig } from '../config/env.ts';
import { HOUR_MS, manualClock } from '../services/clock.ts';
import type { ServiceEvents } from '../services/events.ts';
import { createPasswordHasher } from '../services/passwords.ts';
import { insertClinic, listClinics } from '../store/clinics.repository.ts';
import type { Db } from '../store/db.ts';
import { insertStaffUser } from '../store/staff.repository.ts';

/** Demo-only credentials, printed by `npm start`; never used outside the demo clinic. */
export const DEMO = {
  clinicName: 'Needlecare Demo Physio',
  admin: { email: 'admin@demo.needlecare.test', password: 'demo-admin-password' },
  practitioner: {
    email: 'practitioner@demo.needlecare.test',
    password: 'demo-practitioner-password',
  },
} as const;

interface DemoCheckIn {
  readonly hoursAfter: number;
  readonly soreness: number;
  readonly symptoms: readonly string[];
}

interface DemoPatient {
  readonly name: string;
  readonly language: 'en' | 'es';
  /** Reminders go to it (with no SMTP_URL they end in the dead letters, which shows them). */
  readonly email: string;
  /** Fictional numbers from Ofcom's range for drama (07700 900000–900999). */
  readonly phone: string;
  readonly hoursAgo: number;
  readonly sites: readonly { muscle: string; side?: string; needleCount?: number }[];
  readonly checkIns: readonly DemoCheckIn[];
}

/** One patient per disposition, plus a fresh thoracic session whose link is printed. */
const PATIENTS: readonly DemoPatient[] = [
  {
    name: 'Alex Morgan',
    phone: '+44 7700 900101',
    language: 'en',
    email: 'alex@demo.needlecare.test',
    hoursAgo: 30,
    sites: [{ muscle: 'upper-trapezius', side: 'left', needleCount: 3 }],
    checkIns: [
      { hoursAfter: 4, soreness: 5, symptoms: ['tenderness'] },
      { hoursAfter: 24, soreness: 4, symptoms: ['bruising'] },
    ],
  },
  {
    name: 'Lucía Fernández',
    phone: '+44 7700 900102',
    language: 'es',
    email: 'lucia@demo.needlecare.test',
    hoursAgo: 82,
    sites: [{ muscle: 'gastrocnemius', side: 'right', needleCount: 4 }],
    checkIns: [
      { hoursAfter: 48, soreness: 5, symptoms: [] },
      { hoursAfter: 80, soreness: 5, symptoms: [] },
    ],
  },
  {
    name: 'Sam Okafor',
    phone: '+44 7700 900103',
    language: 'en',
    email: 'sam@demo.needlecare.test',
    hoursAgo: 50,
    sites: [{ muscle: 'quadriceps', side: 'left', needleCount: 5 }],
    checkIns: [
      { hoursAfter: 24, soreness: 4, symptoms: [] },
      { hoursAfter: 48, soreness: 4, symptoms: ['fever', 'increased_warmth'] },
    ],
  },
  {
    name: 'Jordan Lee',
    phone: '+44 7700 900104',
    language: 'en',
    email: 'jordan@demo.needlecare.test',
    hoursAgo: 22,
    sites: [
      { muscle: 'rhomboid-major', side: 'right', needleCount: 2 },
      { muscle: 'thoracic-paraspinals', side: 'right', needleCount: 2 },
    ],
    checkIns: [
      { hoursAfter: 6, soreness: 5, symptoms: [] },
      { hoursAfter: 20, soreness: 3, symptoms: ['pain_on_breathing'] },
    ],
  },
  {
    name: 'Riley Demo',
    phone: '+44 7700 900105',
    language: 'en',
    email: 'riley@demo.needlecare.test',
    hoursAgo: 1,
    sites: [
      { muscle: 'levator-scapulae', side: 'left', needleCount: 2 },
      { muscle: 'infraspinatus', side: 'left', needleCount: 3 },
    ],
    checkIns: [],
  },
];

export interface DemoResult {
  readonly created: boolean;
  /** A fresh link to the newest demo session (links are stored hashed, so each start issues one). */
  readonly patientLink: string;
}

/**
 * Seed the demo clinic once, through the API itself (so the demo holds exactly what real use
 * would store: triage, alerts, audit), with a manual clock walked through each patient's story.
 * On later starts, only issue a new link to the demo patient's session. `events` are the outbox
 * producers of the running product, so the demo queues the reminders and alert messages real
 * use would.
 */
export async function seedDemo(
  db: Db,
  config: AppConfig,
  now: Date,
  events?: ServiceEvents,
): Promise<DemoResult> {
  const clock = manualClock(now);
  const app = await buildApp({
    config,
    db,
    clock,
    logger: createLogger('silent'),
    ...(events === undefined ? {} : { events }),
  });
  await app.ready();
  try {
    const existing = (await listClinics(db)).find((c) => c.name === DEMO.clinicName);
    const created = existing === undefined;
    if (created) await createDemo(db, config, app, clock, now);
    const cookie = await signIn(app, DEMO.practitioner.email, DEMO.practitioner.password);
    const list = await call(app, 'GET', '/api/v1/patients?q=Riley', cookie);
    const patient = (list as { items: { id: string }[] }).items[0];
    if (patient === undefined) throw new Error('demo patient missing');
    const timeline = (await call(
      app,
      'GET',
      `/api/v1/patients/${patient.id}/timeline`,
      cookie,
    )) as { sessions: { session: { id: string } }[] };
    const session = timeline.sessions[0]?.session;
    if (session === undefined) throw new Error('demo session missing');
    const issued = (await call(app, 'POST', `/api/v1/sessions/${session.id}/link`, cookie)) as {
      link: { url: string };
    };
    return { created, patientLink: issued.link.url };
  } finally {
    await app.close();
  }
}

async function createDemo(
  db: Db,
  config: AppConfig,
  app: FastifyInstance,
  clock: ReturnType<typeof manualClock>,
  now: Date,
): Promise<void> {
  const hasher = createPasswordHasher(config.argon2);
  const at = new Date(now.getTime() - 100 * HOUR_MS).toISOString();
  const clinic = await insertClinic(db, {
    name: DEMO.clinicName,
    timeZone: 'Europe/London',
    emergencyNumber: '999',
    contactPhone: '+44 20 7946 0000',
    defaultLanguage: 'en',
    languages: ['en', 'es'],
    createdAt: at,
  });
  for (const [role, who, name] of [
    ['admin', DEMO.admin, 'Dana Admin'],
    ['practitioner', DEMO.practitioner, 'Priya Physio'],
  ] as const) {
    await insertStaffUser(db, {
      clinicId: clinic.id,
      email: who.email,
      displayName: name,
      role,
      passwordHash: await hasher.hash(who.password),
      createdAt: at,
    });
  }
  for (const p of PATIENTS) {
    const performedAt = new Date(now.getTime() - p.hoursAgo * HOUR_MS);
    clock.set(performedAt);
    const cookie = await signIn(app, DEMO.practitioner.email, DEMO.practitioner.password);
    const recorded = (await call(app, 'POST', '/api/v1/sessions', cookie, {
      patient: {
        displayName: p.name,
        language: p.language,
        email: p.email,
        phone: p.phone,
      },
      performedAt: performedAt.toISOString(),
      sites: p.sites,
    })) as { link: { url: string } };
    const token = recorded.link.url.split('/p/')[1] ?? '';
    for (const c of p.checkIns) {
      clock.set(new Date(performedAt.getTime() + c.hoursAfter * HOUR_MS));
      await call(app, 'POST', `/api/v1/p/${token}/check-ins`, null, {
        soreness: c.soreness,
        symptoms: c.symptoms,
      });
    }
  }
  clock.set(now);
}

interface Cookie {
  readonly header: string;
  readonly csrf: string;
}

async function signIn(app: FastifyInstance, email: string, password: string): Promise<Cookie> {
  const res = await app.inject({
    method: 'POST',
    url: '/api/v1/auth/sign-in',
    payload: { email, password },
  });
  if (res.statusCode !== 200) throw new Error(`demo sign-in failed (${res.statusCode})`);
  const cookie = res.cookies.find((c) => c.name.endsWith('needlecare_session'));
  if (cookie === undefined) throw new Error('demo sign-in set no cookie');
  return {
    header: `${cookie.name}=${cookie.value}`,
    csrf: (res.json() as { csrfToken: string }).csrfToken,
  };
}

async function call(
  app: FastifyInstance,
  method: 'GET' | 'POST',
  url: string,
  cookie: Cookie | null,
  payload?: object,
): Promise<unknown> {
  const res = await app.inject({
    method,
    url,
    headers: cookie === null ? {} : { cookie: cookie.header, 'x-csrf-token': cookie.csrf },
    ...(payload === undefined ? {} : { payload }),
  });
  if (res.statusCode >= 300)
    throw new Error(`demo seed: ${method} ${url} → ${res.statusCode} ${res.body}`);
  return res.json();
}
