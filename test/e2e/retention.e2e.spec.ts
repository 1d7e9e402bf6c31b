import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ManualClock } from '../../src/common/clock';
import { createVariant, startTestApp, type TestApp } from '../helpers/test-app';

const DAY_MS = 86_400_000;

describe('retention of ended reservations over HTTP (memory store, RETENTION_DAYS=1)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({
      manualClock: true,
      env: { WORKERS: 'inline', EXPIRY_SWEEP_MS: '50', RETENTION_DAYS: '1' },
    });
  });
  afterAll(async () => {
    await t.close();
  });

  it('deletes a released hold a day after it ended, and its Idempotency-Key names a new hold', async () => {
    const [first, second] = [await createVariant(t, 5), await createVariant(t, 5)];
    const shopper = t.token('forgetful');
    const headers = { 'Idempotency-Key': 'checkout-1' };
    const hold = await t.request('POST', '/v1/reservations', {
      token: shopper,
      body: { variantId: first, quantity: 1 },
      headers,
    });
    expect(hold.status).toBe(201);
    expect(
      (await t.request('DELETE', `/v1/reservations/${hold.body.id}`, { token: shopper })).status,
    ).toBe(200);
    // While the released hold is kept, its key answers for it: another request is refused.
    const refused = await t.request('POST', '/v1/reservations', {
      token: shopper,
      body: { variantId: second, quantity: 2 },
      headers,
    });
    expect(refused.status).toBe(422);
    expect(refused.body.code).toBe('IDEMPOTENCY_KEY_REUSED');

    (t.clock as ManualClock).advance(DAY_MS + 1000);
    await expect
      .poll(
        async () =>
          (await t.request('GET', `/v1/reservations/${hold.body.id}`, { token: shopper })).status,
        { timeout: 3000, interval: 50 },
      )
      .toBe(404);
    const reused = await t.request('POST', '/v1/reservations', {
      token: shopper,
      body: { variantId: second, quantity: 2 },
      headers,
    });
    expect(reused.status).toBe(201);
    expect(reused.body).toMatchObject({ variantId: second, quantity: 2, status: 'active' });
  });
});
