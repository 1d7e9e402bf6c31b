import {
  formatNumber as fmt,
  PAIRS_TABLE_HEADER,
  pairRows,
  pairsTableRow,
  RUNS_TABLE_HEADER,
  runsTableRow,
} from './report-text';
import type { BenchReport, RunResult } from './results';
import { round } from './stats';

/**
 * A self-contained HTML report: tables plus inline SVG charts, no scripts and no CDN, so it opens
 * offline and can be attached to a ticket as one file.
 */

export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

export interface Series {
  name: string;
  color: string;
  values: number[];
}

export interface ChartOptions {
  title: string;
  unit: string;
  width?: number;
  height?: number;
}

const MARGIN = { left: 56, right: 12, top: 28, bottom: 28 };

/** A "nice" axis maximum (1, 2 or 5 times a power of ten) at or above `value`. */
export function niceCeiling(value: number): number {
  if (!(value > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 5, 10]) if (step * power >= value) return step * power;
  return 10 * power;
}

function frame(options: Required<ChartOptions>, yMax: number, xCount: number): string[] {
  const { width, height } = options;
  const plotHeight = height - MARGIN.top - MARGIN.bottom;
  const parts = [
    `<text x="${MARGIN.left}" y="16" class="title">${escapeHtml(options.title)}</text>`,
  ];
  for (let tick = 0; tick <= 4; tick++) {
    const y = MARGIN.top + plotHeight - (tick / 4) * plotHeight;
    parts.push(
      `<line x1="${MARGIN.left}" x2="${width - MARGIN.right}" y1="${y.toFixed(1)}" y2="${y.toFixed(1)}" class="grid"/>`,
      `<text x="${MARGIN.left - 6}" y="${(y + 4).toFixed(1)}" text-anchor="end">${round((yMax * tick) / 4)}</text>`,
    );
  }
  parts.push(
    `<text x="${width - MARGIN.right}" y="${height - 6}" text-anchor="end">${xCount} s</text>`,
    `<text x="${MARGIN.left}" y="${height - 6}">0 s</text>`,
    `<text x="8" y="${MARGIN.top - 8}">${escapeHtml(options.unit)}</text>`,
  );
  return parts;
}

function svg(options: Required<ChartOptions>, body: string[]): string {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${options.width}" height="${options.height}" viewBox="0 0 ${options.width} ${options.height}" role="img" aria-label="${escapeHtml(options.title)}">`,
    ...body,
    '</svg>',
  ].join('');
}

function withDefaults(options: ChartOptions): Required<ChartOptions> {
  return { width: 460, height: 220, ...options };
}

/** One polyline per series over seconds of the run (latency over time). */
export function lineChart(series: Series[], chartOptions: ChartOptions): string {
  const options = withDefaults(chartOptions);
  const count = Math.max(1, ...series.map((s) => s.values.length));
  const yMax = niceCeiling(Math.max(0, ...series.flatMap((s) => s.values)));
  const plotWidth = options.width - MARGIN.left - MARGIN.right;
  const plotHeight = options.height - MARGIN.top - MARGIN.bottom;
  const x = (index: number) => MARGIN.left + (count === 1 ? 0 : (index / (count - 1)) * plotWidth);
  const y = (value: number) => MARGIN.top + plotHeight - (value / yMax) * plotHeight;
  const body = frame(options, yMax, count);
  series.forEach((s, index) => {
    const points = s.values.map((value, i) => `${x(i).toFixed(1)},${y(value).toFixed(1)}`);
    body.push(
      `<polyline fill="none" stroke="${s.color}" stroke-width="2" points="${points.join(' ')}"/>`,
      `<text x="${options.width - MARGIN.right - 4}" y="${MARGIN.top + 12 + index * 14}" text-anchor="end" fill="${s.color}">${escapeHtml(s.name)}</text>`,
    );
  });
  return svg(options, body);
}

/** Bars per second (throughput over time). */
export function barChart(values: number[], color: string, chartOptions: ChartOptions): string {
  const options = withDefaults(chartOptions);
  const count = Math.max(1, values.length);
  const yMax = niceCeiling(Math.max(0, ...values));
  const plotWidth = options.width - MARGIN.left - MARGIN.right;
  const plotHeight = options.height - MARGIN.top - MARGIN.bottom;
  const slot = plotWidth / count;
  const body = frame(options, yMax, count);
  values.forEach((value, i) => {
    const barHeight = (value / yMax) * plotHeight;
    body.push(
      `<rect x="${(MARGIN.left + i * slot + slot * 0.1).toFixed(1)}" y="${(MARGIN.top + plotHeight - barHeight).toFixed(1)}" width="${(slot * 0.8).toFixed(1)}" height="${barHeight.toFixed(1)}" fill="${color}"><title>${i} s: ${round(value)}</title></rect>`,
    );
  });
  return svg(options, body);
}

