import type { CheckInPlan } from '../clinical/checkin-plan.ts';
import type { Locale } from '../clinical/types.ts';
import type { Alert } from '../store/alerts.repository.ts';
import type { Clinic } from '../store/clinics.repository.ts';
import type { Db } from '../store/db.ts';
import type { Patient } from '../store/patients.repository.ts';
import type { NeedlingSession } from '../store/sessions.repository.ts';

/**
 * What the API tells the rest of the system (docs/decisions/0200-write-events.md), inside the
 * transaction of the write, so an outbox row commits or rolls back with it. The composition
 * root (`needlecare serve`) wires the jobs' outbox producers in here; tests may pass spies.
 * All optional: without a handler the write has no side effect. A handler that throws rolls
 * the whole write back.
 */
export interface ServiceEvents {
  /** An alert was opened, or an open alert's severity was raised, by a check-in. */
  alertRaised?(trx: Db, event: AlertRaisedEvent): Promise<void>;
  /**
   * A patient link was issued (when a session is recorded, or re-issued later). `linkUrl`
   * holds the secret token and exists only now: schedule reminders that carry it here.
   */
  linkIssued?(trx: Db, event: LinkIssuedEvent): Promise<void>;
  /** A session's links were revoked: cancel what still carries them. */
  linksRevoked?(
    trx: Db,
    event: { readonly session: NeedlingSession; readonly at: Date },
  ): Promise<void>;
  /**
   * The patient asked for no more reminders (the stop link). `scope: 'session'` (the link is the
   * session's current one): cancel the session's pending reminders, for good. `scope: 'link'`
   * (a withdrawn link): cancel only what was queued for that link, never the replacement's.
   * Returns how many were cancelled (0 when already stopped).
   */
  remindersStopped?(trx: Db, event: RemindersStoppedEvent): Promise<number>;
  /**
   * A set-password link was issued to a person by e-mail (an invitation or a reset). `url`
   * holds the secret and exists only now: queue the e-mail that carries it here.
   */
  passwordLinkIssued?(trx: Db, event: PasswordLinkIssuedEvent): Promise<void>;
}

export interface PasswordLinkIssuedEvent {
  readonly purpose: 'invite' | 'reset';
  readonly tokenId: string;
  readonly clinicId: string;
  readonly to: string;
  readonly name: string;
  readonly clinicName: string;
  readonly language: Locale;
  readonly url: string;
  readonly expiresAt: string;
  readonly at: Date;
}

export interface RemindersStoppedEvent {
  readonly sessionId: string;
  readonly linkId: string;
  readonly scope: 'session' | 'link';
  readonly at: Date;
}

export interface AlertRaisedEvent {
  readonly alert: Alert;
  readonly type: 'alert.created' | 'alert.raised';
  readonly previousSeverity: Alert['severity'] | null;
  readonly at: Date;
}

export interface LinkIssuedEvent {
  readonly reason: 'session_recorded' | 'reissued';
  readonly session: NeedlingSession;
  readonly patient: Patient;
  readonly clinic: Clinic;
  readonly plan: CheckInPlan;
  readonly linkId: string;
  readonly linkUrl: string;
  readonly expiresAt: string;
  readonly at: Date;
}
