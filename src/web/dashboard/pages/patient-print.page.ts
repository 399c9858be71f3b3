import { findMuscle } from '../../../clinical/muscles.ts';
import { formatNumber } from '../../../i18n/catalogue.ts';
import type { PatientExport } from '../../../services/patient-records.ts';
import { firedRulesOf } from '../../../services/schemas/views.ts';
import type { CheckInSource } from '../../../store/checkins.repository.ts';
import { html, type SafeHtml } from '../../shared/html.ts';
import { dispositionBadge, type PageContext, page, severityBadge, statusText } from '../layout.ts';
import { DASHBOARD_MESSAGES, tr } from '../messages.ts';
import { tp } from '../patients-messages.ts';
import { type PeopleMessageKey, tpeople } from '../people-messages.ts';
import { formatInstant } from '../time.ts';
import { symptomText } from './alerts.page.ts';
import { linkState, messageState } from './patients.page.ts';
import { sideText } from './record.page.ts';

export interface PatientPrintView {
  readonly record: PatientExport;
  readonly clinicName: string;
  readonly staffNames: ReadonlyMap<string, string>;
  readonly timeZone: string;
}

const SOURCE_KEY: Readonly<Record<CheckInSource, PeopleMessageKey>> = {
  patient: 'sourcePatient',
  emergency_button: 'sourceEmergency',
  staff: 'sourceStaff',
};

/**
 * A patient's whole record as one printable page (issue 11: "a patient's whole record … as a
 * printable page"): the same data as the JSON export, every session with its sites, check-ins
 * and their triage, every alert with its history, the links and the messages sent. No controls;
 * the print style sheet drops the page chrome.
 */
