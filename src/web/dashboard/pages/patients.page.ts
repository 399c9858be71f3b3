import { LOCALES } from '../../../clinical/types.ts';
import type { LinkSummary, PatientContacts } from '../../../services/patient-records.ts';
import type { PatientMessage } from '../../../store/patient-data.repository.ts';
import type { Patient } from '../../../store/patients.repository.ts';
import { html, type SafeHtml } from '../../shared/html.ts';
import { csrfField, errorList, type PageContext, page } from '../layout.ts';
import { DASHBOARD_MESSAGES } from '../messages.ts';
import { tp } from '../patients-messages.ts';
import { tpeople } from '../people-messages.ts';
import { formatInstant } from '../time.ts';

function nameOf(ctx: PageContext, p: Patient): string {
  return p.erasedAt === null ? p.displayName : tp(ctx.locale, 'erasedName');
}

/** The list: search box, newest first, a link to the next page. */
export function patientsPage(
  ctx: PageContext,
  view: {
    q: string;
    items: readonly Patient[];
    nextCursor: string | null;
    paged: boolean;
    timeZone: string;
    flash?: string;
  },
): string {
  const L = ctx.locale;
  const more =
    view.nextCursor === null
      ? ''
      : html`<a href="/app/patients?q=${encodeURIComponent(view.q)}&amp;cursor=${view.nextCursor}">${tp(L, 'patientsMore')}</a>`;
  const first = view.paged
    ? html`<a href="/app/patients?q=${encodeURIComponent(view.q)}">${tp(L, 'patientsFirst')}</a>`
    : '';
  const rows = view.items.map(
    (p) => html`<tr>
<th scope="row">${nameOf(ctx, p)}</th>
<td>${[p.phone, p.email].filter((v) => v !== null).join(' · ')}</td>
<td>${formatInstant(p.createdAt, view.timeZone, L)}</td>
<td><a href="/app/patients/${p.id}">${tp(L, 'openTimeline')}</a> · <a href="/app/patients/${p.id}/record">${tp(L, 'openRecord')}</a></td>
</tr>`,
  );
  return page(
    ctx,
    tp(L, 'patientsTitle'),
    html`<h1>${tp(L, 'patientsTitle')}</h1>
<form method="get" action="/app/patients" class="search" role="search">
<label for="q">${tp(L, 'patientsSearch')}</label>
<input id="q" name="q" type="search" value="${view.q}" maxlength="100" autocomplete="off">
<button type="submit" class="btn">${tp(L, 'patientsSearchButton')}</button>
</form>
${
  view.items.length === 0
    ? html`<p>${tp(L, 'patientsNone')}</p>`
    : html`<div class="table-wrap"><table class="patients">
<caption class="visually-hidden">${tp(L, 'patientsTitle')}</caption>
<thead><tr><th scope="col">${tp(L, 'colName')}</th><th scope="col">${tp(L, 'colContact')}</th><th scope="col">${tp(L, 'colAdded')}</th><th scope="col">${tp(L, 'colActions')}</th></tr></thead>
<tbody>${rows}</tbody></table></div>`
}
<p class="pager">${first} ${more}</p>`,
    view.flash === undefined ? { nav: 'patients' } : { nav: 'patients', flash: view.flash },
  );
}

export function linkState(ctx: PageContext, link: LinkSummary): string {
  const L = ctx.locale;
  return link.state === 'active'
    ? tp(L, 'stateActive')
    : link.state === 'expired'
      ? tp(L, 'stateExpired')
      : tp(L, 'stateRevoked');
}

export function messageState(ctx: PageContext, m: PatientMessage): string {
  const L = ctx.locale;
  if (m.cancelled) return tp(L, 'msgCancelled');
  if (m.skipped) return tp(L, 'msgSkipped');
  if (m.status === 'sent') return tp(L, 'msgSent');
  if (m.status === 'dead') return tp(L, 'msgDead');
  return m.failed ? tp(L, 'msgFailing') : tp(L, 'msgPending');
}

export interface RecordView {
  readonly contacts: PatientContacts;
  readonly timeZone: string;
  readonly isAdmin: boolean;
  readonly errors: readonly string[];
  readonly form?: { displayName: string; email: string; phone: string; language: string };
  readonly flash?: string;
}

