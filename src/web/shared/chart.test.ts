import { describe, expect, it } from 'vitest';
import { sorenessChart } from './chart.ts';

const labels = {
  title: 'Your soreness',
  description: 'Three check-ins',
  hours: 'Hours',
  soreness: 'Soreness',
};

describe('sorenessChart', () => {
  it('draws the band, the curve and one marker per check-in, accessibly', () => {
    const svg = sorenessChart(
      [
        { hoursAfter: 4, soreness: 5, disposition: 'self_care' },
        { hoursAfter: 24, soreness: 8, disposition: 'contact_practitioner' },
        { hoursAfter: 30, soreness: 3, disposition: 'emergency' },
      ],
      labels,
      36,
    ).value;
    expect(svg).toMatch(/role="img" aria-labelledby="chart-title chart-desc"/);
    expect(svg).toContain('<title id="chart-title">Your soreness</title>');
    expect(svg.match(/<circle /g)).toHaveLength(1);
    expect(svg.match(/<rect /g)).toHaveLength(1);
    expect(svg).toContain('stroke-dasharray');
  });
  it('escapes labels', () => {
    expect(sorenessChart([], { ...labels, title: '<b>' }).value).toContain('&lt;b&gt;');
  });
});
