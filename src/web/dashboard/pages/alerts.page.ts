import { SYMPTOMS } from '../../../clinical/symptoms.ts';
import type { Locale, SymptomCode } from '../../../clinical/types.ts';
import { formatNumber } from '../../../i18n/catalogue.ts';
import { telUri } from '../../../services/schemas/views.ts';
import type { AlertOutcome } from '../../../store/alerts.repository.ts';
import { html, type SafeHtml } from '../../shared/html.ts';
import { dt } from '../delivery-messages.ts';
import {
  ago,
  csrfField,
  dispositionBadge,
  errorList,
  type PageContext,
  page,
  severityBadge,
  statusText,
  warnIcon,
} from '../layout.ts';
import { type DashboardMessageKey, tr } from '../messages.ts';
import type { AlertQueue, QueueItem } from '../queue.ts';
import { formatInstant } from '../time.ts';

export interface AlertsView {
  readonly queue: AlertQueue;
  readonly timeZone: string;
  readonly now: Date;
  /** Fingerprint of the unresolved alerts, compared with the live stream's. */
  readonly signature: string;
  /** A card's form that was refused, shown again with what was typed and why (decision 0403). */
  readonly draft?: AlertDraft | undefined;
}

/** What one card's refused form held, and the message that says what to add. */
export interface AlertDraft {
  readonly alertId: string;
  readonly form: 'acknowledge' | 'attempt' | 'resolve';
  readonly note: string;
  readonly outcome: string;
  readonly outcomeClass: string;
  readonly error: DashboardMessageKey;
}

const SYMPTOM_LABEL = new Map(SYMPTOMS.map((s) => [s.code, s.label]));

export function symptomText(L: Locale, symptoms: readonly SymptomCode[]): string {
  return symptoms.length === 0
    ? tr(L, 'none')
    : symptoms.map((s) => SYMPTOM_LABEL.get(s)?.[L] ?? s).join('; ');
}

function history(ctx: PageContext, view: AlertsView, item: QueueItem): SafeHtml {
  const L = ctx.locale;
  const a = item.alert;
  const who = (id: string | null) =>
    id === null ? tr(L, 'unknownStaff') : (view.queue.staffNames.get(id) ?? tr(L, 'unknownStaff'));
  const when = (iso: string) => formatInstant(iso, view.timeZone, L);
  return html`<ul class="history">
<li>${tr(L, 'raisedAt', { when: when(a.createdAt), ago: ago(L, a.createdAt, view.now) })}</li>
${a.acknowledgedAt === null ? '' : html`<li>${tr(L, 'acknowledgedBy', { who: who(a.acknowledgedBy), when: when(a.acknowledgedAt) })}</li>`}
${a.resolvedAt === null ? '' : html`<li>${tr(L, 'resolvedBy', { who: who(a.resolvedBy), when: when(a.resolvedAt) })}</li>`}
${a.resolutionNote === null ? '' : html`<li>${tr(L, 'resolutionNote', { note: a.resolutionNote })}</li>`}
${a.outcome === null ? '' : html`<li>${tr(L, 'outcomeText', { outcome: outcomeWords(L, a.outcome, a.outcomeClass) })}</li>`}
</ul>
${
  item.attempts.length === 0
    ? ''
    : html`<h4 class="attempts-title">${tr(L, 'attemptsHeading')}</h4><ol class="attempts">${item.attempts.map(
        (t) =>
          html`<li>${tr(L, 'attemptBy', { who: who(t.staffId), when: when(t.at), note: t.note })}</li>`,
      )}</ol>`
}`;
}

const OUTCOME_KEY: Readonly<Record<AlertOutcome, DashboardMessageKey>> = {
  confirmed: 'outcomeConfirmed',
  false_alarm: 'outcomeFalseAlarm',
  unrelated: 'outcomeUnrelated',
};

const CLASS_KEY: Readonly<Record<'mild' | 'significant' | 'serious', DashboardMessageKey>> = {
  mild: 'classMild',
  significant: 'classSignificant',
  serious: 'classSerious',
};

function outcomeWords(
  L: PageContext['locale'],
  outcome: AlertOutcome,
  cls: 'mild' | 'significant' | 'serious' | null,
): string {
  const base = tr(L, OUTCOME_KEY[outcome]);
  return cls === null ? base : `${base} (${tr(L, CLASS_KEY[cls]).toLowerCase()})`;
}

/** How to reach the patient: a `tel:` link and a `mailto:` link, or "no contact given". */
function contactBlock(ctx: PageContext, item: QueueItem): SafeHtml {
  const L = ctx.locale;
  const c = item.contact;
  if (c.noContactGiven)
    return html`<p class="contact no-contact"><strong>${tr(L, 'noContactGiven')}</strong></p>`;
  return html`<p class="contact"><span class="contact-label">${tr(L, 'reachPatient')}:</span>
${c.phone === null ? '' : html`<a class="btn call" href="${telUri(c.phone)}">${tr(L, 'callPatient', { phone: c.phone })}</a>`}
${c.email === null ? '' : html`<a class="btn mail" href="mailto:${c.email}">${tr(L, 'emailPatient', { email: c.email })}</a>`}
</p>`;
}

