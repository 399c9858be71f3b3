import type { Disposition, Locale } from '../../clinical/types.ts';
import type { AlertSeverity, AlertStatus } from '../../store/alerts.repository.ts';
import { html, type SafeHtml } from '../shared/html.ts';
import { dt } from './delivery-messages.ts';
import { DASHBOARD_MESSAGES, type DashboardMessageKey, tr } from './messages.ts';
import type { DashboardStaff } from './session-auth.ts';

/** What every page needs: language, who is signed in (or nobody), and where it is. */
export interface PageContext {
  readonly locale: Locale;
  readonly staff: DashboardStaff | null;
  readonly clinicName: string;
  /** Path (no query) of this page, for the language switch and the current nav entry. */
  readonly path: string;
  /** The page's query string (without `?`), kept by the language switch. */
  readonly query?: string;
  /** Languages the switch offers. */
  readonly languages: readonly Locale[];
  /** Open (unacknowledged) emergency alerts of the clinic: shown on every page. */
  readonly openEmergencies: number;
  /** Admins: messages that gave up (the link to /app/dead-letters shows it). */
  readonly deadLetters?: number;
  /** Open urgent and emergency alerts: counted in every page's title (a background tab says it). */
  readonly openUrgentOrEmergency?: number;
}

/** The page's own query with `lang` replaced: switching language keeps you where you are. */
function langQuery(query: string | undefined, lang: string): string {
  const params = new URLSearchParams(query ?? '');
  params.delete('lang');
  params.set('lang', lang);
  return params.toString();
}

export type NavEntry = 'alerts' | 'record' | 'patients' | 'register' | 'clinic' | null;

export const STATIC_BASE = '/app/static';

export function csrfField(ctx: PageContext): SafeHtml {
  return html`<input type="hidden" name="_csrf" value="${ctx.staff?.csrfToken ?? ''}">`;
}

/** The hazard icon used with text for emergencies and thoracic marks (never colour alone). */
export function warnIcon(): SafeHtml {
  return html`<svg class="icon" viewBox="0 0 20 20" width="20" height="20" aria-hidden="true" focusable="false"><path d="M10 1 L19 18 H1 Z" fill="currentColor"/><path class="mark" d="M9 7 h2 v5 h-2 z M9 13.5 h2 v2 h-2 z" fill="#fff"/></svg>`;
}

export function lungIcon(): SafeHtml {
  return html`<svg class="icon" viewBox="0 0 20 20" width="16" height="16" aria-hidden="true" focusable="false"><path d="M9 2 v6 c0 4 -2 9 -6 9 c-2 0 -2 -2 -2 -4 c0 -4 3 -8 6 -8 z M11 2 v6 c0 4 2 9 6 9 c2 0 2 -2 2 -4 c0 -4 -3 -8 -6 -8 z" fill="currentColor"/></svg>`;
}

export function thoracicBadge(L: Locale): SafeHtml {
  return html`<span class="badge thoracic">${lungIcon()} ${tr(L, 'thoracicMark')}</span>`;
}

const SEVERITY_KEY: Readonly<Record<AlertSeverity, DashboardMessageKey>> = {
  emergency: 'sevEmergency',
  urgent: 'sevUrgent',
  routine: 'sevRoutine',
};

export function severityBadge(L: Locale, severity: AlertSeverity): SafeHtml {
  return html`<span class="badge sev-${severity}">${severity === 'emergency' ? warnIcon() : ''}${tr(L, SEVERITY_KEY[severity])}</span>`;
}

const STATUS_KEY: Readonly<Record<AlertStatus, DashboardMessageKey>> = {
  open: 'statusOpen',
  acknowledged: 'statusAcknowledged',
  resolved: 'statusResolved',
};

export function statusText(L: Locale, status: AlertStatus): string {
  return tr(L, STATUS_KEY[status]);
}

const DISPOSITION_KEY: Readonly<Record<Disposition, DashboardMessageKey>> = {
  self_care: 'dispSelfCare',
  contact_practitioner: 'dispContact',
  urgent_same_day: 'dispUrgent',
  emergency: 'dispEmergency',
};

export function dispositionBadge(L: Locale, d: Disposition | null): SafeHtml {
  if (d === null) return html`<span class="badge">${tr(L, 'dispNone')}</span>`;
  return html`<span class="badge disp-${d}">${d === 'emergency' ? warnIcon() : ''}${tr(L, DISPOSITION_KEY[d])}</span>`;
}

function navItem(
  ctx: PageContext,
  current: NavEntry,
  entry: Exclude<NavEntry, null>,
  href: string,
  key: DashboardMessageKey,
): SafeHtml {
  return html`<li><a href="${href}"${current === entry ? html` aria-current="page"` : ''}>${tr(ctx.locale, key)}</a></li>`;
}

export interface PageOptions {
  readonly nav?: NavEntry;
  /** Open emergency alerts: the banner. */
  readonly emergencies?: number;
  /** Open urgent + emergency alerts: shown in the title so a background tab still says it. */
  readonly titleCount?: number;
  readonly flash?: string | undefined;
  /** A print view: no navigation or controls, printed as it is. */
  readonly print?: boolean;
  /**
   * A page that answers a POST (the one-time patient link): the language switch re-sends
   * these fields to `action` instead of linking to a GET of the same path (issue 10).
   */
  readonly langForm?: {
    readonly action: string;
    readonly fields: Readonly<Record<string, string>>;
  };
}

