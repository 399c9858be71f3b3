/**
 * Migration 0003's data step (docs/decisions/1100-keys-at-rest.md): seal what was written in the
 * clear before sealing existed — webhook secrets in `clinics.escalation_json` and the links of
 * reminder rows still in the outbox (pending, or dead and requeueable) — so an upgraded database
 * holds no plain credential either. `down` opens them again for an older build.
 */
import { parseJson, toJson } from './codec.ts';
import type { Db } from './db.ts';
import { keysOf } from './keyring.ts';
import { isSealed, open, type SealPurpose, seal } from './secret-box.ts';

type Transform = (purpose: SealPurpose, value: string) => string;

async function rewrite(db: Db, transform: Transform): Promise<void> {
  const clinics = await db.selectFrom('clinics').select(['id', 'escalation_json']).execute();
  for (const c of clinics) {
    const escalation = parseJson<Record<string, unknown>>(c.escalation_json);
    if (!Array.isArray(escalation.webhooks)) continue;
    const webhooks = escalation.webhooks.map((h: unknown) => {
      if (typeof h !== 'object' || h === null) return h;
      const o = h as Record<string, unknown>;
      return typeof o.secret === 'string'
        ? { ...o, secret: transform('clinic.webhook-secret', o.secret) }
        : o;
    });
    const json = toJson({ ...escalation, webhooks });
    if (json !== c.escalation_json) {
      await db
        .updateTable('clinics')
        .set({ escalation_json: json })
        .where('id', '=', c.id)
        .execute();
    }
  }
  const rows = await db
    .selectFrom('outbox')
    .select(['id', 'payload_json'])
    .where('kind', 'in', ['reminder.email', 'reminder.sms'])
    .where('status', 'in', ['pending', 'dead'])
    .execute();
  for (const r of rows) {
    const payload = parseJson<Record<string, unknown>>(r.payload_json);
    let changed = false;
    for (const field of ['linkUrl', 'stopUrl'] as const) {
      const value = payload[field];
      if (typeof value === 'string') {
        const next = transform('outbox.reminder-link', value);
        if (next !== value) {
          payload[field] = next;
          changed = true;
        }
      }
    }
    if (changed) {
      await db
        .updateTable('outbox')
        .set({ payload_json: JSON.stringify(payload) })
        .where('id', '=', r.id)
        .execute();
    }
  }
}

/** Seal every plain webhook secret and outbox reminder link (already sealed ones are kept). */
export async function sealExistingSecrets(db: Db): Promise<void> {
  const keys = keysOf(db).secret;
  await rewrite(db, (purpose, value) =>
    isSealed(value) || value === '[sent]' ? value : seal(keys, purpose, value),
  );
}

/** The reverse, for rolling back to a build that reads plain values. */
export async function openExistingSecrets(db: Db): Promise<void> {
  const keys = keysOf(db).secret;
  await rewrite(db, (purpose, value) => (isSealed(value) ? open(keys, purpose, value) : value));
}
