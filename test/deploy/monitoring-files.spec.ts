import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MetricsService } from '../../src/metrics/metrics.service';
import { startTestApp, type TestApp } from '../helpers/test-app';

const root = path.join(__dirname, '../..');
const read = (file: string) => readFileSync(path.join(root, file), 'utf8');

/** The series names a metric of this type exposes (a histogram's buckets, sum and count). */
function seriesNames(name: string, type: string): string[] {
  if (type === 'histogram') return [`${name}_bucket`, `${name}_sum`, `${name}_count`];
  if (type === 'summary') return [name, `${name}_sum`, `${name}_count`];
  return [name];
}

/** The stockhold metric names a PromQL expression reads. */
function metricsIn(expression: string): string[] {
  return [...expression.matchAll(/\bstockhold_[a-zA-Z0-9_:]*/g)].map((match) => match[0]);
}

interface Panel {
  type: string;
  title: string;
  panels?: Panel[];
  targets?: Array<{ expr?: string }>;
}

describe('monitoring files (deploy/)', () => {
  let t: TestApp;
  /** Every series name the service exports, from the running app's own registry. */
  let exported: Set<string>;

  beforeAll(async () => {
    // WORKERS=inline: this process also registers the workers' metrics (heartbeat, sync counters).
    t = await startTestApp({ env: { WORKERS: 'inline' } });
    const metrics = await t.app.get(MetricsService).registry.getMetricsAsJSON();
    exported = new Set(metrics.flatMap((metric) => seriesNames(metric.name, String(metric.type))));
  });
  afterAll(async () => {
    await t.close();
  });

  it('reads the exported names from the registry (sanity check)', () => {
    expect(exported).toContain('stockhold_reservation_outcomes_total');
    expect(exported).toContain('stockhold_reservation_duration_seconds_bucket');
    expect(exported).toContain('stockhold_worker_heartbeat_timestamp_seconds');
    expect(exported).not.toContain('stockhold_reservation_duration_seconds');
  });

  it('every query of every Grafana dashboard panel names only metrics the service exports', () => {
    const dashboard = JSON.parse(read('deploy/grafana/stockhold.json')) as { panels: Panel[] };
    const panels = dashboard.panels.flatMap((panel) => [panel, ...(panel.panels ?? [])]);
    const graphs = panels.filter((panel) => panel.type !== 'row');
    expect(graphs.length).toBeGreaterThan(10);
    for (const panel of graphs) {
      expect(panel.targets?.length, panel.title).toBeGreaterThan(0);
      for (const target of panel.targets ?? []) {
        const names = metricsIn(target.expr ?? '');
        expect(names.length, `${panel.title}: ${target.expr}`).toBeGreaterThan(0);
        for (const name of names) expect(exported, `${panel.title}: ${name}`).toContain(name);
      }
    }
  });

  it('the dashboard shows what an operator watches during a sale', () => {
    const text = read('deploy/grafana/stockhold.json');
    for (const name of [
      'stockhold_reservation_outcomes_total',
      'stockhold_rate_limited_total',
      'stockhold_reservation_duration_seconds_bucket',
      'stockhold_expiry_lag_seconds',
      'stockhold_search_sync_lag_seconds',
      'stockhold_rate_limit_redis_fallbacks_total',
    ]) {
      expect(text, name).toContain(name);
    }
  });

  it('every alert rule names only metrics the service exports', () => {
    const rules = read('deploy/prometheus/alerts.yml');
    const exprs = [...rules.matchAll(/^\s+expr: (>-\n(?:\s{10,}.*\n?)+|.*)$/gm)].map((m) => m[1]);
    expect(exprs.length).toBeGreaterThan(10);
    const names = exprs.flatMap(metricsIn);
    expect(names.length).toBeGreaterThan(10);
    for (const name of names) expect(exported, name).toContain(name);
  });

  it('docker-compose.yml: a worker health check, and an optional monitoring profile wired to these files', () => {
    const compose = read('docker-compose.yml');
    const service = (name: string) =>
      compose.split(new RegExp(`^  ${name}:$`, 'm'))[1]?.split(/^ {2}[a-z-]+:$/m)[0] ?? '';
    expect(service('worker')).toContain("fetch('http://127.0.0.1:9464/health/live')");
    expect(service('worker')).toContain("WORKER_METRICS_PORT: '9464'");
    for (const name of ['prometheus', 'grafana']) {
      expect(service(name), name).toContain("profiles: ['monitoring']");
    }
    expect(service('prometheus')).toContain('./deploy/prometheus:/etc/stockhold:ro');
    expect(service('prometheus')).toContain('--config.file=/etc/stockhold/prometheus.yml');
    expect(service('grafana')).toContain(
      './deploy/grafana/provisioning:/etc/grafana/provisioning:ro',
    );
    expect(service('grafana')).toContain(
      './deploy/grafana/stockhold.json:/var/lib/grafana/dashboards/stockhold.json:ro',
    );
    // Grafana's dashboard provider reads the folder the dashboard is mounted into.
    expect(read('deploy/grafana/provisioning/dashboards/stockhold.yml')).toContain(
      'path: /var/lib/grafana/dashboards',
    );
    // Prometheus scrapes both jobs the alert rules name, at the ports the services listen on.
    const prometheus = read('deploy/prometheus/prometheus.yml');
    expect(prometheus).toMatch(/job_name: stockhold-api[\s\S]*names: \['api'\][\s\S]*port: 3000/);
    expect(prometheus).toMatch(
      /job_name: stockhold-worker[\s\S]*names: \['worker'\][\s\S]*port: 9464/,
    );
    expect(prometheus).toMatch(/rule_files:\s+- alerts.yml/);
  });
});
