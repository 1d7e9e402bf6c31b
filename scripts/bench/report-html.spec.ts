import { describe, expect, it } from 'vitest';
import { buildPlan } from './plan';
import {
  barChart,
  escapeHtml,
  horizontalBars,
  lineChart,
  niceCeiling,
  renderHtml,
} from './report-html';
import { fakeRun } from './test-fixtures';
import type { BenchReport } from './results';

describe('niceCeiling', () => {
  it('rounds an axis maximum up to 1, 2 or 5 times a power of ten', () => {
    expect(niceCeiling(0)).toBe(1);
    expect(niceCeiling(7)).toBe(10);
    expect(niceCeiling(12)).toBe(20);
    expect(niceCeiling(4_100)).toBe(5_000);
    expect(niceCeiling(50)).toBe(50);
  });
});

describe('charts', () => {
  it('draws one polyline per series with one point per second', () => {
    const svg = lineChart(
      [
        { name: 'p50', color: '#00f', values: [1, 2, 3] },
        { name: 'p99', color: '#f00', values: [4, 5, 6] },
      ],
      { title: 'latency', unit: 'ms' },
    );
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg.match(/<polyline/g)).toHaveLength(2);
    expect(svg.match(/<polyline[^>]*points="([^"]*)"/)![1].split(' ')).toHaveLength(3);
  });

  it('draws a bar per second with its value in a tooltip', () => {
    const svg = barChart([10, 0, 30], '#0a0', { title: 'throughput', unit: 'req/s' });
    expect(svg.match(/<rect/g)).toHaveLength(3);
    expect(svg).toContain('<title>2 s: 30</title>');
  });

  it('escapes labels', () => {
    const svg = horizontalBars([{ label: '<b>&', value: 1, color: '#000' }], 'runs');
    expect(svg).toContain('&lt;b&gt;&amp;');
    expect(escapeHtml('"<>&')).toBe('&quot;&lt;&gt;&amp;');
  });
});

describe('renderHtml', () => {
  it('is one self-contained page: tables and inline SVG, no scripts or remote resources', () => {
    const report: BenchReport = {
      startedAt: '2030-01-01T00:00:00.000Z',
      finishedAt: '2030-01-01T00:02:00.000Z',
      machine: {
        cpus: 2,
        cpuModel: 'Test CPU',
        node: 'v20.20.2',
        platform: 'linux',
        memoryGiB: 24,
      },
      command: 'npm run bench --',
      baseEnv: { STORE: 'memory' },
      runs: [
        fakeRun('defaults/sold-out', {
          perSecond: [{ second: 0, requests: 10, unexpected: 0, p50: 1, p99: 2, max: 3 }],
        }),
      ],
      pairs: buildPlan({ quick: true }).pairs,
      targets: [],
    };
    const html = renderHtml(report);
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).not.toMatch(/<script|<link|src=|https?:\/\/(?!www\.w3\.org\/2000\/svg)/);
    expect(html).toContain('defaults/sold-out');
    expect(html).toContain('Test CPU');
    expect(html.match(/<svg/g)!.length).toBeGreaterThanOrEqual(3);
  });
});