/** One patient's details: correct them, see links and reminders, export, erase (admins). */
export function patientRecordPage(ctx: PageContext, view: RecordView): string {
  const L = ctx.locale;
  const { patient, links, messages } = view.contacts;
  const f = view.form ?? {
    displayName: patient.displayName,
    email: patient.email ?? '',
    phone: patient.phone ?? '',
    language: patient.language,
  };
  const erased = patient.erasedAt !== null;
  const title = tp(L, 'recordTitle', { name: nameOf(ctx, patient) });
  const when = (iso: string) => formatInstant(iso, view.timeZone, L);
  const edit: SafeHtml = erased
    ? html`<p>${tp(L, 'alreadyErased', { when: when(patient.erasedAt ?? '') })}</p>`
    : html`<section aria-labelledby="edit-h"><h2 id="edit-h">${tp(L, 'editHeading')}</h2>
<form method="post" action="/app/patients/${patient.id}/record" class="stack">${csrfField(ctx)}
<label for="displayName">${tp(L, 'fieldName')}</label>
<input id="displayName" name="displayName" required maxlength="200" autocomplete="off" value="${f.displayName}">
<label for="email">${tp(L, 'fieldEmail')}</label>
<input id="email" name="email" type="email" maxlength="254" autocomplete="off" value="${f.email}">
<label for="phone">${tp(L, 'fieldPhone')}</label>
<input id="phone" name="phone" type="tel" maxlength="30" autocomplete="off" value="${f.phone}">
<label for="language">${tp(L, 'fieldLanguage')}</label>
<select id="language" name="language">${LOCALES.map((l) => html`<option value="${l}"${l === f.language ? html` selected` : ''}>${DASHBOARD_MESSAGES.langName[l]}</option>`)}</select>
<button type="submit" class="btn">${tp(L, 'save')}</button>
</form></section>`;
  const linkRows = links.map(
    (
      link,
    ) => html`<tr><td>${when(link.createdAt)}</td><td>${when(link.expiresAt)}</td><td>${linkState(ctx, link)}</td>
<td>${
      link.state === 'active'
        ? html`<form method="post" action="/app/patients/${patient.id}/links/${link.id}/revoke" class="inline">${csrfField(ctx)}<button type="submit" class="btn secondary">${tp(L, 'revoke')}</button></form>`
        : ''
    }</td></tr>`,
  );
  const messageRows = messages.map(
    (m) =>
      html`<tr><td>${when(m.dueAt)}</td><td>${m.kind === 'reminder.sms' ? tp(L, 'channelSms') : tp(L, 'channelEmail')}</td><td>${messageState(ctx, m)}</td></tr>`,
  );
  const erase: SafeHtml =
    view.isAdmin && !erased
      ? html`<section aria-labelledby="erase-h" class="danger"><h2 id="erase-h">${tp(L, 'eraseHeading')}</h2>
<p id="erase-help">${tp(L, 'eraseText')}</p>
<form method="post" action="/app/patients/${patient.id}/erase" class="stack">${csrfField(ctx)}
<label for="confirmName">${tp(L, 'eraseConfirm', { name: patient.displayName })}</label>
<input id="confirmName" name="confirmName" required maxlength="200" autocomplete="off" aria-describedby="erase-help">
<button type="submit" class="btn danger">${tp(L, 'eraseButton')}</button>
</form></section>`
      : html``;
  return page(
    ctx,
    title,
    html`<h1>${title}</h1>
${errorList(L, view.errors)}
${edit}
<section aria-labelledby="links-h"><h2 id="links-h">${tp(L, 'linksHeading')}</h2>
${
  links.length === 0
    ? html`<p>${tp(L, 'linksNone')}</p>`
    : html`<div class="table-wrap"><table><caption class="visually-hidden">${tp(L, 'linksHeading')}</caption>
<thead><tr><th scope="col">${tp(L, 'colIssued')}</th><th scope="col">${tp(L, 'colExpires')}</th><th scope="col">${tp(L, 'colState')}</th><th scope="col">${tp(L, 'colActions')}</th></tr></thead>
<tbody>${linkRows}</tbody></table></div>`
}</section>
<section aria-labelledby="msgs-h"><h2 id="msgs-h">${tp(L, 'messagesHeading')}</h2>
${
  messages.length === 0
    ? html`<p>${tp(L, 'messagesNone')}</p>`
    : html`<div class="table-wrap"><table><caption class="visually-hidden">${tp(L, 'messagesHeading')}</caption>
<thead><tr><th scope="col">${tp(L, 'colDue')}</th><th scope="col">${tp(L, 'colChannel')}</th><th scope="col">${tp(L, 'colState')}</th></tr></thead>
<tbody>${messageRows}</tbody></table></div>`
}</section>
<section aria-labelledby="export-h"><h2 id="export-h">${tp(L, 'exportHeading')}</h2>
<p><a href="/app/patients/${patient.id}/export.json" download>${tp(L, 'exportJson')}</a></p>
<p><a href="/app/patients/${patient.id}/print">${tpeople(L, 'printLink')}</a></p></section>
${erase}
<p><a href="/app/patients">${tp(L, 'backToPatients')}</a></p>`,
    view.flash === undefined ? {} : { flash: view.flash },
  );
}
