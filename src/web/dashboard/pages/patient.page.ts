import { findMuscle } from '../../../clinical/muscles.ts';
import { formatNumber } from '../../../i18n/catalogue.ts';
import { firedRulesOf } from '../../../services/schemas/views.ts';
import type { Alert } from '../../../store/alerts.repository.ts';
import type { CheckInWithAssessment } from '../../../store/checkins.repository.ts';
import type { Patient } from '../../../store/patients.repository.ts';
import type { NeedlingSession } from '../../../store/sessions.repository.ts';
import { sorenessChart } from '../../shared/chart.ts';
import { html, raw, type SafeHtml } from '../../shared/html.ts';
import {
  csrfField,
  dispositionBadge,
  type PageContext,
  page,
  severityBadge,
  statusText,
  thoracicBadge,
  warnIcon,
} from '../layout.ts';
import { tr } from '../messages.ts';
import { tpeople } from '../people-messages.ts';
import { formatInstant, hoursBetween } from '../time.ts';
import { symptomText } from './alerts.page.ts';
import { sideText } from './record.page.ts';

export interface PatientSessionView {
  readonly session: NeedlingSession;
  readonly checkIns: readonly CheckInWithAssessment[];
  readonly alerts: readonly Alert[];
}

export interface PatientView {
  readonly patient: Patient;
  readonly sessions: readonly PatientSessionView[];
  readonly staffNames: ReadonlyMap<string, string>;
  readonly timeZone: string;
  readonly now: Date;
}

