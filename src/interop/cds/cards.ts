import type { Alert } from '../../store/alerts.repository.ts';
import type { ClinicRecord } from '../../store/interop.repository.ts';

/**
 * CDS Hooks 2.0 `patient-view` cards from one patient's record, as a pure function
 * (docs/decisions/0904). Cards: each unresolved emergency/urgent alert (critical/warning),
 * and a thoracic session in the last 48 h (info: ask about breathlessness).
 */
export const PATIENT_VIEW_SERVICE_ID = 'needlecare-patient-view';
export const THORACIC_WINDOW_H = 48;
export const SUMMARY_MAX = 139;

export interface Card {
  readonly uuid: string;
  readonly summary: string;
  readonly detail?: string;
  readonly indicator: 'info' | 'warning' | 'critical';
  readonly source: { readonly label: string; readonly url: string };
  readonly links?: readonly {
    readonly label: string;
    readonly url: string;
    readonly type: 'absolute';
  }[];
}

/** The dashboard's alert URL: the same form as `dashboardAlertUrl` of the server command. */
export function dashboardAlertUrl(publicUrl: string, alertId: string): string {
  return `${publicUrl}/app/#alert-${alertId}`;
}

function clip(text: string): string {
  return text.length <= SUMMARY_MAX ? text : `${text.slice(0, SUMMARY_MAX - 1)}…`;
}

const ALERT_WORDS = {
  emergency: 'Needlecare: emergency symptoms reported after dry needling',
  urgent: 'Needlecare: symptoms after dry needling need contact today',
} as const;

export function patientViewCards(
  record: ClinicRecord,
  options: { readonly publicUrl: string; readonly now: Date; readonly currentRulebook: string },
): Card[] {
  const versionOf = new Map(
    record.checkIns.flatMap((c) =>
      c.assessment === null ? [] : [[c.assessment.id, c.assessment.rulebookVersion] as const],
    ),
  );
  const active = record.alerts
    .filter((a): a is Alert & { severity: 'emergency' | 'urgent' } => a.severity !== 'routine')
    .filter((a) => a.status !== 'resolved')
    .sort((a, b) =>
      a.severity === b.severity
        ? b.createdAt.localeCompare(a.createdAt)
        : a.severity === 'emergency'
          ? -1
          : 1,
    );
  const cards: Card[] = active.map((alert) => {
    const version =
      (alert.assessmentId === null ? undefined : versionOf.get(alert.assessmentId)) ??
      options.currentRulebook;
    const state = alert.status === 'acknowledged' ? ' (acknowledged, not yet resolved)' : '';
    return {
      uuid: alert.id,
      summary: clip(`${ALERT_WORDS[alert.severity]}${state}`),
      detail: `Raised ${alert.createdAt} by the Needlecare triage rulebook ${version}. Open the alert to see the check-in and the rules that fired.`,
      indicator: alert.severity === 'emergency' ? 'critical' : 'warning',
      source: { label: `Needlecare triage (rulebook ${version})`, url: options.publicUrl },
      links: [
        {
          label: 'Open the alert in Needlecare',
          url: dashboardAlertUrl(options.publicUrl, alert.id),
          type: 'absolute',
        },
      ],
    };
  });
  const nowMs = options.now.getTime();
  const recentThoracic = record.sessions
    .filter((s) => s.thoracic)
    .map((s) => ({ s, hours: (nowMs - Date.parse(s.performedAt)) / 3_600_000 }))
    .filter(({ hours }) => hours >= 0 && hours <= THORACIC_WINDOW_H)
    .sort((a, b) => a.hours - b.hours)[0];
  if (recentThoracic !== undefined) {
    const hours = Math.max(1, Math.round(recentThoracic.hours));
    cards.push({
      uuid: recentThoracic.s.id,
      summary: clip(
        `Dry needling near the chest ${hours} h ago: ask about breathlessness or chest pain`,
      ),
      detail:
        'A collapsed lung after needling over the chest wall can show hours later as new breathlessness or chest pain that worsens on breathing in.',
      indicator: 'info',
      source: {
        label: `Needlecare triage (rulebook ${options.currentRulebook})`,
        url: options.publicUrl,
      },
    });
  }
  return cards;
}
