/** One figure of one run: a value, and optionally the target it is held against. */
export interface Figure {
  readonly name: string;
  readonly value: number;
  readonly unit: string;
  /** e.g. '≥ 0.5' or '< 25'; compared with `value`. */
  readonly target?: string;
  /** Digits after the decimal point when printing. */
  readonly digits?: number;
  /**
   * Requests that failed in the load behind this figure. A run with any is not judged against
   * the target: a refused request answers fast and would flatter a latency or a rate.
   */
  readonly failed?: number;
}

/** Collects each run's figures under their names and prints min / median / max at the end. */
export class Figures {
  private readonly runs = new Map<string, Figure[]>();

  add(figure: Figure): void {
    const list = this.runs.get(figure.name) ?? [];
    list.push(figure);
    this.runs.set(figure.name, list);
    console.log(`  ${line(figure.name, [figure])}`);
  }

  note(text: string): void {
    console.log(`  ${text}`);
  }

  summary(title: string): void {
    if (this.runs.size === 0) return;
    const runCount = Math.max(...[...this.runs.values()].map((l) => l.length));
    console.log(`\n${title}${runCount > 1 ? ` — min / median / max over ${runCount} runs` : ''}:`);
    for (const [name, list] of this.runs) {
      console.log(`  ${line(name, list)}`);
    }
  }
}

export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1
    ? (s[mid] as number)
    : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

function format(value: number, digits: number): string {
  return value.toLocaleString('en', {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  });
}

function meets(value: number, target: string): boolean {
  const m = /^([<>]=?|≥|≤)\s*([\d.,]+)/.exec(target);
  if (m === null) return true;
  const bound = Number((m[2] as string).replaceAll(',', ''));
  switch (m[1]) {
    case '<':
      return value < bound;
    case '<=':
    case '≤':
      return value <= bound;
    case '>':
      return value > bound;
    default:
      return value >= bound;
  }
}

function line(name: string, figures: readonly Figure[]): string {
  const f = figures[0] as Figure;
  const values = figures.map((g) => g.value);
  const digits = f.digits ?? 0;
  const shown =
    values.length === 1
      ? format(values[0] as number, digits)
      : [Math.min(...values), median(values), Math.max(...values)]
          .map((v) => format(v, digits))
          .join(' / ');
  const failed = figures.reduce((sum, g) => sum + (g.failed ?? 0), 0);
  const verdict =
    failed > 0
      ? `NOT judged: ${failed} requests failed`
      : meets(median(values), f.target ?? '')
        ? 'met'
        : 'NOT met';
  const target =
    f.target === undefined
      ? failed > 0
        ? `   (${failed} requests failed)`
        : ''
      : `   target ${f.target}${f.unit === '' ? '' : ` ${f.unit}`}: ${verdict}`;
  return `${name.padEnd(58)} ${shown.padStart(22)} ${f.unit}${target}`;
}
