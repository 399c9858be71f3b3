import type { Locale } from '../../../clinical/types.ts';
import { formatNumber } from '../../../i18n/catalogue.ts';
import {
  type ConfirmedCounts,
  EVENT_CLASSES,
  type EventClass,
  GROUPS,
  PERIODS,
  type PeriodDays,
  PUBLISHED_RATES,
  type PublishedRate,
  type RegisterCounts,
  type SessionGroup,
} from '../../../services/register-counts.ts';
import { html, raw, type SafeHtml } from '../../shared/html.ts';
import { type PageContext, page } from '../layout.ts';
import { type DashboardMessageKey, tr } from '../messages.ts';

export interface RegisterView {
  readonly period: PeriodDays;
  readonly counts: RegisterCounts & { readonly confirmed: ConfirmedCounts };
  /** The print view: the same content, no controls. */
  readonly print?: boolean;
}

const CLASS_KEY: Readonly<
  Record<EventClass, { name: DashboardMessageKey; help: DashboardMessageKey }>
> = {
  mild: { name: 'classMild', help: 'classMildHelp' },
  significant: { name: 'classSignificant', help: 'classSignificantHelp' },
  serious: { name: 'classSerious', help: 'classSeriousHelp' },
};

const GROUP_KEY: Readonly<Record<SessionGroup, DashboardMessageKey>> = {
  all: 'groupAll',
  thoracic: 'groupThoracic',
  other: 'groupOther',
};

function studyName(L: Locale, rate: PublishedRate): string {
  return tr(L, rate.id === 'brady2014' ? 'publishedBrady' : 'publishedBoyce');
}

function publishedText(L: Locale, rate: PublishedRate, c: EventClass): string {
  const value = rate.perThousand[c];
  if (value === null) return tr(L, 'publishedNone');
  return tr(L, rate.upperBound[c] === true ? 'publishedUnder' : 'publishedRate', {
    rate: fmt(L, value),
  });
}

function fmt(L: Locale, n: number): string {
  return formatNumber(L, n, 'upTo1');
}

const BAR_FILL: Readonly<Record<string, string>> = {
  all: '#1a3d7c',
  thoracic: '#7a2e8e',
  other: '#2f6f4f',
  brady2014: '#6b6b6b',
  boyce2020: '#9a9a9a',
};

/** Horizontal bars per class: the clinic's three groups, then the studies; labels carry the numbers. */
function barChart(L: Locale, view: RegisterView, periodLabel: string): SafeHtml {
  type Bar = { key: string; label: string; value: number | null; text: string };
  const rows: { c: EventClass; bars: Bar[] }[] = EVENT_CLASSES.map((c) => ({
    c,
    bars: [
      ...GROUPS.map((g) => ({
        key: g,
        label: tr(L, GROUP_KEY[g]),
        value: view.counts[g].classes[c].perThousand,
        text: fmt(L, view.counts[g].classes[c].perThousand),
      })),
      ...PUBLISHED_RATES.map((r) => ({
        key: r.id,
        label: r.citation,
        value: r.perThousand[c],
        text: publishedText(L, r, c),
      })),
    ],
  }));
  const max = Math.max(10, ...rows.flatMap((r) => r.bars.map((b) => b.value ?? 0)));
  const W = 720;
  const labelW = 170;
  const barH = 16;
  const gap = 4;
  const groupGap = 30;
  const plotW = W - labelW - 150;
  let y = 8;
  const parts: string[] = [];
  const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  for (const row of rows) {
    parts.push(
      `<text x="0" y="${y + 12}" font-size="14" font-weight="bold" fill="#111">${esc(tr(L, CLASS_KEY[row.c].name))}</text>`,
    );
    y += 20;
    for (const bar of row.bars) {
      const w = bar.value === null ? 0 : Math.max(bar.value > 0 ? 2 : 0, (bar.value / max) * plotW);
      parts.push(
        `<text x="${labelW - 6}" y="${y + 12}" font-size="12" text-anchor="end" fill="#222">${esc(bar.label)}</text>`,
        `<rect x="${labelW}" y="${y}" width="${w.toFixed(1)}" height="${barH}" fill="${BAR_FILL[bar.key] ?? '#555'}"/>`,
        `<text x="${(labelW + w + 6).toFixed(1)}" y="${y + 12}" font-size="12" fill="#222">${esc(bar.text)}</text>`,
      );
      y += barH + gap;
    }
    y += groupGap - gap;
  }
  return html`<svg class="bar-chart" viewBox="0 0 ${W} ${y}" role="img" aria-labelledby="reg-chart-title reg-chart-desc" xmlns="http://www.w3.org/2000/svg">
<title id="reg-chart-title">${tr(L, 'registerChartTitle', { period: periodLabel })}</title>
<desc id="reg-chart-desc">${tr(L, 'registerChartDesc')}</desc>
${raw(parts.join('\n'))}
</svg>`;
}

