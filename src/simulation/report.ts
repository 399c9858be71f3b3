import type { RulebookBurden, SimulationResult } from './simulate.ts';
import { SEVERITIES, type Severity } from './simulate.ts';

/** The triage outcome behind each alert level (RULES.md "Dispositions"). */
const DISPOSITION_OF: Readonly<Record<Severity, string>> = {
  routine: 'contact_practitioner',
  urgent: 'urgent_same_day',
  emergency: 'emergency',
};

/**
 * The simulation's result as a plain-text table (what `needlecare simulate` prints). With two
 * rulebooks the second is shown beside the first with the difference.
 */
export function renderBurdenTable(result: SimulationResult): string {
  const [base, other] = result.rulebooks;
  if (base === undefined) return '';
  const lines: string[] = [];
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  const answeredShare = result.plannedCheckIns === 0 ? 0 : result.answers / result.plannedCheckIns;
  lines.push(
    `Alert burden: model ${result.modelVersion}, seed ${result.seed}`,
    `${int(result.sessions)} sessions (${pct(result.thoracicSessions / Math.max(1, result.sessions))} thoracic), ` +
      `${int(result.plannedCheckIns)} planned check-ins, ${int(result.answers)} answers (${pct(answeredShare)} of planned, with unprompted ones)`,
    '',
  );

  const head = other === undefined ? [base] : [base, other];
  const labels = new Map<RulebookBurden, string>(
    other === undefined
      ? [[base, base.rulebookVersion]]
      : [
          [base, 'base'],
          [other, 'what-if'],
        ],
  );
  const label = (b: RulebookBurden) => labels.get(b) ?? b.rulebookVersion;
  if (other !== undefined)
    lines.push(
      `base = rulebook ${base.rulebookVersion}; what-if = rulebook ${other.rulebookVersion}`,
      '',
    );
  lines.push(
    'Alerts per 1,000 sessions, per clinic-week (' +
      `${result.sessionsPerWeek} sessions) and share with no underlying event`,
  );
  const header = [
    'alert',
    'disposition',
    ...head.flatMap((b) => [`per 1,000 [${label(b)}]`, 'per week', 'no event']),
  ];
  if (other !== undefined) header.push('change per 1,000');
  const rows: string[][] = [header];
  for (const s of [...SEVERITIES, 'total'] as const) {
    const row = s === 'total' ? ['all', 'above self_care'] : [s, DISPOSITION_OF[s]];
    for (const b of head)
      row.push(fix(b.per1000[s], 1), fix(b.perClinicWeek[s], 2), pct(b.noEventShare[s]));
    if (other !== undefined) row.push(signed(other.per1000[s] - base.per1000[s]));
    rows.push(row);
  }
  lines.push(...grid(rows), '');

  lines.push("Rules behind the alerts (alerts per 1,000 sessions; the rules at the alert's level)");
  const ruleIds = [...new Set(head.flatMap((b) => b.byRule.map((r) => r.rule)))];
  const ruleRows: string[][] = [
    ['rule', 'alert', ...head.map((b) => label(b)), ...(other === undefined ? [] : ['change'])],
  ];
  const rate = (b: RulebookBurden, id: string) => b.byRule.find((r) => r.rule === id)?.per1000 ?? 0;
  ruleIds.sort((a, b) => rate(other ?? base, b) - rate(other ?? base, a) || a.localeCompare(b));
  for (const id of ruleIds) {
    const found = head.map((b) => b.byRule.find((r) => r.rule === id));
    const level = SEVERITIES.filter((s) => found.some((f) => (f?.alerts[s] ?? 0) > 0)).join('/');
    const row = [id, level, ...head.map((b) => fix(rate(b, id), 2))];
    if (other !== undefined) row.push(signed(rate(other, id) - rate(base, id), 2));
    ruleRows.push(row);
  }
  lines.push(...grid(ruleRows), '');

  lines.push('Red-flag events (the simulation knows the truth): recall must be 100%');
  const recallRows: string[][] = [
    [
      'event',
      'needs',
      'events',
      'reported',
      ...head.map((b) => `caught [${label(b)}]`),
      ...head.map((b) => (other === undefined ? 'recall' : `recall [${label(b)}]`)),
    ],
  ];
  for (const [i, row] of base.recall.entries()) {
    const rows = head.map((b) => b.recall[i]);
    recallRows.push([
      row.event,
      row.required,
      int(row.events),
      int(row.reported),
      ...rows.map((r) => int(r?.caught ?? 0)),
      ...rows.map((r) => (r?.recall === null || r === undefined ? '-' : pct(r.recall))),
    ]);
  }
  lines.push(...grid(recallRows), '');
  lines.push(
    'Answers by triage: ' +
      head
        .map(
          (b) =>
            `[${label(b)}] ` +
            Object.entries(b.answers)
              .map(([d, n]) => `${d} ${int(n)}`)
              .join(', '),
        )
        .join('; '),
  );
  return `${lines.join('\n')}\n`;
}

function int(n: number): string {
  return n.toLocaleString('en-GB');
}

function fix(n: number, digits: number): string {
  return n.toFixed(digits);
}

function signed(n: number, digits = 1): string {
  const text = n.toFixed(digits);
  return n > 0 && text !== (0).toFixed(digits)
    ? `+${text}`
    : text === `-${(0).toFixed(digits)}`
      ? (0).toFixed(digits)
      : text;
}

/** Columns padded to their widest cell; the first left-aligned, the rest right-aligned. */
function grid(rows: readonly (readonly string[])[]): string[] {
  const widths: number[] = [];
  for (const row of rows)
    row.forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, cell.length);
    });
  return rows.map((row) =>
    row
      .map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0)))
      .join('  ')
      .trimEnd(),
  );
}
