import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryStore } from '../../src/store/memory/memory.store';
import { createVariant, startTestApp, type TestApp } from '../helpers/test-app';

describe('health, docs and reconcile', () => {
  let t: TestApp;
  const store = new MemoryStore();
  beforeAll(async () => {
    t = await startTestApp({ store });
  });
  afterAll(async () => {
    await t.close();
  });

  it('reports liveness and readiness (the memory store counts as degraded)', async () => {
    expect((await t.request('GET', '/health/live')).body).toEqual({ status: 'ok' });
    const ready = await t.request('GET', '/health/ready');
    expect(ready.status).toBe(200);
    expect(ready.body.status).toBe('degraded');
    expect(ready.body.checks.store).toMatchObject({ ok: true, degraded: true });
  });

  it('answers 503 on readiness when the store is down', async () => {
    const original = store.ping.bind(store);
    store.ping = async () => {
      throw new Error('connection refused');
    };
    try {
      const ready = await t.request('GET', '/health/ready');
      expect(ready.status).toBe(503);
      expect(ready.body.checks.store).toMatchObject({ ok: false, detail: 'connection refused' });
    } finally {
      store.ping = original;
    }
  });

  it('serves the OpenAPI document with every route', async () => {
    const docs = await t.request('GET', '/docs-json');
    expect(docs.status).toBe(200);
    expect(Object.keys(docs.body.paths)).toEqual(
      expect.arrayContaining([
        '/v1/admin/variants',
        '/v1/admin/variants/{id}/stock',
        '/v1/variants/{id}',
        '/v1/inventory/{variantId}',
        '/v1/reservations',
        '/v1/reservations/{id}',
        '/v1/reservations/{id}/commit',
        '/v1/admin/reconcile',
      ]),
    );
  });

  it('echoes a sane X-Request-Id and replaces an unsafe one', async () => {
    const kept = await t.request('GET', '/health/live', {
      headers: { 'x-request-id': 'trace-abc-123' },
    });
    expect(kept.headers.get('x-request-id')).toBe('trace-abc-123');
    const replaced = await t.request('GET', '/health/live', {
      headers: { 'x-request-id': 'bad id\twith spaces' },
    });
    expect(replaced.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('reconciles healthy data as ok and reports a broken invariant', async () => {
    const admin = t.token('ops', { admin: true });
    const variantId = await createVariant(t, 3);
    await t.request('POST', '/v1/reservations', {
      token: t.token('u1'),
      body: { variantId, quantity: 2 },
    });
    const healthy = await t.request('GET', '/v1/admin/reconcile', { token: admin });
    expect(healthy.status).toBe(200);
    expect(healthy.body).toMatchObject({ ok: true, violations: [] });
    expect(healthy.body.checked).toBeGreaterThanOrEqual(1);

    store.corruptInventoryForTest(variantId, { availableStock: 3 });
    const broken = await t.request('GET', '/v1/admin/reconcile', { token: admin });
    expect(broken.body.ok).toBe(false);
    expect(broken.body.violations).toEqual(
      expect.arrayContaining([expect.objectContaining({ invariant: 'I1', subject: variantId })]),
    );
  });
});

describe('a store that cannot be reached', () => {
  let t: TestApp;
  const store = new MemoryStore();
  beforeAll(async () => {
    t = await startTestApp({ store });
  });
  afterAll(async () => {
    await t.close();
  });

  it('answers 503 SERVICE_UNAVAILABLE (never a 500) and readiness 503', async () => {
    const variantId = await createVariant(t, 5);
    const unreachable = () =>
      Promise.reject(
        Object.assign(new Error('connection <monitor> to 10.0.0.9:27017 closed'), {
          name: 'MongoNetworkError',
        }),
      );
    store.reserve = unreachable;
    store.ping = unreachable;
    const response = await t.request('POST', '/v1/reservations', {
      token: t.token('outage-shopper'),
      body: { variantId, quantity: 1 },
    });
    expect(response.status).toBe(503);
    expect(response.body).toMatchObject({ statusCode: 503, code: 'SERVICE_UNAVAILABLE' });
    expect(response.headers.get('retry-after')).toBe('1');
    expect((await t.request('GET', '/health/ready')).status).toBe(503);
  });
});