export function patientPrintPage(ctx: PageContext, view: PatientPrintView): string {
  const L = ctx.locale;
  const { record } = view;
  const p = record.patient;
  const when = (iso: string | null) => (iso === null ? '–' : formatInstant(iso, view.timeZone, L));
  const who = (id: string | null) =>
    id === null ? tr(L, 'unknownStaff') : (view.staffNames.get(id) ?? tr(L, 'unknownStaff'));
  const title = tpeople(L, 'printTitle', { name: p.displayName });
  const none = html`<p class="empty">${tpeople(L, 'printNone')}</p>`;
  const table = (caption: string, head: readonly string[], rows: readonly SafeHtml[]) =>
    rows.length === 0
      ? none
      : html`<div class="table-wrap" role="region" tabindex="0" aria-label="${caption}"><table class="print-table"><caption class="visually-hidden">${caption}</caption>
<thead><tr>${head.map((h) => html`<th scope="col">${h}</th>`)}</tr></thead>
<tbody>${rows}</tbody></table></div>`;

  const sessions = record.sessions.map((s) => {
    const sessionTitle = tr(L, 'sessionOf', { when: when(s.performedAt) });
    const sites = s.sites.map((site) => {
      const m = findMuscle(site.muscle);
      return html`<tr><td>${m === undefined ? site.muscle : `${m.name[L]} (${m.everyday[L]})`}</td><td>${sideText(L, site.side)}</td><td>${site.needleCount ?? '–'}</td></tr>`;
    });
    const checkIns = s.checkIns.map((c) => {
      const a = c.assessment;
      const rules = a === null ? [] : firedRulesOf(a.rules, a.rulebookVersion, a.thoracic);
      return html`<tr><td>${when(c.receivedAt)}</td><td>${formatNumber(L, c.hoursAfter, 'fixed1')}</td><td>${c.soreness === null ? tr(L, 'sorenessNotGiven') : `${c.soreness}/10`}</td><td>${symptomText(L, c.symptoms)}${c.note === null ? '' : html`<br><em>${tr(L, 'patientNote')}:</em> ${c.note}`}</td><td>${tpeople(L, SOURCE_KEY[c.source])}</td><td>${dispositionBadge(L, a?.disposition ?? null)}</td><td>${
        rules.length === 0
          ? '–'
          : html`<ul class="rules">${rules.map((r) => html`<li><code>${r.id}</code> ${r.clinicianText[L]}</li>`)}</ul>`
      }${a === null ? '' : html`<span class="hint">${tr(L, 'rulebookVersion', { v: a.rulebookVersion })}</span>`}</td></tr>`;
    });
    return html`<section class="print-session">
<h3 id="ps-${s.id}">${sessionTitle}</h3>
<p>${tr(L, 'practitionerName', { name: who(s.practitionerId) })}${s.thoracic ? html` · ${tr(L, 'thoracicMark')}` : ''}${s.bilateralThoracic ? html` · ${tr(L, 'bilateralShort')}` : ''}</p>
${table(`${tr(L, 'musclesNeedled')} · ${sessionTitle}`, [tr(L, 'muscle'), tr(L, 'side'), tr(L, 'needles')], sites)}
${s.notes === null ? '' : html`<p><strong>${tr(L, 'notes')}:</strong> ${s.notes}</p>`}
<h4>${tr(L, 'checkIns')}</h4>
${table(
  `${tr(L, 'checkIns')} · ${sessionTitle}`,
  [
    tr(L, 'received'),
    tr(L, 'hoursAfter'),
    tr(L, 'soreness'),
    tr(L, 'symptoms'),
    tpeople(L, 'printSource'),
    tr(L, 'disposition'),
    tr(L, 'firedRules'),
  ],
  checkIns,
)}
</section>`;
  });

  const alerts = record.alerts.map(
    (a) =>
      html`<tr><td>${when(a.createdAt)}</td><td>${severityBadge(L, a.severity)}</td><td>${statusText(L, a.status)}</td><td>${a.acknowledgedAt === null ? '–' : `${when(a.acknowledgedAt)} · ${who(a.acknowledgedBy)}`}</td><td>${a.resolvedAt === null ? '–' : `${when(a.resolvedAt)} · ${who(a.resolvedBy)}`}</td><td>${[a.outcome, a.outcomeClass, a.resolutionNote].filter((x) => x !== null).join(' · ') || '–'}</td></tr>`,
  );
  const links = record.links.map(
    (l) =>
      html`<tr><td>${when(l.createdAt)}</td><td>${when(l.expiresAt)}</td><td>${linkState(ctx, l)}</td></tr>`,
  );
  const messages = record.messages.map(
    (m) =>
      html`<tr><td>${when(m.dueAt)}</td><td>${m.kind === 'reminder.sms' ? tp(L, 'channelSms') : tp(L, 'channelEmail')}</td><td>${messageState(ctx, m)}</td><td>${when(m.skipped ? null : m.sentAt)}</td><td>${m.attempts}</td></tr>`,
  );
  const contact = [p.email, p.phone].filter((x): x is string => x !== null);

  return page(
    ctx,
    title,
    html`<article class="patient-print">
<p class="print-controls"><a href="/app/patients/${p.id}">${tpeople(L, 'printBack')}</a></p>
<h1>${title}</h1>
<p>${tpeople(L, 'printLead', { clinic: view.clinicName, when: when(record.exportedAt) })}</p>
<section><h2 id="pp-patient">${tpeople(L, 'printPatient')}</h2>
<dl class="print-facts">
<dt>${tp(L, 'fieldName')}</dt><dd>${p.displayName}</dd>
<dt>${tr(L, 'contact')}</dt><dd>${contact.length === 0 ? tpeople(L, 'printNoContact') : contact.join(' · ')}</dd>
<dt>${tpeople(L, 'printLanguage')}</dt><dd>${DASHBOARD_MESSAGES.langName[p.language]}</dd>
<dt>${tpeople(L, 'printAdded')}</dt><dd>${when(p.createdAt)}</dd>
</dl></section>
<section><h2 id="pp-sessions">${tpeople(L, 'printSessions')}</h2>
${sessions.length === 0 ? none : sessions}</section>
<section><h2 id="pp-alerts">${tpeople(L, 'printAlerts')}</h2>
${table(
  tpeople(L, 'printAlerts'),
  [
    tpeople(L, 'printRaised'),
    tpeople(L, 'printSeverity'),
    tpeople(L, 'printStatus'),
    tpeople(L, 'printAcknowledged'),
    tpeople(L, 'printResolved'),
    tpeople(L, 'printOutcome'),
  ],
  alerts,
)}</section>
<section><h2 id="pp-links">${tpeople(L, 'printLinks')}</h2>
${table(tpeople(L, 'printLinks'), [tp(L, 'colIssued'), tp(L, 'colExpires'), tp(L, 'colState')], links)}</section>
<section><h2 id="pp-messages">${tpeople(L, 'printMessages')}</h2>
${table(
  tpeople(L, 'printMessages'),
  [
    tp(L, 'colDue'),
    tp(L, 'colChannel'),
    tp(L, 'colState'),
    tpeople(L, 'printSentAt'),
    tpeople(L, 'printAttempts'),
  ],
  messages,
)}</section>
</article>`,
    { print: true },
  );
}