function outcomeFieldset(
  L: PageContext['locale'],
  id: string,
  draft: AlertDraft | undefined,
): SafeHtml {
  const chosen = (name: string, value: string) =>
    draft !== undefined && (name === 'outcome' ? draft.outcome : draft.outcomeClass) === value;
  const radio = (name: string, value: string, key: DashboardMessageKey, required: boolean) =>
    html`<label class="choice"><input type="radio" name="${name}" value="${value}"${required ? html` required` : ''}${chosen(name, value) ? html` checked` : ''}> ${tr(L, key)}</label>`;
  return html`<fieldset class="outcome"><legend>${tr(L, 'outcomeLegend')}</legend>
${radio('outcome', 'confirmed', 'outcomeConfirmed', true)}
${radio('outcome', 'false_alarm', 'outcomeFalseAlarm', true)}
${radio('outcome', 'unrelated', 'outcomeUnrelated', true)}
<fieldset class="outcome-class" id="class-${id}"><legend>${tr(L, 'outcomeClassLegend')}</legend>
${radio('outcomeClass', 'mild', 'classMild', false)}
${radio('outcomeClass', 'significant', 'classSignificant', false)}
${radio('outcomeClass', 'serious', 'classSerious', false)}
</fieldset>
</fieldset>`;
}

/**
 * The other reports above self-care made while the alert was open, newest first (decision
 * 1225): an infection reported after a chest pain is on the card whoever reads it.
 */
function alsoReported(ctx: PageContext, view: AlertsView, item: QueueItem): SafeHtml {
  const L = ctx.locale;
  if (item.alsoReported.length === 0) return html``;
  return html`<div class="also-reported"><p><strong>${tr(L, 'alsoReported')}:</strong></p>
<ul class="also-list">${item.alsoReported.map(
    (
      c,
      i,
    ) => html`<li>${dispositionBadge(L, c.assessment?.disposition ?? null)} ${formatInstant(c.receivedAt, view.timeZone, L)} · ${tr(L, 'soreness')} ${c.soreness === null ? tr(L, 'sorenessNotGiven') : `${c.soreness}/10`} · ${tr(L, 'symptoms')}: ${symptomText(L, c.symptoms)}
${(item.alsoReportedRules[i] ?? []).length === 0 ? '' : html`<ul class="rules">${(item.alsoReportedRules[i] ?? []).map((r) => html`<li>${r.clinicianText[L]}</li>`)}</ul>`}</li>`,
  )}</ul></div>`;
}

function alertCard(ctx: PageContext, view: AlertsView, item: QueueItem): SafeHtml {
  const L = ctx.locale;
  const a = item.alert;
  const c = item.checkIn;
  const headingId = `alert-${a.id}-title`;
  const d = view.draft?.alertId === a.id ? view.draft : undefined;
  const typed = (form: AlertDraft['form']) => (d?.form === form ? d.note : '');
  // A refused form's message sits right above that form.
  return html`<li class="alert-card sev-${a.severity} status-${a.status}" id="alert-${a.id}" data-alert-id="${a.id}" data-severity="${a.severity}" data-status="${a.status}" data-patient="${item.patientName}">
<article aria-labelledby="${headingId}">
<h3 id="${headingId}">${severityBadge(L, a.severity)} <a href="/app/patients/${a.patientId}">${item.patientName}</a> <span class="status">${statusText(L, a.status)}</span></h3>
${
  c === undefined
    ? ''
    : html`<p class="why"><strong>${tr(L, 'whyAlert')}:</strong> ${tr(L, 'soreness')} ${c.soreness === null ? tr(L, 'sorenessNotGiven') : `${c.soreness}/10`} · ${tr(L, 'hoursAfterSession', { hours: formatNumber(L, c.hoursAfter, 'upTo1') })} · ${tr(L, 'symptoms')}: ${symptomText(L, c.symptoms)}</p>`
}
${item.rules.length === 0 ? '' : html`<ul class="rules">${item.rules.map((r) => html`<li>${r.clinicianText[L]}</li>`)}</ul>`}
${alsoReported(ctx, view, item)}
${a.status === 'resolved' ? '' : contactBlock(ctx, item)}
${history(ctx, view, item)}
${
  a.status === 'resolved'
    ? ''
    : html`<div class="actions">
${d === undefined || d.form === 'resolve' ? '' : errorList(L, [tr(L, d.error)])}
${
  a.status === 'open'
    ? html`<form method="post" action="/app/alerts/${a.id}/acknowledge#errors" class="acknowledge">${csrfField(ctx)}
<label for="ack-note-${a.id}">${tr(L, 'ackNote')}</label>
<input type="text" id="ack-note-${a.id}" name="note" maxlength="2000" value="${typed('acknowledge')}">
<button type="submit" class="btn primary" aria-describedby="${headingId}">${tr(L, 'acknowledge')}</button></form>`
    : html`<form method="post" action="/app/alerts/${a.id}/attempts#errors" class="attempt">${csrfField(ctx)}
<label for="attempt-${a.id}">${tr(L, 'attemptNote')}</label>
<input type="text" id="attempt-${a.id}" name="note" maxlength="2000" required value="${typed('attempt')}">
<button type="submit" class="btn secondary" aria-describedby="${headingId}">${tr(L, 'addAttempt')}</button></form>`
}
${d?.form === 'resolve' ? errorList(L, [tr(L, d.error)]) : ''}
<form method="post" action="/app/alerts/${a.id}/resolve#errors" class="resolve">${csrfField(ctx)}
<label for="note-${a.id}">${tr(L, 'resolveNote')}</label>
<textarea id="note-${a.id}" name="note" rows="2" maxlength="2000" required>${typed('resolve')}</textarea>
${outcomeFieldset(L, a.id, d?.form === 'resolve' ? d : undefined)}
<button type="submit" class="btn secondary" aria-describedby="${headingId}">${tr(L, 'resolve')}</button>
</form>
</div>`
}
</article>
</li>`;
}

