import { afterEach, describe, expect, it, vi } from 'vitest';
import { Figures } from '../bench/stats.ts';

/**
 * The verdicts `npm run bench` prints beside its targets. A run whose load had failed requests
 * is never judged: a refused request answers fast and would flatter a latency (a 429 from the
 * patient-link limit once did, twenty-seventh round in docs/performance.md).
 */
describe('Figures', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  const printed = (run: (figures: Figures) => void): string[] => {
    const lines: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((line: unknown) => {
      lines.push(String(line));
    });
    run(new Figures());
    return lines;
  };

  it('judges the median of the runs against the target', () => {
    const lines = printed((f) => {
      for (const value of [30, 20, 10]) f.add({ name: 'p99', value, unit: 'ms', target: '< 25' });
      f.summary('Summary');
    });
    expect(lines.at(-1)).toMatch(/10 \/ 20 \/ 30 ms {3}target < 25 ms: met$/);
  });

  it('holds a ratio to a strict lower bound, as the moonshot asks (> 1.0)', () => {
    const lines = printed((f) => {
      for (const value of [0.936, 1.01, 1.129])
        f.add({ name: 'moonshot', value, unit: '', target: '> 1.0', digits: 3 });
      for (const value of [0.9, 1.0, 1.2])
        f.add({ name: 'level', value, unit: '', target: '> 1.0', digits: 3 });
      f.summary('Summary');
    });
    expect(lines.at(-2)).toMatch(/0\.936 \/ 1\.010 \/ 1\.129 +target > 1\.0: met$/);
    expect(lines.at(-1)).toMatch(/0\.900 \/ 1\.000 \/ 1\.200 +target > 1\.0: NOT met$/);
  });

  it('does not judge a figure when a run behind it had failed requests, and says how many', () => {
    const lines = printed((f) => {
      f.add({ name: 'p99', value: 5, unit: 'ms', target: '< 25', failed: 0 });
      f.add({ name: 'p99', value: 4, unit: 'ms', target: '< 25', failed: 4583 });
      f.add({ name: 'bursts', value: 4, unit: 'ms', failed: 12 });
      f.summary('Summary');
    });
    expect(lines[0]).toMatch(/target < 25 ms: met$/);
    expect(lines[1]).toMatch(/target < 25 ms: NOT judged: 4583 requests failed$/);
    expect(lines[2]).toMatch(/\(12 requests failed\)$/);
    expect(lines.at(-2)).toMatch(
      /4 \/ 5 \/ 5 ms {3}target < 25 ms: NOT judged: 4583 requests failed$/,
    );
    expect(lines.at(-1)).toMatch(/\(12 requests failed\)$/);
  });
});
