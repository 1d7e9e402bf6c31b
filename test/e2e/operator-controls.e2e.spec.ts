import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/app-config';
import { startTestApp } from '../helpers/test-app';

const METRICS_TOKEN = 'scrape-token-0123456789';

describe('draining on shutdown', () => {
  it('answers readiness 503 from the start of shutdown while the listener still serves', async () => {
    const testApp = await startTestApp({ env: { SHUTDOWN_DRAIN_MS: '1500' } });
    expect((await testApp.request('GET', '/health/ready')).status).toBe(200);
    const closing = testApp.close();
    const during = await testApp.request('GET', '/health/ready');
    expect(during.status).toBe(503);
    expect(during.body.checks.shutdown).toEqual({
      ok: false,
      detail: 'shutting down: draining requests in flight',
    });
    // Liveness still answers: the process is healthy, only leaving.
    expect((await testApp.request('GET', '/health/live')).status).toBe(200);
    await closing;
  });

  it('drains for 5 s by default in production and not at all elsewhere', () => {
    const production = {
      NODE_ENV: 'production',
      JWT_SECRET: 'x'.repeat(40),
      MONGODB_URI: 'mongodb://db/x',
    };
    expect(loadConfig(production).shutdownDrainMs).toBe(5000);
    expect(loadConfig({}).shutdownDrainMs).toBe(0);
  });
});

describe('restricting /metrics and /docs', () => {
  it('serves /metrics only with the bearer METRICS_TOKEN when one is set', async () => {
    const testApp = await startTestApp({ env: { METRICS_TOKEN } });
    try {
      const refused = await testApp.request('GET', '/metrics');
      expect(refused.status).toBe(401);
      expect(refused.body.code).toBe('UNAUTHORIZED');
      const wrong = await testApp.request('GET', '/metrics', {
        headers: { authorization: `Bearer ${METRICS_TOKEN}x` },
      });
      expect(wrong.status).toBe(401);
      const scraped = await testApp.request('GET', '/metrics', {
        headers: { authorization: `Bearer ${METRICS_TOKEN}` },
      });
      expect(scraped.status).toBe(200);
      expect(scraped.body).toContain('stockhold_');
    } finally {
      await testApp.close();
    }
  });

  it('serves no /docs with DOCS_ENABLED=false, the production default', async () => {
    const testApp = await startTestApp({ env: { DOCS_ENABLED: 'false' } });
    try {
      expect((await testApp.request('GET', '/docs-json')).status).toBe(404);
      expect((await testApp.request('GET', '/docs')).status).toBe(404);
    } finally {
      await testApp.close();
    }
    const production = {
      NODE_ENV: 'production',
      JWT_SECRET: 'x'.repeat(40),
      MONGODB_URI: 'mongodb://db/x',
    };
    expect(loadConfig(production).docsEnabled).toBe(false);
    expect(loadConfig({ ...production, DOCS_ENABLED: 'true' }).docsEnabled).toBe(true);
    expect(() => loadConfig({ METRICS_TOKEN: 'short' })).toThrow(/METRICS_TOKEN must be at least/);
  });
});