/** Horizontal bars, one per labelled value (the overview of every run's throughput). */
export function horizontalBars(
  items: Array<{ label: string; value: number; color: string }>,
  title: string,
): string {
  const rowHeight = 22;
  const labelWidth = 260;
  const width = 900;
  const height = 30 + items.length * rowHeight;
  const max = niceCeiling(Math.max(0, ...items.map((item) => item.value)));
  const barSpace = width - labelWidth - 90;
  const body = [`<text x="0" y="16" class="title">${escapeHtml(title)}</text>`];
  items.forEach((item, i) => {
    const y = 28 + i * rowHeight;
    const barWidth = (item.value / max) * barSpace;
    body.push(
      `<text x="${labelWidth - 8}" y="${y + 14}" text-anchor="end">${escapeHtml(item.label)}</text>`,
      `<rect x="${labelWidth}" y="${y + 2}" width="${barWidth.toFixed(1)}" height="${rowHeight - 6}" fill="${item.color}"/>`,
      `<text x="${(labelWidth + barWidth + 6).toFixed(1)}" y="${y + 14}">${round(item.value).toLocaleString('en-US')}</text>`,
    );
  });
  return svg({ title, unit: '', width, height }, body);
}

/** Figures right-aligned; the first `textColumns` columns (names) left-aligned. */
function table(header: string[], rows: string[][], textColumns = 1): string {
  const align = (column: number) => (column < textColumns ? ' class="text"' : '');
  const head = header
    .map((cell, column) => `<th${align(column)}>${escapeHtml(cell)}</th>`)
    .join('');
  const body = rows
    .map(
      (row) =>
        `<tr>${row.map((cell, column) => `<td${align(column)}>${escapeHtml(cell)}</td>`).join('')}</tr>`,
    )
    .join('\n');
  return `<table><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

function runSection(run: RunResult): string {
  const seconds = run.perSecond;
  const latency = lineChart(
    [
      { name: 'p50', color: '#2b6cb0', values: seconds.map((s) => s.p50) },
      { name: 'p99', color: '#c05621', values: seconds.map((s) => s.p99) },
      { name: 'max', color: '#a0aec0', values: seconds.map((s) => s.max) },
    ],
    { title: 'latency over time', unit: 'ms' },
  );
  const throughput = barChart(
    seconds.map((s) => s.requests),
    '#2f855a',
    { title: 'throughput per second', unit: 'req/s' },
  );
  const env = Object.entries(run.env)
    .map(([name, value]) => `${name}=${value}`)
    .join(' ');
  const problems = run.problems.length
    ? `<p class="bad">${escapeHtml(run.problems.join('; '))}</p>`
    : '';
  return `<section><h3>${escapeHtml(run.id)}</h3>
<p>${fmt(run.requestsPerSecond)} req/s · p50 ${fmt(run.latency.p50)} ms · p95 ${fmt(run.latency.p95)} ms · p99 ${fmt(run.latency.p99)} ms · max ${fmt(run.latency.max)} ms · ${fmt(run.errors)} errors · ${run.oversold} oversold · statuses ${escapeHtml(JSON.stringify(run.statusCounts))} · load average ${run.loadAverage.before} → ${run.loadAverage.after}${env ? ` · <code>${escapeHtml(env)}</code>` : ''}</p>
${problems}<div class="charts">${latency}${throughput}</div></section>`;
}

export function renderHtml(report: BenchReport): string {
  const runsTable = table(RUNS_TABLE_HEADER, report.runs.map(runsTableRow));
  const pairsTable = table(
    PAIRS_TABLE_HEADER,
    pairRows(report.pairs, report.runs).map(pairsTableRow),
    2,
  );
  const overview = horizontalBars(
    report.runs.map((run) => ({
      label: run.id,
      value: run.requestsPerSecond,
      color: run.server === 'defaults' ? '#2f855a' : '#a0aec0',
    })),
    'requests per second, every run (green: defaults)',
  );
  const targets = report.targets
    .map(
      (target) =>
        `<li class="${target.met ? 'good' : 'bad'}">${target.met ? 'met' : 'not met'}: ${escapeHtml(target.title)}: ${escapeHtml(target.measured)} (target ${escapeHtml(target.requirement)})</li>`,
    )
    .join('\n');
  const machine = report.machine;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>stockhold bench ${escapeHtml(report.startedAt)}</title>
<style>
body{font:14px/1.45 system-ui,sans-serif;margin:24px;color:#1a202c;max-width:1000px}
table{border-collapse:collapse;margin:8px 0 16px}th,td{border:1px solid #cbd5e0;padding:3px 8px;text-align:right}
th.text,td.text{text-align:left}th{background:#edf2f7}
svg{font:11px system-ui,sans-serif;margin:4px 8px 4px 0;background:#fff;border:1px solid #e2e8f0}
svg .title{font-weight:600}svg .grid{stroke:#edf2f7}.charts{display:flex;flex-wrap:wrap}
.good{color:#276749}.bad{color:#9b2c2c}code{background:#edf2f7;padding:0 3px}
</style></head><body>
<h1>stockhold benchmark</h1>
<p>${escapeHtml(report.startedAt)} → ${escapeHtml(report.finishedAt)} · ${machine.cpus} CPUs (${escapeHtml(machine.cpuModel)}) · ${machine.memoryGiB} GiB · Node ${escapeHtml(machine.node)} · ${escapeHtml(machine.platform)}</p>
<p><code>${escapeHtml(report.command)}</code> · service env <code>${escapeHtml(
    Object.entries(report.baseEnv)
      .map(([name, value]) => `${name}=${value}`)
      .join(' '),
  )}</code></p>
<h2>Targets</h2><ul>${targets}</ul>
<h2>Runs</h2>${runsTable}
${overview}
<h2>A/B: each speed-up on and off</h2>${pairsTable}

<h2>Each run over time</h2>
${report.runs.map(runSection).join('\n')}
</body></html>
`;
}