/** The part of the page the live-update script replaces: banner and lists. */
export function queueFragment(ctx: PageContext, view: AlertsView): SafeHtml {
  const L = ctx.locale;
  const q = view.queue;
  const emergencies = q.open.filter((i) => i.alert.severity === 'emergency');
  return html`<div id="queue-content" data-signature="${view.signature}" data-emergencies="${q.openEmergencies}" data-title-count="${q.openUrgentOrEmergency}" data-emergency-ids="${q.open
    .filter((i) => i.alert.severity === 'emergency')
    .map((i) => i.alert.id)
    .join(' ')}">
${
  q.openEmergencies === 0
    ? ''
    : html`<section class="emergency-banner" aria-labelledby="emergency-banner-title">
<h2 id="emergency-banner-title">${warnIcon()} ${tr(L, 'emergencyBanner', { count: q.openEmergencies })}</h2>
<ul class="banner-patients">${emergencies.map(
        (i) =>
          html`<li><strong>${i.patientName}</strong>: ${
            i.contact.phone !== null
              ? html`<a class="banner-call" href="${telUri(i.contact.phone)}">${tr(L, 'callPatient', { phone: i.contact.phone })}</a>`
              : i.contact.email !== null
                ? html`<a class="banner-call" href="mailto:${i.contact.email}">${tr(L, 'emailPatient', { email: i.contact.email })}</a>`
                : tr(L, 'noContactGiven')
          }</li>`,
      )}</ul>
<p>${tr(L, 'emergencyBannerHelp')}</p>
</section>`
}
<section aria-labelledby="open-title">
<h2 id="open-title">${tr(L, 'needsAction')} (${q.open.length})</h2>
${q.open.length === 0 ? html`<p class="empty">${tr(L, 'noOpenAlerts')}</p>` : html`<ol class="alerts">${q.open.map((i) => alertCard(ctx, view, i))}</ol>`}
</section>
<section aria-labelledby="ack-title">
<h2 id="ack-title">${tr(L, 'acknowledgedHeading')} (${q.acknowledged.length})</h2>
${q.acknowledged.length === 0 ? html`<p class="empty">${tr(L, 'noAcknowledged')}</p>` : html`<ol class="alerts">${q.acknowledged.map((i) => alertCard(ctx, view, i))}</ol>`}
</section>
${
  q.resolved.length === 0
    ? ''
    : html`<section aria-labelledby="resolved-title">
<h2 id="resolved-title">${tr(L, 'recentlyResolved')}</h2>
<ol class="alerts">${q.resolved.map((i) => alertCard(ctx, view, i))}</ol>
</section>`
}
</div>`;
}

export function alertsPage(ctx: PageContext, view: AlertsView, flash?: string): string {
  const L = ctx.locale;
  return page(
    ctx,
    tr(L, 'alertsTitle'),
    html`<h1>${tr(L, 'alertsTitle')}</h1>
<p class="live-note"><span id="live-status" data-live="${tr(L, 'liveStatus')}">${tr(L, 'reloadForNew')}</span> <button type="button" class="btn secondary" id="enable-notifications" hidden>${tr(L, 'enableNotifications')}</button></p>
<p id="live-announce" class="live-announce" aria-live="assertive" aria-atomic="true" data-msg-emergency="${tr(L, 'liveNewEmergency')}" data-msg-updated="${tr(L, 'liveUpdated')}"></p>
<p id="db-banner" class="db-banner" role="status" hidden>${dt(L, 'streamDown')}</p>
<div id="queue" data-fragment="/app/alerts/fragment" data-events="/app/events">
${queueFragment(ctx, view)}
</div>`,
    {
      nav: 'alerts',
      emergencies: view.queue.openEmergencies,
      titleCount: view.queue.openUrgentOrEmergency,
      flash,
    },
  );
}
