import type { FastifyInstance } from 'fastify';
import { beforeAll, expect, it } from 'vitest';
import { describeEachDialect } from '../../test/dialects.ts';
import { NOBODY, practitionerOf } from '../../test/service-deps.ts';
import { makeTestApp, type SeededClinic, seedClinic, signIn, T0 } from '../api/test-support.ts';
import type { SymptomCode } from '../clinical/types.ts';
import type { LinkActor, StaffActor } from './actors.ts';
import { acknowledgeAlert, readAlertQueue, readAlertQueueSignature } from './alerts.ts';
import type { ManualClock } from './clock.ts';
import type { ServiceDeps } from './deps.ts';
import { type ActiveLink, resolvePatientLink } from './patient-link.ts';
import { recordSession } from './record-session.ts';
import { submitCheckIn } from './submit-check-in.ts';

const base = { ip: '127.0.0.1', requestId: 'reports-while-open' } as const;
const HOUR = 3_600_000;

/**
 * Decision 1225: a report above self-care that leaves an open alert as it is (no higher), or
 * that an escalation stops pointing at, is still on the alert's card. Before, a fever and
 * spreading redness reported after a chest pain reached nobody: the emergency card showed only
 * the chest pain, and once it was resolved the session had no alert at all.
 */
describeEachDialect('an alert shows every report made while it was open', (ctx) => {
  let app: FastifyInstance;
  let clock: ManualClock;
  let deps: ServiceDeps;
  let clinic: SeededClinic;
  let staff: StaffActor;

  beforeAll(async () => {
    ({ app, clock } = await makeTestApp(ctx.db));
    deps = app.deps;
    clinic = await seedClinic(ctx.db, 'Reports While Open');
    staff = practitionerOf(clinic);
  });

  async function patient(name: string): Promise<{ link: ActiveLink; actor: LinkActor }> {
    clock.set(T0);
    const recorded = await recordSession(deps, staff, {
      patient: { displayName: name, phone: '+44 7700 900001' },
      performedAt: new Date(Date.parse(T0) - 30 * 60_000).toISOString(),
      sites: [{ muscle: 'tibialis-anterior', side: 'right' }],
    });
    const link = await resolvePatientLink(deps, NOBODY, recorded.link.url.split('/p/')[1] ?? '');
    return {
      link,
      actor: { ...base, kind: 'patient_link', linkId: link.id, clinicId: link.clinicId },
    };
  }

  async function report(
    p: { link: ActiveLink; actor: LinkActor },
    soreness: number | null,
    symptoms: SymptomCode[],
  ) {
    clock.advance(HOUR);
    return submitCheckIn(deps, p.actor, {
      link: p.link,
      input: { soreness, symptoms },
      source: 'patient',
      idempotencyKey: undefined,
    });
  }

  async function card(name: string) {
    const queue = await readAlertQueue(deps, staff);
    return [...queue.open, ...queue.acknowledged].filter((e) => e.patientName === name);
  }

  it('an infection reported after a chest pain is on the emergency card, and the live list redraws', async () => {
    const p = await patient('Riley While Open');
    await report(p, null, ['chest_pain']);
    const before = (await readAlertQueueSignature(deps, staff)).signature;
    const later = await report(p, 2, ['spreading_redness', 'fever']);
    expect(later.body.assessment.disposition).toBe('urgent_same_day');
    const [entry, ...others] = await card('Riley While Open');
    expect(others).toHaveLength(0);
    expect(entry?.alert.severity).toBe('emergency');
    expect(entry?.checkIn?.symptoms).toEqual(['chest_pain']);
    expect(entry?.alsoReported.map((c) => [c.symptoms, c.assessment?.disposition])).toEqual([
      [['spreading_redness', 'fever'], 'urgent_same_day'],
    ]);
    // The fingerprint the live list polls changed, though the alert's row did not.
    expect((await readAlertQueueSignature(deps, staff)).signature).not.toBe(before);
    // A self-care report is not a concern to list.
    await report(p, 2, []);
    expect((await card('Riley While Open'))[0]?.alsoReported).toHaveLength(1);
  });

  it('the alerts API lists them too, with their level and the rules that fired', async () => {
    const p = await patient('Api While Open');
    await report(p, null, ['shortness_of_breath']);
    await report(p, 1, ['discharge']);
    const api = await signIn(app, clinic.practitionerEmail);
    const res = await app.inject({
      url: '/api/v1/alerts?status=open',
      headers: api.headers(false),
    });
    expect(res.statusCode).toBe(200);
    const items = (
      res.json() as { items: { patientId: string; severity: string; alsoReported: unknown[] }[] }
    ).items;
    const mine = items.filter((a) => a.severity === 'emergency' && a.alsoReported.length > 0);
    expect(mine.map((a) => a.alsoReported)).toContainEqual([
      expect.objectContaining({
        soreness: 1,
        symptoms: ['discharge'],
        level: 'urgent_same_day',
        rules: expect.arrayContaining([expect.any(String)]),
        rulebookVersion: expect.any(String),
      }),
    ]);
  });

  it('a raise keeps the report the alert opened with on its card', async () => {
    const p = await patient('Sam Raised');
    await report(p, 3, ['fever']);
    await report(p, null, ['shortness_of_breath']);
    const [entry] = await card('Sam Raised');
    expect(entry?.alert.severity).toBe('emergency');
    expect(entry?.checkIn?.symptoms).toEqual(['shortness_of_breath']);
    expect(entry?.alsoReported.map((c) => c.symptoms)).toEqual([['fever']]);
  });

  it('after the alert is acknowledged, a new concern opens its own alert and is not listed on the old one', async () => {
    const p = await patient('Kim Acknowledged');
    await report(p, null, ['chest_pain']);
    const [first] = await card('Kim Acknowledged');
    clock.advance(60_000);
    await acknowledgeAlert(deps, staff, { alertId: first?.alert.id ?? '' });
    await report(p, 2, ['discharge']);
    const entries = await card('Kim Acknowledged');
    expect(entries.map((e) => [e.alert.status, e.alert.severity, e.alsoReported.length])).toEqual([
      ['open', 'urgent', 0],
      ['acknowledged', 'emergency', 0],
    ]);
  });

  it("the queue page carries the live list's fingerprint without reading it again (decision 1452)", async () => {
    // The page's fingerprint and the one the live list polls must be the same string, or every
    // open dashboard would fetch the queue again on its next tick.
    const same = async () =>
      expect((await readAlertQueue(deps, staff)).signature).toBe(
        (await readAlertQueueSignature(deps, staff)).signature,
      );
    const p = await patient('Jo Fingerprint');
    await report(p, null, ['chest_pain']);
    await same();
    await report(p, 2, ['fever']);
    await same();
    const [entry] = await card('Jo Fingerprint');
    clock.advance(60_000);
    await acknowledgeAlert(deps, staff, { alertId: entry?.alert.id ?? '' });
    await same();
    // After the acknowledgement a new report opens its own alert; the acknowledged card keeps
    // the report made while it was open, and the fingerprint counts reports of open alerts only.
    await report(p, 2, ['discharge']);
    expect((await card('Jo Fingerprint')).map((e) => e.alsoReported.length)).toEqual([0, 1]);
    await same();
  });
});
