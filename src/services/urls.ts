/**
 * Every link the product sends or prints, built in one place from the configured public URL
 * (`AppConfig.publicUrl`): patient pages, the reminders' stop link, the dashboard and its
 * alerts, the set-password link. The routes that answer them: `/p/:token` (patient pages),
 * `/p/:token/stop` (stop reminders), `/app` (the dashboard; each alert card has the element
 * id `alert-<id>` on its queue), `/set-password/:token` (invitations, resets, first admins), `/setup/:token` (first run).
 * A test (src/cli/demo-links.int.test.ts) GETs every URL the demo sends: none is a 404.
 */

/** Paths inside the app, for links and redirects that stay on the same origin. */
export const PATHS = {
  patientPage: (token: string) => `/p/${encodeURIComponent(token)}`,
  stopReminders: (token: string) => `/p/${encodeURIComponent(token)}/stop`,
  dashboard: () => '/app',
  /** The alert on the dashboard's queue: the queue scrolled to the alert's card. */
  dashboardAlert: (alertId: string) => `/app#alert-${encodeURIComponent(alertId)}`,
  setPassword: (token: string) => `/set-password/${encodeURIComponent(token)}`,
  /** The first-run setup page `serve` prints on a database with no clinic (decision 1320). */
  setup: (token: string) => `/setup/${encodeURIComponent(token)}`,
  /** The dashboard's "forgot password" form. */
  forgotPassword: () => '/app/forgot-password',
  apiDocs: () => '/api/docs',
} as const;

export interface ProductUrls {
  /** The public URL without a trailing slash. */
  readonly base: string;
  patientPage(token: string): string;
  stopReminders(token: string): string;
  dashboard(): string;
  dashboardAlert(alertId: string): string;
  setPassword(token: string): string;
  setup(token: string): string;
  apiDocs(): string;
}

/** The absolute links of a deployment whose public URL is `publicUrl`. */
export function productUrls(publicUrl: string): ProductUrls {
  const base = publicUrl.replace(/\/+$/, '');
  return {
    base,
    patientPage: (token) => base + PATHS.patientPage(token),
    stopReminders: (token) => base + PATHS.stopReminders(token),
    dashboard: () => base + PATHS.dashboard(),
    dashboardAlert: (alertId) => base + PATHS.dashboardAlert(alertId),
    setPassword: (token) => base + PATHS.setPassword(token),
    setup: (token) => base + PATHS.setup(token),
    apiDocs: () => base + PATHS.apiDocs(),
  };
}

/**
 * The stop link that belongs to a patient page link (reminders carry the page link they were
 * queued with, so their stop link uses the same token).
 */
export function stopRemindersUrlOf(patientPageUrl: string): string {
  return `${patientPageUrl.replace(/\/+$/, '')}/stop`;
}
