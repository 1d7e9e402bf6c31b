import { afterEach, describe, expect, it } from 'vitest';
import type { ManualClock } from '../../src/common/clock';
import { createVariant, startTestApp, type TestApp } from '../helpers/test-app';

/** The value of one sample (`name{labels}`) in a Prometheus text exposition. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

async function scrape(t: TestApp): Promise<string> {
  const response = await t.request('GET', '/metrics');
  expect(response.status).toBe(200);
  return response.body as string;
}

describe('operational metrics (what the alert rules and the dashboard read)', () => {
  let t: TestApp | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  it('counts every HTTP answer by route template and status, never by raw URL', async () => {
    t = await startTestApp();
    const variantId = await createVariant(t, 1);
    await t.request('GET', `/v1/variants/${variantId}`, { token: t.token('reader') });
    await t.request('GET', `/v1/variants/${variantId}`); // no token: 401
    await t.request('GET', '/no/such/route');

    const text = await scrape(t);
    expect(
      sample(
        text,
        'stockhold_http_responses_total{method="GET",route="/v1/variants/:id",status="200"}',
      ),
    ).toBe(1);
    expect(
      sample(
        text,
        'stockhold_http_responses_total{method="GET",route="/v1/variants/:id",status="401"}',
      ),
    ).toBe(1);
    expect(
      sample(text, 'stockhold_http_responses_total{method="GET",route="unmatched",status="404"}'),
    ).toBe(1);
    expect(text).not.toContain(variantId);
  });

  it('publishes what /health/ready answers, per state and per dependency', async () => {
    t = await startTestApp();
    const ready = await t.request('GET', '/health/ready');
    const text = await scrape(t);
    // The in-memory store is never full strength: degraded, and the store counts as not up.
    expect(ready.body.status).toBe('degraded');
    expect(sample(text, 'stockhold_readiness{state="degraded"}')).toBe(1);
    expect(sample(text, 'stockhold_readiness{state="ok"}')).toBe(0);
    expect(sample(text, 'stockhold_readiness{state="unavailable"}')).toBe(0);
    expect(sample(text, 'stockhold_dependency_up{dependency="store"}')).toBe(0);
    expect(sample(text, 'stockhold_dependency_up{dependency="redis"}')).toBe(1);
  });

  it('shows expiry lag growing while no sweeper runs, read from the store at scrape time', async () => {
    // WORKERS=off (the test default): no expiry sweeper in this process, as when the worker is dead.
    t = await startTestApp({ manualClock: true, env: { RESERVATION_TTL_SECONDS: '60' } });
    const clock = t.clock as ManualClock;
    const variantId = await createVariant(t, 5);
    const hold = await t.request('POST', '/v1/reservations', {
      token: t.token('lagging'),
      body: { variantId, quantity: 1 },
    });
    expect(hold.status).toBe(201);

    expect(sample(await scrape(t), 'stockhold_expiry_lag_seconds')).toBe(0);
    clock.advance(60_000 + 45_000);
    expect(sample(await scrape(t), 'stockhold_expiry_lag_seconds')).toBe(45);
    clock.advance(30_000);
    expect(sample(await scrape(t), 'stockhold_expiry_lag_seconds')).toBe(75);

    // Once the hold is released (here by its owner), nothing is due: the lag is back to 0.
    await t.request('DELETE', `/v1/reservations/${hold.body.id}`, { token: t.token('lagging') });
    expect(sample(await scrape(t), 'stockhold_expiry_lag_seconds')).toBe(0);
  });
});
