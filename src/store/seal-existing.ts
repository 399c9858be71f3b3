/**
 * Migration 0003's data step (docs/decisions/1100-keys-at-rest.md): seal what was written in the
 * clear before sealing existed — webhook secrets in `clinics.escalation_json` and the links of
 * reminder rows still in the outbox (pending, or dead and requeueable) — so an upgraded database
 * holds no plain credential either. `down` opens them again for an older build.
 */
import { parseJson, toJson } from './codec.ts';
import { type Db, withTransaction } from './db.ts';
import { findKey, keysOf } from './keyring.ts';
import { isSealed, open, type SealPurpose, seal } from './secret-box.ts';

type Transform = (purpose: SealPurpose, value: string) => string;

/** How many values a rewrite changed. */
export interface RewriteCount {
  readonly webhookSecrets: number;
  readonly reminderLinks: number;
}

async function rewrite(db: Db, transform: Transform): Promise<RewriteCount> {
  let webhookSecrets = 0;
  let reminderLinks = 0;
  const clinics = await db.selectFrom('clinics').select(['id', 'escalation_json']).execute();
  for (const c of clinics) {
    const escalation = parseJson<Record<string, unknown>>(c.escalation_json);
    if (!Array.isArray(escalation.webhooks)) continue;
    const webhooks = escalation.webhooks.map((h: unknown) => {
      if (typeof h !== 'object' || h === null) return h;
      const o = h as Record<string, unknown>;
      if (typeof o.secret !== 'string') return o;
      const secret = transform('clinic.webhook-secret', o.secret);
      if (secret !== o.secret) webhookSecrets += 1;
      return { ...o, secret };
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
          reminderLinks += 1;
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
  return { webhookSecrets, reminderLinks };
}

/** Seal every plain webhook secret and outbox reminder link (already sealed ones are kept). */
export async function sealExistingSecrets(db: Db): Promise<RewriteCount> {
  const keys = keysOf(db).secret;
  return rewrite(db, (purpose, value) =>
    isSealed(value) || value === '[sent]' ? value : seal(keys, purpose, value),
  );
}

/** The reverse, for rolling back to a build that reads plain values. */
export async function openExistingSecrets(db: Db): Promise<RewriteCount> {
  const keys = keysOf(db).secret;
  return rewrite(db, (purpose, value) => (isSealed(value) ? open(keys, purpose, value) : value));
}

/**
 * Key rotation's last step: re-seal every value sealed with an older key (and any plain one)
 * with the current key, so the old key can be dropped from NEEDLECARE_SECRET_KEYS_OLD. A value
 * no listed key opens is left as it is (and reported by the caller's count staying short).
 */
export async function resealSecrets(db: Db): Promise<RewriteCount> {
  const keys = keysOf(db).secret;
  return withTransaction(db, (trx) =>
    rewrite(trx, (purpose, value) => {
      if (!isSealed(value)) return value === '[sent]' ? value : seal(keys, purpose, value);
      const id = value.split('.')[1] ?? '';
      if (id === keys.current.id || findKey(keys, id) === undefined) return value;
      return seal(keys, purpose, open(keys, purpose, value));
    }),
  );
}