export function registerPage(ctx: PageContext, view: RegisterView): string {
  const L = ctx.locale;
  const periodLabel = tr(L, 'lastDays', { n: view.period });
  return page(
    ctx,
    tr(L, 'registerTitle'),
    html`<h1>${tr(L, 'registerTitle')}</h1>
<p>${tr(L, 'registerLead')}</p>
${
  view.print === true
    ? ''
    : html`<nav class="periods" aria-label="${tr(L, 'period')}"><ul>${PERIODS.map(
        (p) =>
          html`<li><a class="period-link${p === view.period ? ' current' : ''}" href="/app/register?period=${p}"${p === view.period ? raw(' aria-current="page"') : ''}>${tr(L, 'lastDays', { n: p })}</a></li>`,
      )}</ul></nav>`
}
<h2>${periodLabel}</h2>
<ul class="totals">${GROUPS.map(
      (g) =>
        html`<li><strong>${tr(L, GROUP_KEY[g])}:</strong> ${tr(L, 'sessionsCount', { n: view.counts[g].sessions, c: view.counts[g].withCheckIns })}</li>`,
    )}</ul>
<h3 class="table-title" id="reg-table-title">${tr(L, 'registerChartTitle', { period: periodLabel })}</h3>
<p class="hint scroll-hint">${tr(L, 'scrollHint')}</p>
<div class="table-wrap" role="region" tabindex="0" aria-labelledby="reg-table-title"><table class="register">
<caption class="visually-hidden">${tr(L, 'registerChartTitle', { period: periodLabel })}</caption>
<thead><tr><th scope="col">${tr(L, 'eventClass')}</th>${GROUPS.map((g) => html`<th scope="col">${tr(L, GROUP_KEY[g])}</th>`)}${PUBLISHED_RATES.map(
      (r) => html`<th scope="col">${tr(L, 'published')}: ${studyName(L, r)}</th>`,
    )}</tr></thead>
<tbody>${EVENT_CLASSES.map(
      (c) =>
        html`<tr><th scope="row">${tr(L, CLASS_KEY[c].name)}<br><span class="hint">${tr(L, CLASS_KEY[c].help)}</span></th>${GROUPS.map(
          (g) =>
            html`<td>${tr(L, 'perThousandCell', { rate: fmt(L, view.counts[g].classes[c].perThousand), n: view.counts[g].classes[c].sessions })}</td>`,
        )}${PUBLISHED_RATES.map((r) => html`<td>${publishedText(L, r, c)}</td>`)}</tr>`,
    )}</tbody>
</table></div>
${confirmedTable(L, view, periodLabel)}
<figure class="chart-box"><div class="chart-scroll" role="region" tabindex="0" aria-label="${tr(L, 'scrollTable', { name: tr(L, 'registerChartTitle', { period: periodLabel }) })}">${barChart(L, view, periodLabel)}</div></figure>
<p class="hint">${tr(L, 'registerCaveat')}</p>
${
  view.print === true
    ? ''
    : html`<p class="register-exports"><a class="btn secondary" href="/app/register.csv?period=${view.period}" download>${tr(L, 'registerCsv')}</a> <a class="btn secondary" href="/app/register/print?period=${view.period}">${tr(L, 'registerPrint')}</a></p>`
}`,
    { nav: 'register', ...(view.print === true ? { print: true } : {}) },
  );
}

/** Confirmed adverse events (what staff found on resolving) next to the raw triage counts. */
function confirmedTable(L: Locale, view: RegisterView, periodLabel: string): SafeHtml {
  const c = view.counts.confirmed;
  const title = tr(L, 'confirmedTitle', { period: periodLabel });
  return html`<h2 id="confirmed-title">${tr(L, 'confirmedHeading')}</h2>
<p>${tr(L, 'confirmedLead')}</p>
<ul class="totals">${GROUPS.map(
    (g) =>
      html`<li><strong>${tr(L, GROUP_KEY[g])}:</strong> ${tr(L, 'alertOutcomes', {
        confirmed: c[g].alerts.confirmed,
        falseAlarm: c[g].alerts.false_alarm,
        unrelated: c[g].alerts.unrelated,
        unclassified: c[g].alerts.unclassified,
      })}</li>`,
  )}</ul>
<h3 class="table-title" id="confirmed-table-title">${title}</h3>
<p class="hint scroll-hint">${tr(L, 'scrollHint')}</p>
<div class="table-wrap" role="region" tabindex="0" aria-labelledby="confirmed-table-title"><table class="register confirmed">
<caption class="visually-hidden">${title}</caption>
<thead><tr><th scope="col">${tr(L, 'eventClass')}</th>${GROUPS.map(
    (g) =>
      html`<th scope="col">${tr(L, GROUP_KEY[g])}: ${tr(L, 'confirmedCol')}</th><th scope="col">${tr(L, GROUP_KEY[g])}: ${tr(L, 'rawCol')}</th>`,
  )}</tr></thead>
<tbody>${EVENT_CLASSES.map(
    (k) =>
      html`<tr><th scope="row">${tr(L, CLASS_KEY[k].name)}</th>${GROUPS.map(
        (g) =>
          html`<td>${tr(L, 'perThousandCell', { rate: fmt(L, c[g].classes[k].perThousand), n: c[g].classes[k].sessions })}</td><td>${tr(L, 'perThousandCell', { rate: fmt(L, view.counts[g].classes[k].perThousand), n: view.counts[g].classes[k].sessions })}</td>`,
      )}</tr>`,
  )}</tbody>
</table></div>`;
}

/** The register as CSV: one row per class and group, confirmed and raw side by side. */
export function registerCsv(view: RegisterView): string {
  const lines = [
    'period_days,group,class,sessions,raw_sessions,raw_per_1000,confirmed_sessions,confirmed_per_1000',
  ];
  for (const g of GROUPS)
    for (const k of EVENT_CLASSES) {
      const raw = view.counts[g].classes[k];
      const conf = view.counts.confirmed[g].classes[k];
      lines.push(
        [
          view.period,
          g,
          k,
          view.counts[g].sessions,
          raw.sessions,
          raw.perThousand,
          conf.sessions,
          conf.perThousand,
        ].join(','),
      );
    }
  lines.push(
    '',
    'period_days,group,alerts_confirmed,alerts_false_alarm,alerts_unrelated,alerts_unclassified',
  );
  for (const g of GROUPS) {
    const a = view.counts.confirmed[g].alerts;
    lines.push([view.period, g, a.confirmed, a.false_alarm, a.unrelated, a.unclassified].join(','));
  }
  return `${lines.join('\r\n')}\r\n`;
}
