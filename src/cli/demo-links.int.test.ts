import { expect, it } from 'vitest';
import { describeEachDialect } from '../../test/dialects.ts';
import { buildApp } from '../api/app.ts';
import { createLogger } from '../api/logger.ts';
import { testConfig } from '../api/test-support.ts';
import {
  recordingLogger,
  recordingMailer,
  recordingSms,
  recordingWebhooks,
  testClock,
} from '../jobs/test-support.ts';
import { createWorker } from '../jobs/worker.ts';
import { manualClock } from '../services/clock.ts';
import { outboxEvents, PRODUCTION_PLUGINS } from './commands/serve.ts';
import { DEMO, seedDemo } from './demo-seed.ts';

const HOUR_MS = 3_600_000;
const NOW = '2026-11-25T09:00:00.000Z';
const PUBLIC_URL = 'http://demo.needlecare.test:8080';
const URL_IN_TEXT = /https?:\/\/[^\s"'<>)\]]+/g;

/**
 * Every link the product sends works: the demo seeded as `npm start` seeds it (with the
 * production outbox producers), then a worker on a test clock delivers its week of reminders,
 * alert e-mails, missed check-in checks and escalations. Every URL in the outbox and in the
 * messages sent is requested from the app as `serve` mounts it: none may answer 404.
 */
describeEachDialect('links in what the demo sends', (ctx) => {
  it('every URL in the outbox and in the sent messages answers, none is a 404', async () => {
    const config = testConfig({
      databaseUrl: ctx.config.databaseUrl,
      sqlitePath: ctx.config.sqlitePath ?? ':memory:',
      publicUrl: PUBLIC_URL,
    });
    const demo = await seedDemo(ctx.db, config, new Date(NOW), outboxEvents(config));
    expect(demo.created).toBe(true);
    // An alert card must say how to reach the patient: every demo patient has both routes.
    const contacts = await ctx.db.selectFrom('patients').select(['email', 'phone']).execute();
    expect(contacts.length).toBeGreaterThan(0);
    for (const c of contacts) {
      expect(c.email).toMatch(/@demo\.needlecare\.test$/);
      expect(c.phone).toMatch(/^\+44 7700 900\d{3}$/);
    }

    const clock = testClock(NOW);
    const mailer = recordingMailer();
    const sms = recordingSms();
    const worker = createWorker({
      db: ctx.db,
      clock,
      logger: recordingLogger(),
      mailer,
      sms,
      webhooks: recordingWebhooks(),
      workerId: 'demo-links',
      config: { publicUrl: config.publicUrl, random: () => 0.5 },
    });
    for (let hour = 0; hour <= 8 * 24; hour += 1) {
      clock.set(new Date(Date.parse(NOW) + hour * HOUR_MS));
      for (let round = 0; round < 20; round += 1) {
        if ((await worker.runOnce()).claimed === 0) break;
      }
    }

    const texts: string[] = [demo.patientLink];
    for (const row of await ctx.db.selectFrom('outbox').select('payload_json').execute()) {
      texts.push(row.payload_json);
    }
    for (const m of mailer.sent) texts.push(m.text, ...Object.values(m.headers));
    for (const m of sms.sent) texts.push(m.body);
    const urls = new Set(texts.flatMap((t) => [...t.matchAll(URL_IN_TEXT)].map((m) => m[0])));

    // The demo sends each kind of link: patient pages, stop links, dashboard alerts.
    const list = [...urls];
    expect(list.some((u) => /\/p\/[\w-]{20,}$/.test(u))).toBe(true);
    expect(list.some((u) => /\/p\/[\w-]{20,}\/stop$/.test(u))).toBe(true);
    expect(list.some((u) => u.includes('#alert-'))).toBe(true);
    expect(mailer.sent.some((m) => m.to === DEMO.practitioner.email)).toBe(true);

    const app = await buildApp({
      config,
      db: ctx.db,
      clock: manualClock(NOW),
      logger: createLogger('silent'),
      plugins: PRODUCTION_PLUGINS,
    });
    try {
      const answers: string[] = [];
      for (const url of list) {
        expect(url.startsWith(`${PUBLIC_URL}/`), url).toBe(true);
        const { pathname, search } = new URL(url);
        const res = await app.inject({ method: 'GET', url: pathname + search });
        answers.push(`${res.statusCode} ${pathname.replace(/[\w-]{30,}/g, '<token>')}`);
      }
      expect(answers.filter((a) => a.startsWith('404') || a.startsWith('5'))).toEqual([]);
    } finally {
      await app.close();
    }
  }, 120_000);
});
