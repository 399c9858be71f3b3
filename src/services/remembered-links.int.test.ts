import type { FastifyInstance } from 'fastify';
import { beforeAll, expect, it } from 'vitest';
import { describeEachDialect } from '../../test/dialects.ts';
import { watchPgStatements } from '../../test/pg-round-trips.ts';
import { makeTestApp, seedClinic, T0 } from '../api/test-support.ts';
import { listAuditEvents, verifyAuditChain } from '../store/audit.repository.ts';
import { listCheckInsForSession } from '../store/checkins.repository.ts';
import { setClinicSuspended } from '../store/clinics.repository.ts';
import { revokeLink } from '../store/links.repository.ts';
import type { AnonymousActor, LinkActor, StaffActor } from './actors.ts';
import type { ManualClock } from './clock.ts';
import type { ServiceDeps } from './deps.ts';
import {
  type ActiveLink,
  resolveLinkForEmergency,
  resolvePatientLink,
  resolvePatientLinkForCheckIn,
} from './patient-link.ts';
import { recordSession } from './record-session.ts';
import { pressEmergencyButton, submitCheckIn } from './submit-check-in.ts';

const base = { ip: '127.0.0.1', requestId: 'remembered-links' } as const;
const nobody: AnonymousActor = { ...base, kind: 'anonymous', clinicId: null, actorId: null };

/**
 * Links remembered from a check-in (decision 1443): the next check-in through the token reads
 * no link at the door, and its link is checked instead inside its own transaction, under the
 * session's lock, so a link withdrawn since (or between the door and the commit) takes no
 * check-in.
 */
