import { expectedBandSteps } from '../../clinical/course.ts';
import type { Disposition } from '../../clinical/types.ts';
import type { SafeHtml } from './html.ts';
import { html, raw } from './html.ts';

export interface ChartPoint {
  readonly hoursAfter: number;
  /** Null: a red-flag report sent without a number (RULES.md v1.1), marked off the curve. */
  readonly soreness: number | null;
  readonly disposition?: Disposition;
}

export interface ChartLabels {
  readonly title: string;
  readonly description: string;
  readonly hours: string;
  readonly soreness: string;
}

/** Drawing units: `wide` for the dashboard, `phone` so that text stays ≥ 12 px at 360 px. */
const SIZES = {
  wide: { W: 640, H: 260, font: 11, label: 12, pad: { left: 40, right: 12, top: 24, bottom: 36 } },
  phone: { W: 320, H: 230, font: 14, label: 14, pad: { left: 36, right: 10, top: 26, bottom: 40 } },
} as const;
export type ChartSize = keyof typeof SIZES;

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
  size: ChartSize = 'wide',
): SafeHtml {
  const { W, H, font, label, pad: PAD } = SIZES[size];
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
  // The curve joins only the reports that have a number (RULES.md v1.1).
  const line = sorted
    .flatMap((p) => (p.soreness === null ? [] : [{ h: p.hoursAfter, s: p.soreness }]))
    .map((p, i) => `${i === 0 ? 'M' : 'L'}${f(x(p.h))},${f(y(p.s))}`)
    .join(' ');
  const ticksH: number[] = [];
  const every = size === 'phone' ? (maxH <= 96 ? 24 : 48) : maxH <= 96 ? 12 : 24;
  for (let h = 0; h <= maxH; h += every) ticksH.push(h);

  const marks = sorted.map((p) => {
    const m = MARK[p.disposition ?? 'self_care'];
    if (p.soreness !== null) return raw(SHAPES[m.shape](x(p.hoursAfter), y(p.soreness), m.fill));
    // No number: a dashed line down the hour and the marker above the scale, ringed in white.
    const cx = x(p.hoursAfter);
    return raw(
      `<line class="no-number" x1="${f(cx)}" x2="${f(cx)}" y1="${f(PAD.top / 2)}" y2="${f(y(0))}" stroke="${m.fill}" stroke-width="1.5" stroke-dasharray="3 3"/>${SHAPES[m.shape](cx, PAD.top / 2 + 2, m.fill)}`,
    );
  });

  return html`<svg class="chart" viewBox="0 0 ${W} ${H}" role="img" aria-labelledby="chart-title chart-desc" xmlns="http://www.w3.org/2000/svg">
<title id="chart-title">${labels.title}</title>
<desc id="chart-desc">${labels.description}</desc>
<path d="${tolerated}" fill="#e3f1e6"/>
<path d="${band}" fill="#bfe0c7"/>
${[0, 2, 4, 6, 8, 10].map((s) => raw(`<line x1="${PAD.left}" x2="${W - PAD.right}" y1="${f(y(s))}" y2="${f(y(s))}" stroke="#ccc" stroke-width="0.5"/><text x="${PAD.left - 6}" y="${f(y(s) + font / 3)}" text-anchor="end" font-size="${font}" fill="#333">${s}</text>`))}
${ticksH.map((h) => raw(`<text x="${f(x(h))}" y="${H - PAD.bottom + font + 4}" text-anchor="middle" font-size="${font}" fill="#333">${h}</text>`))}
<text x="${f((W + PAD.left) / 2)}" y="${H - 4}" text-anchor="middle" font-size="${label}" fill="#333">${labels.hours}</text>
<text x="${label}" y="${f(H / 2)}" transform="rotate(-90 ${label} ${f(H / 2)})" text-anchor="middle" font-size="${label}" fill="#333">${labels.soreness}</text>
${nowH === undefined ? '' : raw(`<line x1="${f(x(nowH))}" x2="${f(x(nowH))}" y1="${PAD.top}" y2="${H - PAD.bottom}" stroke="#555" stroke-dasharray="4 3"/>`)}
${line === '' ? '' : raw(`<path d="${line}" fill="none" stroke="#1a3d7c" stroke-width="2"/>`)}
${marks}
</svg>`;
}

export interface LegendLabels {
  readonly expected: string;
  readonly tolerated: string;
  readonly yours: string;
  readonly noNumber: string;
}

/** The chart's key as HTML text (real font size, read by screen readers after the chart). */
export function chartLegend(labels: LegendLabels, withNoNumber: boolean): SafeHtml {
  const swatch = (inner: string) =>
    raw(
      `<svg class="key" width="28" height="16" viewBox="0 0 28 16" aria-hidden="true" focusable="false">${inner}</svg>`,
    );
  return html`<ul class="legend">
<li>${swatch('<rect x="1" y="1" width="26" height="14" fill="#bfe0c7" stroke="#1b7f3b" stroke-width="0.5"/>')} ${labels.expected}</li>
<li>${swatch('<rect x="1" y="1" width="26" height="14" fill="#e3f1e6" stroke="#1b7f3b" stroke-width="0.5"/>')} ${labels.tolerated}</li>
<li>${swatch('<path d="M2,12 L14,5 L26,9" fill="none" stroke="#1a3d7c" stroke-width="2"/><circle cx="14" cy="5" r="3.5" fill="#1b7f3b"/>')} ${labels.yours}</li>
${withNoNumber ? html`<li>${swatch('<line x1="14" x2="14" y1="1" y2="15" stroke="#b00020" stroke-width="1.5" stroke-dasharray="3 3"/><path d="M14,1 L20,11 L8,11 Z" fill="#b00020"/>')} ${labels.noNumber}</li>` : ''}
</ul>`;
}
