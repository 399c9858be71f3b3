/**
 * Issue 12, finding 1 for data written before sealing: migration 0003 seals plain webhook
 * secrets and the links of queued reminders; 0003 down opens them again. Both dialects.
 */
import { expect, it } from 'vitest';
import { describeEachDialect } from '../../test/dialects.ts';
import { findClinic, updateClinicSettings } from './clinics.repository.ts';
import { type KeyRing, namedKey, withKeys } from './keyring.ts';
import { createMigrator, migrateToLatest } from './migrations.ts';
import { resealSecrets } from './seal-existing.ts';
import { seedClinic } from './test-fixtures.ts';
import { TEST_KEYS, testKey } from './test-keys.ts';

const LINK = 'https://care.example/p/plain-token-0123456789abcdefghijklmnopqrstuv';
const SECRET = 'whsec_plain-0123456789';

describeEachDialect('migration 0003: sealing what was stored in the clear', (ctx) => {
  it('seals plain webhook secrets and pending/dead reminder links; down opens them', async () => {
    const clinic = await seedClinic(ctx.db);
    const migrator = createMigrator(ctx.db);
    const down = await migrator.migrateTo('0002_keyed_audit_chain');
    expect(down.error).toBeUndefined();

    // What a 0002 database holds: plain values.
    await ctx.db
      .updateTable('clinics')
      .set({
        escalation_json: JSON.stringify({
          webhooks: [{ id: 'ehr', url: 'https://ehr.example/h', secret: SECRET }],
        }),
      })
      .where('id', '=', clinic.id)
      .execute();
    const payload = JSON.stringify({ sessionId: 's', linkUrl: LINK, stopUrl: `${LINK}/stop` });
    for (const [id, status] of [
      ['o-pending', 'pending'],
      ['o-dead', 'dead'],
    ] as const) {
      await ctx.db
        .insertInto('outbox')
        .values({
          id,
          clinic_id: clinic.id,
          kind: 'reminder.email',
          dedupe_key: `reminder:${id}`,
          payload_json: payload,
          due_at: '2026-11-25T10:00:00.000Z',
          status,
          attempts: 0,
          claimed_by: null,
          claimed_until: null,
          last_error: null,
          created_at: '2026-11-25T09:00:00.000Z',
          sent_at: null,
        })
        .execute();
    }

    // 0003 runs first; the later migrations (0004, 0005) follow it.
    expect((await migrateToLatest(ctx.db))[0]).toBe('0003_seal_secrets_at_rest');
    const raw = await ctx.db
      .selectFrom('clinics')
      .select('escalation_json')
      .where('id', '=', clinic.id)
      .executeTakeFirstOrThrow();
    expect(raw.escalation_json).not.toContain(SECRET);
    const outbox = await ctx.db.selectFrom('outbox').select('payload_json').execute();
    for (const row of outbox) expect(row.payload_json).not.toContain('plain-token');
    expect((await findClinic(ctx.db, clinic.id))?.escalation).toMatchObject({
      webhooks: [{ secret: SECRET }],
    });

    expect((await migrator.migrateTo('0002_keyed_audit_chain')).error).toBeUndefined();
    const opened = await ctx.db.selectFrom('outbox').select('payload_json').execute();
    for (const row of opened) expect(JSON.parse(row.payload_json).linkUrl).toBe(LINK);
    await migrateToLatest(ctx.db);
    await ctx.db.deleteFrom('outbox').execute();
  });

  it('keys reseal moves every sealed value to the current key, so the old one can go', async () => {
    const clinic = await seedClinic(ctx.db);
    await ctx.db
      .updateTable('clinics')
      .set({ escalation_json: '{}' })
      .where('id', '=', clinic.id)
      .execute();
    await updateClinicSettings(ctx.db, clinic.id, {
      escalation: { webhooks: [{ id: 'ehr', url: 'https://ehr.example/h', secret: SECRET }] },
    });
    const rotated: KeyRing = {
      ...TEST_KEYS,
      secret: { current: namedKey(testKey('secret-next')), previous: [TEST_KEYS.secret.current] },
    };
    const count = await resealSecrets(withKeys(ctx.db, rotated));
    expect(count.webhookSecrets).toBeGreaterThanOrEqual(1);
    const raw = await ctx.db
      .selectFrom('clinics')
      .select('escalation_json')
      .where('id', '=', clinic.id)
      .executeTakeFirstOrThrow();
    expect(raw.escalation_json).toContain(`nc1.${rotated.secret.current.id}.`);
    expect(raw.escalation_json).not.toContain(`nc1.${TEST_KEYS.secret.current.id}.`);
    const newOnly = withKeys(ctx.db, { ...rotated, secret: { ...rotated.secret, previous: [] } });
    expect((await findClinic(newOnly, clinic.id))?.escalation).toMatchObject({
      webhooks: [{ secret: SECRET }],
    });
    // Back to the suite's key for the other tests.
    await resealSecrets(
      withKeys(ctx.db, {
        ...TEST_KEYS,
        secret: { ...TEST_KEYS.secret, previous: [rotated.secret.current] },
      }),
    );
  });
});