function sessionSection(
  ctx: PageContext,
  view: PatientView,
  entry: PatientSessionView,
  index: number,
): SafeHtml {
  const L = ctx.locale;
  const s = entry.session;
  const when = formatInstant(s.performedAt, view.timeZone, L);
  const who = (id: string | null) =>
    id === null ? tr(L, 'unknownStaff') : (view.staffNames.get(id) ?? tr(L, 'unknownStaff'));
  const sinceH = hoursBetween(s.performedAt, view.now);
  const chartId = `s${index}`;
  const chart = sorenessChart(
    entry.checkIns.map((c) => ({
      hoursAfter: c.hoursAfter,
      soreness: c.soreness,
      ...(c.assessment === null ? {} : { disposition: c.assessment.disposition }),
    })),
    {
      title: tr(L, 'chartTitle', { when }),
      description: tr(L, 'chartDesc', { count: entry.checkIns.length }),
      hours: tr(L, 'chartHours'),
      soreness: tr(L, 'chartSoreness'),
    },
    sinceH >= 0 && sinceH <= 24 * 30 ? sinceH : undefined,
  )
    // The shared chart uses fixed ids; a page with several sessions needs unique ones.
    .value.replaceAll('chart-title', `chart-title-${chartId}`)
    .replaceAll('chart-desc', `chart-desc-${chartId}`);
  return html`<section class="session" aria-labelledby="session-${s.id}">
<h2 id="session-${s.id}">${tr(L, 'sessionOf', { when })}${s.thoracic ? html` ${thoracicBadge(L)}` : ''}</h2>
${s.bilateralThoracic ? html`<p class="warning">${warnIcon()} <strong>${tr(L, 'bilateralShort')}.</strong> ${tr(L, 'bilateralWarning')}</p>` : ''}
<p>${tr(L, 'practitionerName', { name: who(s.practitionerId) })}</p>
<form method="post" action="/app/sessions/${s.id}/link" class="inline">${csrfField(ctx)}<button type="submit" class="btn secondary" aria-describedby="session-${s.id} reissue-help-${s.id}">${tr(L, 'issueLink')}</button> <span id="reissue-help-${s.id}" class="hint">${tr(L, 'issueLinkHelp')}</span></form>
<table class="sites">
<caption class="visually-hidden">${tr(L, 'musclesNeedled')}</caption>
<thead><tr><th scope="col">${tr(L, 'muscle')}</th><th scope="col">${tr(L, 'side')}</th><th scope="col">${tr(L, 'needles')}</th></tr></thead>
<tbody>${s.sites.map((site) => {
    const m = findMuscle(site.muscle);
    return html`<tr><td>${m === undefined ? site.muscle : html`${m.name[L]} <span class="m-everyday">(${m.everyday[L]})</span>`}${m?.thoracic === true ? html` ${thoracicBadge(L)}` : ''}</td><td>${sideText(L, site.side)}</td><td>${site.needleCount ?? '–'}</td></tr>`;
  })}</tbody>
</table>
${s.notes === null ? '' : html`<p><strong>${tr(L, 'notes')}:</strong> ${s.notes}</p>`}
<h3>${tr(L, 'sorenessCurve')}</h3>
<figure class="chart-box">${raw(chart)}</figure>
<h3>${tr(L, 'checkIns')}</h3>
${
  entry.checkIns.length === 0
    ? html`<p class="empty">${tr(L, 'noCheckIns')}</p>`
    : html`<div class="table-wrap" role="region" tabindex="0" aria-label="${tr(L, 'checkIns')}"><table class="checkins">
<caption class="visually-hidden">${tr(L, 'checkIns')}</caption>
<thead><tr><th scope="col">${tr(L, 'received')}</th><th scope="col">${tr(L, 'disposition')}</th><th scope="col">${tr(L, 'soreness')}</th><th scope="col">${tr(L, 'hoursAfter')}</th><th scope="col">${tr(L, 'symptoms')}</th><th scope="col">${tr(L, 'firedRules')}</th></tr></thead>
<tbody>${entry.checkIns.map((c) => {
        const a = c.assessment;
        const rules = a === null ? [] : firedRulesOf(a.rules, a.rulebookVersion, a.thoracic);
        return html`<tr><td>${formatInstant(c.receivedAt, view.timeZone, L)}</td><td>${dispositionBadge(L, a?.disposition ?? null)}</td><td>${c.soreness === null ? tr(L, 'sorenessNotGiven') : `${c.soreness}/10`}</td><td>${formatNumber(L, c.hoursAfter, 'fixed1')}</td><td class="text">${symptomText(L, c.symptoms)}${c.note === null ? '' : html`<br><em>${tr(L, 'patientNote')}:</em> ${c.note}`}</td><td class="text">${
          rules.length === 0
            ? '–'
            : html`<ul class="rules">${rules.map((r) => html`<li><code>${r.id}</code> ${r.clinicianText[L]}</li>`)}</ul>`
        }${a === null ? '' : html`<span class="hint">${tr(L, 'rulebookVersion', { v: a.rulebookVersion })}</span>`}</td></tr>`;
      })}</tbody>
</table></div>`
}
<h3>${tr(L, 'alertsOfPatient')}</h3>
${
  entry.alerts.length === 0
    ? html`<p class="empty">${tr(L, 'noAlerts')}</p>`
    : html`<ul class="alert-history">${entry.alerts.map(
        (
          a,
        ) => html`<li>${severityBadge(L, a.severity)} ${statusText(L, a.status)} · ${tr(L, 'raisedOn', { when: formatInstant(a.createdAt, view.timeZone, L) })}
${a.acknowledgedAt === null ? '' : html`<br>${tr(L, 'acknowledgedBy', { who: who(a.acknowledgedBy), when: formatInstant(a.acknowledgedAt, view.timeZone, L) })}`}
${a.resolvedAt === null ? '' : html`<br>${tr(L, 'resolvedBy', { who: who(a.resolvedBy), when: formatInstant(a.resolvedAt, view.timeZone, L) })}`}
${a.resolutionNote === null ? '' : html`<br>${tr(L, 'resolutionNote', { note: a.resolutionNote })}`}</li>`,
      )}</ul>`
}
</section>`;
}

export function patientPage(ctx: PageContext, view: PatientView): string {
  const L = ctx.locale;
  const p = view.patient;
  const contact = [p.email, p.phone].filter((x): x is string => x !== null);
  return page(
    ctx,
    tr(L, 'patientTitle', { name: p.displayName }),
    html`<h1>${tr(L, 'patientTitle', { name: p.displayName })}</h1>
${contact.length === 0 ? '' : html`<p>${tr(L, 'contact')}: ${contact.join(' · ')}</p>`}
<p><a class="btn secondary" href="/app/sessions/new?patientId=${p.id}">${tr(L, 'navRecord')}</a> <a class="btn secondary" href="/app/patients/${p.id}/print">${tpeople(L, 'printLink')}</a></p>
${view.sessions.length === 0 ? html`<p class="empty">${tr(L, 'noSessions')}</p>` : view.sessions.map((s, i) => sessionSection(ctx, view, s, i))}`,
  );
}
