// A small SVG line chart for the bench results (categories on x, one line per series), readable on GitHub.
//
// Hand-made on purpose: the charts are a few lines against a handful of categories; a charting library that renders
// SVG in Node without a browser (vega + vega-lite) would add ~40 packages to the dev dependencies for that.

export interface ChartSeries {
  readonly name: string;
  /** One value per category; undefined leaves a gap. */
  readonly values: ReadonlyArray<number | undefined>;
}

export interface LineChart {
  readonly title: string;
  /** A second line under the title: what was measured, where, when. */
  readonly subtitle?: string;
  readonly categories: readonly string[];
  readonly xLabel: string;
  readonly yLabel: string;
  /** A log10 y axis, for values spanning orders of magnitude (1 MB bodies beside 2 KB ones). */
  readonly logY?: boolean;
  readonly series: readonly ChartSeries[];
}

const WIDTH = 640;
const HEIGHT = 360;
const PLOT = { left: 70, right: 170, top: 56, bottom: 50 };
const COLOURS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f'];

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** 1, 2, 5 × 10^n ticks covering [min, max]. */
function linearTicks(max: number): number[] {
  const rough = max / 5;
  const magnitude = 10 ** Math.floor(Math.log10(rough || 1));
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= rough) ?? magnitude * 10;
  const ticks: number[] = [];
  for (let v = 0; v <= max + step / 2; v += step) ticks.push(Number(v.toPrecision(12)));
  return ticks;
}

function formatTick(value: number): string {
  if (value >= 1e6) return `${value / 1e6}M`;
  if (value >= 1e4) return `${value / 1e3}k`;
  return String(value);
}

export function renderLineChart(chart: LineChart): string {
  const all = chart.series.flatMap((s) => s.values.filter((v): v is number => v !== undefined && Number.isFinite(v)));
  const positive = all.filter((v) => v > 0);
  const plotW = WIDTH - PLOT.left - PLOT.right;
  const plotH = HEIGHT - PLOT.top - PLOT.bottom;
  let ticks: number[];
  let toY: (v: number) => number;
  if (chart.logY === true && positive.length > 0) {
    const lo = Math.floor(Math.log10(Math.min(...positive)));
    const hi = Math.max(lo + 1, Math.ceil(Math.log10(Math.max(...positive))));
    ticks = Array.from({ length: hi - lo + 1 }, (_, i) => 10 ** (lo + i));
    toY = (v) => PLOT.top + plotH - ((Math.log10(Math.max(v, 10 ** lo)) - lo) / (hi - lo)) * plotH;
  } else {
    ticks = linearTicks(Math.max(1e-9, ...all));
    const top = ticks[ticks.length - 1] as number;
    toY = (v) => PLOT.top + plotH - (v / top) * plotH;
  }
  const n = chart.categories.length;
  const toX = (i: number): number => PLOT.left + (n === 1 ? plotW / 2 : (i / (n - 1)) * plotW);
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="sans-serif" font-size="12">`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="white"/>`,
    `<text x="${PLOT.left}" y="22" font-size="15" font-weight="bold">${escapeXml(chart.title)}</text>`,
  ];
  if (chart.subtitle !== undefined)
    out.push(`<text x="${PLOT.left}" y="40" fill="#555">${escapeXml(chart.subtitle)}</text>`);
  for (const tick of ticks) {
    const y = toY(tick).toFixed(1);
    out.push(`<line x1="${PLOT.left}" x2="${PLOT.left + plotW}" y1="${y}" y2="${y}" stroke="#e5e5e5"/>`);
    out.push(
      `<text x="${PLOT.left - 6}" y="${y}" text-anchor="end" dominant-baseline="middle">${formatTick(tick)}</text>`,
    );
  }
  chart.categories.forEach((category, i) => {
    const x = toX(i).toFixed(1);
    out.push(`<text x="${x}" y="${PLOT.top + plotH + 18}" text-anchor="middle">${escapeXml(category)}</text>`);
  });
  out.push(
    `<text x="${PLOT.left + plotW / 2}" y="${HEIGHT - 8}" text-anchor="middle">${escapeXml(chart.xLabel)}</text>`,
    `<text transform="translate(16 ${PLOT.top + plotH / 2}) rotate(-90)" text-anchor="middle">${escapeXml(chart.yLabel)}</text>`,
    `<line x1="${PLOT.left}" x2="${PLOT.left}" y1="${PLOT.top}" y2="${PLOT.top + plotH}" stroke="#333"/>`,
    `<line x1="${PLOT.left}" x2="${PLOT.left + plotW}" y1="${PLOT.top + plotH}" y2="${PLOT.top + plotH}" stroke="#333"/>`,
  );
  chart.series.forEach((series, s) => {
    const colour = COLOURS[s % COLOURS.length];
    let path = '';
    let pen = 'M';
    series.values.forEach((value, i) => {
      if (value === undefined || !Number.isFinite(value) || (chart.logY === true && value <= 0)) {
        pen = 'M';
        return;
      }
      path += `${pen}${toX(i).toFixed(1)},${toY(value).toFixed(1)} `;
      pen = 'L';
      out.push(`<circle cx="${toX(i).toFixed(1)}" cy="${toY(value).toFixed(1)}" r="3" fill="${colour}"/>`);
    });
    if (path !== '') out.push(`<path d="${path.trim()}" fill="none" stroke="${colour}" stroke-width="2"/>`);
    const ly = PLOT.top + 10 + s * 18;
    out.push(
      `<line x1="${WIDTH - PLOT.right + 12}" x2="${WIDTH - PLOT.right + 30}" y1="${ly}" y2="${ly}" stroke="${colour}" stroke-width="2"/>`,
      `<text x="${WIDTH - PLOT.right + 36}" y="${ly}" dominant-baseline="middle">${escapeXml(series.name)}</text>`,
    );
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
