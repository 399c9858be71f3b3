/**
 * A reminder's patient link and stop link are credentials: whoever holds them opens the
 * patient's page. They wait in the outbox until sent, so they are sealed there (AES-256-GCM,
 * store/secret-box.ts) and opened only by the worker when it renders the message. Rows written
 * before sealing hold plain links and are sent as they are.
 */
import type { Db } from '../store/db.ts';
import { keysOf } from '../store/keyring.ts';
import { openOrPlain, seal } from '../store/secret-box.ts';
import type { ReminderPayload } from './payloads.ts';

/** The payload as the outbox stores it: links sealed. */
export function sealReminderLinks(db: Db, payload: ReminderPayload): ReminderPayload {
  const keys = keysOf(db).secret;
  return {
    ...payload,
    linkUrl: seal(keys, 'outbox.reminder-link', payload.linkUrl),
    stopUrl: seal(keys, 'outbox.reminder-link', payload.stopUrl),
  };
}

/** The payload ready to render: links opened (throws when no key opens them). */
export function openReminderLinks(db: Db, payload: ReminderPayload): ReminderPayload {
  const keys = keysOf(db).secret;
  return {
    ...payload,
    linkUrl: openOrPlain(keys, 'outbox.reminder-link', payload.linkUrl),
    stopUrl: openOrPlain(keys, 'outbox.reminder-link', payload.stopUrl),
  };
}
