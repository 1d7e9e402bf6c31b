import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVariant, startTestApp, type TestApp } from '../helpers/test-app';

const SAMPLE =
  /^[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="(\\.|[^"\\])*",?)*\})? (-?[0-9.e+-]+|NaN|\+Inf|-Inf)$/;

/** Every line of a Prometheus text exposition is a comment, blank, or a well-formed sample. */
function parsePrometheus(text: string): Map<string, number> {
  const samples = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('# HELP ') || line.startsWith('# TYPE ')) continue;
    if (!SAMPLE.test(line)) throw new Error(`not Prometheus text: ${line}`);
    const cut = line.lastIndexOf(' ');
    samples.set(line.slice(0, cut), Number(line.slice(cut + 1)));
  }
  return samples;
}

describe('/metrics', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it('serves Prometheus text counting reservation outcomes by result, without ids in labels', async () => {
    const variantId = await createVariant(t, 1);
    await t.request('POST', '/v1/reservations', {
      token: t.token('m1'),
      body: { variantId, quantity: 1 },
    });
    await t.request('POST', '/v1/reservations', {
      token: t.token('m2'),
      body: { variantId, quantity: 1 },
    });
    await t.request('POST', '/v1/reservations', {
      token: t.token('m3'),
      body: { variantId, quantity: 1 },
    });

    const response = await t.request('GET', '/metrics');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    const samples = parsePrometheus(response.body as string);
    expect(samples.get('stockhold_reservation_outcomes_total{result="created"}')).toBe(1);
    expect(samples.get('stockhold_reservation_outcomes_total{result="OUT_OF_STOCK"}')).toBe(2);
    expect(samples.get('stockhold_reservation_duration_seconds_count{result="created"}')).toBe(1);
    // The hold took the last unit; the sold-out gate answered both refusals without the store.
    expect(samples.get('stockhold_store_reserve_attempts_total')).toBe(1);
    for (const name of [
      'stockhold_store_transaction_retries_total',
      'stockhold_expiry_lag_seconds',
      'stockhold_rate_limit_redis_fallbacks_total',
    ]) {
      expect(
        [...samples.keys()].some((key) => key.startsWith(name)),
        name,
      ).toBe(true);
    }
    expect(response.body).not.toContain(variantId);
    expect(response.body).not.toContain('m1');
  });
});
