import { SYMPTOMS } from '../../../clinical/symptoms.ts';
import type { Locale, SymptomCode } from '../../../clinical/types.ts';
import { formatNumber } from '../../../i18n/catalogue.ts';
import { telUri } from '../../../services/schemas/views.ts';
import type { AlertOutcome } from '../../../store/alerts.repository.ts';
import { type HtmlValue, html, inParts, raw, type SafeHtml, slotted } from '../../shared/html.ts';
import { dt } from '../delivery-messages.ts';
import {
  ago,
  csrfField,
  dispositionBadge,
  errorList,
  type PageContext,
  pageHtml,
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

type OutcomeValue = AlertOutcome;
type ClassValue = keyof typeof CLASS_KEY;

/** The resolve form's choices, in the order shown. */
const OUTCOMES = Object.entries(OUTCOME_KEY) as [OutcomeValue, DashboardMessageKey][];
const CLASSES = Object.entries(CLASS_KEY) as [ClassValue, DashboardMessageKey][];

type FormSlot = 'id' | 'csrf' | 'typed' | 'heading';
type ResolveSlot = FormSlot | `pick-${OutcomeValue}` | `pick-${ClassValue}`;

/*
 * A card's forms, each rendered once per locale and then filled with the alert's values
 * (`slotted`, decision 1458). A refused form's note and choices come back through the slots.
 */
const acknowledgeForm = slotted<FormSlot, Locale>(
  (
    L,
    s,
  ) => html`<form method="post" action="/app/alerts/${s('id')}/acknowledge#errors" class="acknowledge">${s('csrf')}
<label for="ack-note-${s('id')}">${tr(L, 'ackNote')}</label>
<input type="text" id="ack-note-${s('id')}" name="note" maxlength="2000" value="${s('typed')}">
<button type="submit" class="btn primary" aria-describedby="${s('heading')}">${tr(L, 'acknowledge')}</button></form>`,
);

const attemptForm = slotted<FormSlot, Locale>(
  (
    L,
    s,
  ) => html`<form method="post" action="/app/alerts/${s('id')}/attempts#errors" class="attempt">${s('csrf')}
<label for="attempt-${s('id')}">${tr(L, 'attemptNote')}</label>
<input type="text" id="attempt-${s('id')}" name="note" maxlength="2000" required value="${s('typed')}">
<button type="submit" class="btn secondary" aria-describedby="${s('heading')}">${tr(L, 'addAttempt')}</button></form>`,
);

const resolveForm = slotted<ResolveSlot, Locale>((L, s) => {
  const radio = (name: 'outcome' | 'outcomeClass', value: string, key: DashboardMessageKey) =>
    html`<label class="choice"><input type="radio" name="${name}" value="${value}"${name === 'outcome' ? html` required` : ''}${s(`pick-${value}` as ResolveSlot)}> ${tr(L, key)}</label>\n`;
  return html`<form method="post" action="/app/alerts/${s('id')}/resolve#errors" class="resolve">${s('csrf')}
<label for="note-${s('id')}">${tr(L, 'resolveNote')}</label>
<textarea id="note-${s('id')}" name="note" rows="2" maxlength="2000" required>${s('typed')}</textarea>
<fieldset class="outcome"><legend>${tr(L, 'outcomeLegend')}</legend>
${OUTCOMES.map(([value, key]) => radio('outcome', value, key))}<fieldset class="outcome-class" id="class-${s('id')}"><legend>${tr(L, 'outcomeClassLegend')}</legend>
${CLASSES.map(([value, key]) => radio('outcomeClass', value, key))}</fieldset>
</fieldset>
<button type="submit" class="btn secondary" aria-describedby="${s('heading')}">${tr(L, 'resolve')}</button>
</form>`;
});

const CHECKED = raw(' checked');

/** The resolve form's values: a refused form's note and choices, or none. */
function resolveValues(
  id: string,
  csrf: SafeHtml,
  heading: string,
  draft: AlertDraft | undefined,
): Readonly<Record<ResolveSlot, HtmlValue>> {
  const outcome = (value: OutcomeValue) => (draft?.outcome === value ? CHECKED : '');
  const cls = (value: ClassValue) => (draft?.outcomeClass === value ? CHECKED : '');
  return {
    id,
    csrf,
    heading,
    typed: draft?.note ?? '',
    'pick-confirmed': outcome('confirmed'),
    'pick-false_alarm': outcome('false_alarm'),
    'pick-unrelated': outcome('unrelated'),
    'pick-mild': cls('mild'),
    'pick-significant': cls('significant'),
    'pick-serious': cls('serious'),
  };
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

function alertCard(ctx: PageContext, view: AlertsView, item: QueueItem, csrf: SafeHtml): SafeHtml {
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
${(a.status === 'open' ? acknowledgeForm : attemptForm)(L, { id: a.id, csrf, heading: headingId, typed: typed(a.status === 'open' ? 'acknowledge' : 'attempt') })}
${d?.form === 'resolve' ? errorList(L, [tr(L, d.error)]) : ''}
${resolveForm(L, resolveValues(a.id, csrf, headingId, d?.form === 'resolve' ? d : undefined))}
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
  const csrf = csrfField(ctx);
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
${q.open.length === 0 ? html`<p class="empty">${tr(L, 'noOpenAlerts')}</p>` : html`<ol class="alerts">${inParts(q.open.map((i) => alertCard(ctx, view, i, csrf)))}</ol>`}
</section>
<section aria-labelledby="ack-title">
<h2 id="ack-title">${tr(L, 'acknowledgedHeading')} (${q.acknowledged.length})</h2>
${q.acknowledged.length === 0 ? html`<p class="empty">${tr(L, 'noAcknowledged')}</p>` : html`<ol class="alerts">${inParts(q.acknowledged.map((i) => alertCard(ctx, view, i, csrf)))}</ol>`}
</section>
${
  q.resolved.length === 0
    ? ''
    : html`<section aria-labelledby="resolved-title">
<h2 id="resolved-title">${tr(L, 'recentlyResolved')}</h2>
<ol class="alerts">${inParts(q.resolved.map((i) => alertCard(ctx, view, i, csrf)))}</ol>
</section>`
}
</div>`;
}

export function alertsPage(ctx: PageContext, view: AlertsView, flash?: string): SafeHtml {
  const L = ctx.locale;
  return pageHtml(
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
