import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVariant, startTestApp, type TestApp } from '../helpers/test-app';

/** Races over real HTTP: the counts must be exact, never approximately right. */
describe('concurrency over HTTP', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  function countBy(
    statuses: Array<{ status: number; body: { code?: string } }>,
  ): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const response of statuses) {
      const key =
        response.status === 201 ? 'created' : (response.body.code ?? String(response.status));
      counts[key] = (counts[key] ?? 0) + 1;
    }
    return counts;
  }

  it('2,000 shoppers racing for 100 units: exactly 100 holds, 1,900 OUT_OF_STOCK, reconcile ok', async () => {
    const variantId = await createVariant(t, 100);
    const tokens = Array.from({ length: 2000 }, (_, i) => t.token(`flash-${i}`));
    const responses = await Promise.all(
      tokens.map((token) =>
        t.request('POST', '/v1/reservations', { token, body: { variantId, quantity: 1 } }),
      ),
    );
    expect(countBy(responses)).toEqual({ created: 100, OUT_OF_STOCK: 1900 });
    const winners = new Set(responses.filter((r) => r.status === 201).map((r) => r.body.userId));
    expect(winners.size).toBe(100);

    const admin = t.token('ops', { admin: true });
    expect(
      (await t.request('GET', `/v1/inventory/${variantId}`, { token: admin })).body,
    ).toMatchObject({
      totalStock: 100,
      reservedStock: 100,
      availableStock: 0,
    });
    expect((await t.request('GET', '/v1/admin/reconcile', { token: admin })).body).toMatchObject({
      ok: true,
    });
  });

  it('one shopper firing 30 concurrent holds at one variant gets exactly one', async () => {
    const variantId = await createVariant(t, 100);
    const token = t.token('greedy-one');
    const responses = await Promise.all(
      Array.from({ length: 30 }, () =>
        t.request('POST', '/v1/reservations', { token, body: { variantId, quantity: 1 } }),
      ),
    );
    expect(countBy(responses)).toEqual({ created: 1, DUPLICATE_RESERVATION: 29 });
    expect(
      (await t.request('GET', `/v1/inventory/${variantId}`, { token })).body.reservedStock,
    ).toBe(1);
  });

  it('one shopper firing at 6 variants at once gets exactly 5', async () => {
    const variants = await Promise.all(Array.from({ length: 6 }, () => createVariant(t, 10)));
    const token = t.token('greedy-six');
    const responses = await Promise.all(
      variants.map((variantId) =>
        t.request('POST', '/v1/reservations', { token, body: { variantId, quantity: 1 } }),
      ),
    );
    expect(countBy(responses)).toEqual({ created: 5, MAX_RESERVATIONS_EXCEEDED: 1 });
    const mine = await t.request('GET', '/v1/reservations?status=active', { token });
    expect(mine.body.items).toHaveLength(5);
  });

  it('a storm of holds, releases and commits leaves every invariant intact', async () => {
    const variantId = await createVariant(t, 60);
    const admin = t.token('ops', { admin: true });
    const shoppers = Array.from({ length: 150 }, (_, i) => t.token(`storm-${i}`));
    await Promise.all(
      shoppers.map(async (token, i) => {
        const hold = await t.request('POST', '/v1/reservations', {
          token,
          body: { variantId, quantity: 1 + (i % 2) },
        });
        if (hold.status !== 201) return;
        if (i % 3 === 0) await t.request('DELETE', `/v1/reservations/${hold.body.id}`, { token });
        else if (i % 3 === 1)
          await t.request('POST', `/v1/reservations/${hold.body.id}/commit`, { token });
      }),
    );
    const inventory = (await t.request('GET', `/v1/inventory/${variantId}`, { token: admin })).body;
    expect(inventory.availableStock).toBe(inventory.totalStock - inventory.reservedStock);
    expect(inventory.availableStock).toBeGreaterThanOrEqual(0);
    expect((await t.request('GET', '/v1/admin/reconcile', { token: admin })).body).toMatchObject({
      ok: true,
      violations: [],
    });
  });
});
