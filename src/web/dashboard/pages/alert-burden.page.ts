import type { Locale } from '../../../clinical/types.ts';
import { formatNumber } from '../../../i18n/catalogue.ts';
import type { AlertBurden } from '../../../services/alert-burden.ts';
import { html, raw, type SafeHtml } from '../../shared/html.ts';
import { type PageContext, page } from '../layout.ts';
import { type DashboardMessageKey, tr } from '../messages.ts';

const LEVELS = ['routine', 'urgent', 'emergency', 'total'] as const;

/** The alert queue's names for the levels, so the page speaks as the queue does. */
const LEVEL_KEY: Readonly<Record<(typeof LEVELS)[number], DashboardMessageKey>> = {
  routine: 'sevRoutine',
  urgent: 'sevUrgent',
  emergency: 'sevEmergency',
  total: 'burdenAll',
};

function fmt(L: Locale, n: number): string {
  return formatNumber(L, n, 'fixed1');
}

function percent(L: Locale, share: number): string {
  return formatNumber(L, share, 'percent');
}

/** A rule id that may wrap after each underscore, so the table fits a phone. */
function breakable(id: string): SafeHtml {
  return html`${id.split('_').map((part, i) => (i === 0 ? html`${part}` : html`${raw('_<wbr>')}${part}`))}`;
}

/** The clinic's own alerts per 1,000 sessions beside the simulated expectation for its mix. */
export function alertBurdenPage(ctx: PageContext, view: AlertBurden): string {
  const L = ctx.locale;
  const { clinic, expected } = view;
  return page(
    ctx,
    tr(L, 'burdenTitle'),
    html`<h1>${tr(L, 'burdenTitle')}</h1>
<p>${tr(L, 'burdenLead', { days: view.days })}</p>
<p>${
      clinic.sessions > 0
        ? tr(L, 'burdenSessions', { n: clinic.sessions, t: clinic.thoracicSessions })
        : tr(L, 'burdenNoSessions', { share: percent(L, expected.thoracicShare) })
    }</p>
<div class="table-wrap" role="region" tabindex="0" aria-label="${tr(L, 'burdenLevelsCaption')}"><table class="burden">
<caption>${tr(L, 'burdenLevelsCaption')}</caption>
<thead><tr><th scope="col">${tr(L, 'burdenLevel')}</th><th scope="col">${tr(L, 'burdenClinic')}</th><th scope="col">${tr(L, 'burdenExpected')}</th></tr></thead>
<tbody>${LEVELS.map(
      (level) =>
        html`<tr><th scope="row">${tr(L, LEVEL_KEY[level])}</th><td>${tr(L, 'burdenCell', { rate: fmt(L, clinic.per1000[level]), n: clinic.alerts[level] })}</td><td>${fmt(L, expected.per1000[level])}</td></tr>`,
    )}</tbody>
</table></div>
<div class="table-wrap" role="region" tabindex="0" aria-label="${tr(L, 'burdenRulesCaption')}"><table class="burden">
<caption>${tr(L, 'burdenRulesCaption')}</caption>
<thead><tr><th scope="col">${tr(L, 'burdenRule')}</th><th scope="col">${tr(L, 'burdenClinic')}</th><th scope="col">${tr(L, 'burdenExpected')}</th></tr></thead>
<tbody>${view.byRule.map(
      (row) =>
        html`<tr><th scope="row"><code>${breakable(row.rule)}</code></th><td>${tr(L, 'burdenCell', { rate: fmt(L, row.clinicPer1000), n: row.clinicAlerts })}</td><td>${fmt(L, row.expectedPer1000)}</td></tr>`,
    )}</tbody>
</table></div>
<p class="hint">${tr(L, 'burdenHow', {
      sessions: formatNumber(L, expected.sessions),
      share: percent(L, expected.thoracicShare),
      rulebook: expected.rulebookVersion,
      model: expected.modelVersion,
    })}</p>
<p class="hint">${tr(L, 'burdenRecent')}</p>`,
    { nav: 'clinic' },
  );
}