describeEachDialect('check-ins through remembered links', (ctx) => {
  let app: FastifyInstance;
  let clock: ManualClock;
  let deps: ServiceDeps;

  beforeAll(async () => {
    ({ app, clock } = await makeTestApp(ctx.db));
    deps = app.deps;
  });

  /** A session in a clinic of its own (so suspending it touches no other test). */
  async function session(): Promise<{ token: string; clinicId: string; staff: StaffActor }> {
    const clinic = await seedClinic(ctx.db, 'Remembering Clinic');
    const staff: StaffActor = {
      ...base,
      kind: 'staff',
      userId: clinic.practitionerId,
      clinicId: clinic.clinicId,
      role: 'practitioner',
    };
    clock.set(T0);
    const recorded = await recordSession(deps, staff, {
      patient: { displayName: 'Remembered Patient', phone: '+44 7700 900000' },
      performedAt: new Date(Date.parse(T0) - 30 * 60_000).toISOString(),
      sites: [{ muscle: 'tibialis-anterior', side: 'right' }],
    });
    return { token: recorded.link.url.split('/p/')[1] ?? '', clinicId: clinic.clinicId, staff };
  }

  function actorOf(link: ActiveLink): LinkActor {
    return { ...base, kind: 'patient_link', linkId: link.id, clinicId: link.clinicId };
  }

  function checkIn(link: ActiveLink, soreness = 3) {
    return submitCheckIn(deps, actorOf(link), {
      link,
      input: { soreness, symptoms: [] },
      source: 'patient',
      idempotencyKey: undefined,
    });
  }

  /** The states named by the link's `patient_link.refused` events, oldest first. */
  async function refusals(linkId: string): Promise<unknown[]> {
    const events = await listAuditEvents(ctx.db, {
      subjectType: 'patient_link',
      subjectId: linkId,
    });
    return events
      .filter((e) => e.action === 'patient_link.refused')
      .map((e) => e.details.state)
      .reverse();
  }

  it('the second check-in through a token needs no read of its link before its group', async () => {
    const s = await session();
    const link = await resolvePatientLinkForCheckIn(deps, nobody, s.token);
    expect((await checkIn(link)).status).toBe(201);
    const watched = ctx.dialect === 'postgres' ? watchPgStatements() : undefined;
    try {
      const again = await resolvePatientLinkForCheckIn(deps, nobody, s.token);
      expect(again.id).toBe(link.id);
      // Nothing was sent for the door: the link came from memory.
      if (watched !== undefined) expect(watched.texts()).toEqual([]);
      expect((await checkIn(again)).status).toBe(201);
    } finally {
      watched?.restore();
    }
    expect(await listCheckInsForSession(ctx.db, link.sessionId)).toHaveLength(2);
  });

  it('a remembered link revoked since is refused under the lock: nothing stored, the refusal audited, the link forgotten', async () => {
    const s = await session();
    const link = await resolvePatientLinkForCheckIn(deps, nobody, s.token);
    expect((await checkIn(link)).status).toBe(201);
    expect(await revokeLink(ctx.db, s.clinicId, link.id, clock.now())).toBe(true);

    // The door still answers from memory, without a read...
    const remembered = await resolvePatientLinkForCheckIn(deps, nobody, s.token);
    // ...and the check-in's transaction refuses it.
    await expect(checkIn(remembered, 9)).rejects.toMatchObject({ code: 'link_gone' });
    expect(await listCheckInsForSession(ctx.db, link.sessionId)).toHaveLength(1);
    expect(await refusals(link.id)).toEqual(['revoked']);

    // Forgotten: the next use is refused at the door, and audited there.
    await expect(resolvePatientLinkForCheckIn(deps, nobody, s.token)).rejects.toMatchObject({
      code: 'link_gone',
    });
    expect(await refusals(link.id)).toEqual(['revoked', 'revoked']);
    expect((await verifyAuditChain(ctx.db)).ok).toBe(true);
  });

  it('a link revoked between the door and the commit takes no check-in', async () => {
    const s = await session();
    // The door's own read, before the revocation.
    const link = await resolvePatientLink(deps, nobody, s.token);
    await revokeLink(ctx.db, s.clinicId, link.id, clock.now());
    await expect(checkIn(link, 9)).rejects.toMatchObject({ code: 'link_gone' });
    expect(await listCheckInsForSession(ctx.db, link.sessionId)).toHaveLength(0);
    expect(await refusals(link.id)).toEqual(['revoked']);
  });

  it('a remembered link whose clinic was suspended since is refused, and works again once it is resumed', async () => {
    const s = await session();
    const link = await resolvePatientLinkForCheckIn(deps, nobody, s.token);
    expect((await checkIn(link)).status).toBe(201);
    await setClinicSuspended(ctx.db, s.clinicId, clock.now());
    const remembered = await resolvePatientLinkForCheckIn(deps, nobody, s.token);
    await expect(checkIn(remembered, 5)).rejects.toMatchObject({ code: 'link_gone' });
    expect(await refusals(link.id)).toEqual(['clinic_suspended']);
    await setClinicSuspended(ctx.db, s.clinicId, null);
    const resumed = await resolvePatientLinkForCheckIn(deps, nobody, s.token);
    expect((await checkIn(resumed, 5)).status).toBe(201);
    expect(await listCheckInsForSession(ctx.db, link.sessionId)).toHaveLength(2);
  });

  it('a remembered link past its expiry goes back through the door and is refused there', async () => {
    const s = await session();
    const link = await resolvePatientLinkForCheckIn(deps, nobody, s.token);
    expect((await checkIn(link)).status).toBe(201);
    clock.set(new Date(Date.parse(link.expiresAt) + 1));
    await expect(resolvePatientLinkForCheckIn(deps, nobody, s.token)).rejects.toMatchObject({
      code: 'link_gone',
    });
    // A link held from before its expiry is refused in the transaction as well.
    await expect(checkIn(link, 9)).rejects.toMatchObject({ code: 'link_gone' });
    expect(await refusals(link.id)).toEqual(['expired', 'expired']);
    expect(await listCheckInsForSession(ctx.db, link.sessionId)).toHaveLength(1);
  });

  it('in a group, the check-in through a revoked link fails alone; its neighbours are stored', async () => {
    const sessions = await Promise.all(Array.from({ length: 4 }, () => session()));
    const links = await Promise.all(
      sessions.map((s) => resolvePatientLinkForCheckIn(deps, nobody, s.token)),
    );
    const revoked = links[1] as ActiveLink;
    await revokeLink(
      ctx.db,
      (sessions[1] as { clinicId: string }).clinicId,
      revoked.id,
      clock.now(),
    );
    const outcomes = await Promise.allSettled(links.map((l) => checkIn(l, 4)));
    expect(outcomes.map((o) => o.status)).toEqual([
      'fulfilled',
      'rejected',
      'fulfilled',
      'fulfilled',
    ]);
    expect(outcomes[1]).toMatchObject({ reason: { code: 'link_gone' } });
    for (const [i, l] of links.entries())
      expect(await listCheckInsForSession(ctx.db, l.sessionId)).toHaveLength(i === 1 ? 0 : 1);
    expect((await verifyAuditChain(ctx.db)).ok).toBe(true);
  });

  it('the emergency button through a link withdrawn within its grace still records the emergency', async () => {
    const s = await session();
    const link = await resolvePatientLinkForCheckIn(deps, nobody, s.token);
    expect((await checkIn(link)).status).toBe(201);
    await revokeLink(ctx.db, s.clinicId, link.id, clock.now());
    const { link: graced, active } = await resolveLinkForEmergency(deps, nobody, s.token);
    expect(active).toBe(false);
    const pressed = await pressEmergencyButton(deps, actorOf(graced), {
      link: graced,
      idempotencyKey: undefined,
    });
    expect(pressed.status).toBe(201);
    expect(pressed.body.assessment.disposition).toBe('emergency');
    expect(await listCheckInsForSession(ctx.db, link.sessionId)).toHaveLength(2);
  });
});
