import type { FiredRule } from '../../clinical/triage.ts';
import type { AlertQueueData, AlertQueueEntry } from '../../services/alerts.ts';
import { firedRulesOf } from '../../services/schemas/views.ts';

/** One alert as the queue shows it, with the rules that fired in the clinician's words. */
export interface QueueItem extends AlertQueueEntry {
  readonly rules: readonly FiredRule[];
  /** The rules that fired for each of `alsoReported`, in the same order. */
  readonly alsoReportedRules: readonly (readonly FiredRule[])[];
}

export interface AlertQueue extends Omit<AlertQueueData, 'open' | 'acknowledged' | 'resolved'> {
  readonly open: readonly QueueItem[];
  readonly acknowledged: readonly QueueItem[];
  readonly resolved: readonly QueueItem[];
}

function itemOf(entry: AlertQueueEntry): QueueItem {
  const a = entry.checkIn?.assessment ?? null;
  return {
    ...entry,
    rules: a === null ? [] : firedRulesOf(a.rules, a.rulebookVersion, a.thoracic),
    alsoReportedRules: entry.alsoReported.map(({ assessment: r }) =>
      r === null ? [] : firedRulesOf(r.rules, r.rulebookVersion, r.thoracic),
    ),
  };
}

/** The queue the service read (`readAlertQueue`), with each alert's fired rules for display. */
export function queueOf(data: AlertQueueData): AlertQueue {
  return {
    ...data,
    open: data.open.map(itemOf),
    acknowledged: data.acknowledged.map(itemOf),
    resolved: data.resolved.map(itemOf),
  };
}
