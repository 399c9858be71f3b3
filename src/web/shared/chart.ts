import { expectedBandSteps } from '../../clinical/course.ts';
import type { Disposition } from '../../clinical/types.ts';
import type { SafeHtml } from './html.ts';
import { html, raw } from './html.ts';

export interface ChartPoint {
  readonly hoursAfter: number;
  readonly soreness: number;
  readonly disposition?: Disposition;
}

export interface ChartLabels {
  readonly title: string;
  readonly description: string;
  readonly hours: string;
  readonly soreness: string;
}

const W = 640;
const H = 260;
const PAD = { left: 40, right: 12, top: 12, bottom: 36 };

/** Marker shapes differ by disposition so colour is never the only signal. */
const MARK: Record<
  Disposition,
  { fill: string; shape: 'circle' | 'square' | 'diamond' | 'triangle' }
> = {
  self_care: { fill: '#1b7f3b', shape: 'circle' },
  contact_practitioner: { fill: '#8a5a00', shape: 'square' },
  urgent_same_day: { fill: '#b34700', shape: 'diamond' },
  emergency: { fill: '#b00020', shape: 'triangle' },
};

const f = (n: number) => n.toFixed(1);
const R = 6;
const SHAPES: Record<
  (typeof MARK)[Disposition]['shape'],
  (cx: number, cy: number, fill: string) => string
> = {
  circle: (cx, cy, fill) => `<circle cx="${f(cx)}" cy="${f(cy)}" r="${R}" fill="${fill}"/>`,
  square: (cx, cy, fill) =>
    `<rect x="${f(cx - R)}" y="${f(cy - R)}" width="${2 * R}" height="${2 * R}" fill="${fill}"/>`,
  diamond: (cx, cy, fill) =>
    `<path d="M${f(cx)},${f(cy - R - 1)} L${f(cx + R + 1)},${f(cy)} L${f(cx)},${f(cy + R + 1)} L${f(cx - R - 1)},${f(cy)} Z" fill="${fill}"/>`,
  triangle: (cx, cy, fill) =>
    `<path d="M${f(cx)},${f(cy - R - 2)} L${f(cx + R + 2)},${f(cy + R)} L${f(cx - R - 2)},${f(cy + R)} Z" fill="${fill}"/>`,
};

/**
 * The soreness curve against the expected band, as inline SVG: no script, prints, scales to any
 * width. The band's upper edge and the tolerated edge come from the clinical core.
 */
export function sorenessChart(
  points: readonly ChartPoint[],
  labels: ChartLabels,
  nowH?: number,
): SafeHtml {
  const lastH = Math.max(0, ...points.map((p) => p.hoursAfter), nowH ?? 0);
  const maxH = lastH <= 96 ? 96 : lastH <= 168 ? 168 : Math.ceil(lastH / 24) * 24;
  const x = (h: number) => PAD.left + (h / maxH) * (W - PAD.left - PAD.right);
  const y = (s: number) => PAD.top + (1 - s / 10) * (H - PAD.top - PAD.bottom);

  const steps = expectedBandSteps(maxH);
  const tolerated = steps
    .map(
      (s) =>
        `M${f(x(s.fromH))},${f(y(0))} L${f(x(s.fromH))},${f(y(s.band.toleratedMax))} L${f(x(s.toH))},${f(y(s.band.toleratedMax))} L${f(x(s.toH))},${f(y(0))} Z`,
    )
    .join(' ');
  const band = steps
    .map(
      (s) =>
        `M${f(x(s.fromH))},${f(y(0))} L${f(x(s.fromH))},${f(y(s.band.max))} L${f(x(s.toH))},${f(y(s.band.max))} L${f(x(s.toH))},${f(y(0))} Z`,
    )
    .join(' ');
  const sorted = [...points].sort((a, b) => a.hoursAfter - b.hoursAfter);
  const line = sorted
    .map((p, i) => `${i === 0 ? 'M' : 'L'}${f(x(p.hoursAfter))},${f(y(p.soreness))}`)
    .join(' ');
  const ticksH: number[] = [];
  for (let h = 0; h <= maxH; h += maxH <= 96 ? 12 : 24) ticksH.push(h);

  const marks = sorted.map((p) => {
    const m = MARK[p.disposition ?? 'self_care'];
    return raw(SHAPES[m.shape](x(p.hoursAfter), y(p.soreness), m.fill));
  });

  return html`<svg class="chart" viewBox="0 0 ${W} ${H}" role="img" aria-labelledby="chart-title chart-desc" xmlns="http://www.w3.org/2000/svg">
<title id="chart-title">${labels.title}</title>
<desc id="chart-desc">${labels.description}</desc>
<path d="${tolerated}" fill="#e3f1e6"/>
<path d="${band}" fill="#bfe0c7"/>
${[0, 2, 4, 6, 8, 10].map((s) => raw(`<line x1="${PAD.left}" x2="${W - PAD.right}" y1="${f(y(s))}" y2="${f(y(s))}" stroke="#ccc" stroke-width="0.5"/><text x="${PAD.left - 8}" y="${f(y(s) + 4)}" text-anchor="end" font-size="11" fill="#333">${s}</text>`))}
${ticksH.map((h) => raw(`<text x="${f(x(h))}" y="${H - PAD.bottom + 16}" text-anchor="middle" font-size="11" fill="#333">${h}</text>`))}
<text x="${f((W + PAD.left) / 2)}" y="${H - 4}" text-anchor="middle" font-size="12" fill="#333">${labels.hours}</text>
<text x="12" y="${f(H / 2)}" transform="rotate(-90 12 ${f(H / 2)})" text-anchor="middle" font-size="12" fill="#333">${labels.soreness}</text>
${nowH === undefined ? '' : raw(`<line x1="${f(x(nowH))}" x2="${f(x(nowH))}" y1="${PAD.top}" y2="${H - PAD.bottom}" stroke="#555" stroke-dasharray="4 3"/>`)}
${line === '' ? '' : raw(`<path d="${line}" fill="none" stroke="#1a3d7c" stroke-width="2"/>`)}
${marks}
</svg>`;
}