/** The whole page: chrome, nav, language switch, sign out. CSP-clean: no inline script or style. */
export function page(
  ctx: PageContext,
  title: string,
  body: SafeHtml,
  options: PageOptions = {},
): string {
  return pageHtml(ctx, title, body, options).value;
}

/** `page`, as markup: a body made in parts keeps its parts (`inParts`, the alert queue). */
export function pageHtml(
  ctx: PageContext,
  title: string,
  body: SafeHtml,
  options: PageOptions = {},
): SafeHtml {
  const L = ctx.locale;
  const emergencies = options.emergencies ?? ctx.openEmergencies;
  // The alert queue has its own, live banner; every other page links to it.
  const banner = emergencies > 0 && options.nav !== 'alerts' && ctx.staff !== null;
  const count = options.titleCount ?? ctx.openUrgentOrEmergency ?? emergencies;
  const fullTitle = `${count > 0 ? `(${count}) ` : ''}${title} · ${tr(L, 'siteName')}`;
  const staff = ctx.staff;
  return html`<!doctype html>
<html lang="${L}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<title data-base-title="${title} · ${tr(L, 'siteName')}">${fullTitle}</title>
<link rel="stylesheet" href="${STATIC_BASE}/dashboard.css">
<script type="module" src="${STATIC_BASE}/dashboard.js"></script>
</head>
<body${options.print === true ? html` class="print-view"` : ''}>
<a class="skip" href="#main">${tr(L, 'skipToMain')}</a>
<header class="top">
<span class="brand">${tr(L, 'siteName')}${ctx.clinicName === '' ? '' : html` · ${ctx.clinicName}`}</span>
${
  staff === null
    ? ''
    : html`<nav class="main-nav" aria-label="${tr(L, 'mainNav')}"><ul>
${navItem(ctx, options.nav ?? null, 'alerts', '/app', 'navAlerts')}
${navItem(ctx, options.nav ?? null, 'record', '/app/sessions/new', 'navRecord')}
${navItem(ctx, options.nav ?? null, 'patients', '/app/patients', 'navPatients')}
${navItem(ctx, options.nav ?? null, 'register', '/app/register', 'navRegister')}
${staff.role === 'admin' ? navItem(ctx, options.nav ?? null, 'clinic', '/app/clinic', 'navClinic') : ''}
${staff.role === 'admin' ? html`<li><a href="/app/dead-letters"${ctx.path === '/app/dead-letters' ? html` aria-current="page"` : ''}${(ctx.deadLetters ?? 0) > 0 ? html` class="attention"` : ''}>${dt(L, 'nav', { count: ctx.deadLetters ?? 0 })}</a></li>` : ''}
</ul></nav>`
}
<nav class="lang" aria-label="${tr(L, 'language')}"><ul>${ctx.languages
    .filter((l) => l !== L)
    .map((l) => {
      const form = options.langForm;
      if (form !== undefined)
        return html`<li><form method="post" action="${form.action}?lang=${l}" class="lang-form">${csrfField(ctx)}${Object.entries(
          form.fields,
        ).map(
          ([k, v]) => html`<input type="hidden" name="${k}" value="${v}">`,
        )}<button type="submit" class="link-button" lang="${l}">${DASHBOARD_MESSAGES.langName[l]}</button></form></li>`;
      return html`<li><a href="${ctx.path}?${langQuery(ctx.query, l)}" lang="${l}" hreflang="${l}">${DASHBOARD_MESSAGES.langName[l]}</a></li>`;
    })}</ul></nav>
${
  staff === null
    ? ''
    : html`<form class="sign-out" method="post" action="/app/sign-out">${csrfField(ctx)}<a class="who" href="/app/account">${tr(L, 'signedInAs', { name: staff.displayName })}</a> <button type="submit" class="btn secondary">${tr(L, 'signOut')}</button></form>`
}
</header>
<main id="main" tabindex="-1">
${
  banner
    ? html`<p class="emergency-banner page-banner">${warnIcon()} <a class="banner-link" href="/app">${tr(L, 'emergencyBanner', { count: emergencies })}</a></p>`
    : ''
}
${options.flash === undefined ? '' : html`<p class="flash" role="status">${options.flash}</p>`}
${body}
</main>
</body>
</html>`;
}

export function messagePage(
  ctx: PageContext,
  titleKey: DashboardMessageKey,
  textKey: DashboardMessageKey,
): string {
  const L = ctx.locale;
  return page(
    ctx,
    tr(L, titleKey),
    html`<h1>${tr(L, titleKey)}</h1><p>${tr(L, textKey)}</p>${ctx.staff === null ? '' : html`<p><a href="/app">${tr(L, 'backToAlerts')}</a></p>`}`,
  );
}

export function errorList(L: Locale, errors: readonly string[]): SafeHtml {
  if (errors.length === 0) return html``;
  return html`<div class="errors" role="alert" tabindex="-1" id="errors"><p>${tr(L, 'fixErrors')}</p><ul>${errors.map((e) => html`<li>${e}</li>`)}</ul></div>`;
}

/** "12 min ago" in the page's language. */
export function ago(L: Locale, fromIso: string, now: Date): string {
  const minutes = Math.max(0, Math.floor((now.getTime() - Date.parse(fromIso)) / 60_000));
  if (minutes < 120) return tr(L, 'minutesAgo', { n: minutes });
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return tr(L, 'hoursAgo', { n: hours });
  return tr(L, 'daysAgo', { n: Math.floor(hours / 24) });
}
