import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVariant, startTestApp, type TestApp } from '../helpers/test-app';

describe('hold lifecycle over HTTP', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it('reserves, shows, lists and commits a hold; stock figures follow', async () => {
    const variantId = await createVariant(t, 10);
    const alice = t.token('alice-lifecycle');

    const reserved = await t.request('POST', '/v1/reservations', {
      token: alice,
      body: { variantId, quantity: 3 },
    });
    expect(reserved.status).toBe(201);
    expect(reserved.body).toMatchObject({
      userId: 'alice-lifecycle',
      variantId,
      quantity: 3,
      status: 'active',
    });
    expect(reserved.body.id).toMatch(/^[0-9a-f]{24}$/);
    const ttlMs = Date.parse(reserved.body.expiresAt) - Date.parse(reserved.body.createdAt);
    expect(ttlMs).toBe(t.config.reservationTtlSeconds * 1000);

    const inventory = await t.request('GET', `/v1/inventory/${variantId}`, { token: alice });
    expect(inventory.body).toEqual({
      variantId,
      totalStock: 10,
      reservedStock: 3,
      availableStock: 7,
      version: 2,
    });

    const shown = await t.request('GET', `/v1/reservations/${reserved.body.id}`, { token: alice });
    expect(shown.status).toBe(200);
    expect(shown.body.id).toBe(reserved.body.id);

    const listed = await t.request('GET', '/v1/reservations?status=active', { token: alice });
    expect(listed.body.items.map((r: { id: string }) => r.id)).toEqual([reserved.body.id]);

    const committed = await t.request('POST', `/v1/reservations/${reserved.body.id}/commit`, {
      token: alice,
    });
    expect(committed.status).toBe(200);
    expect(committed.body.status).toBe('committed');

    const after = await t.request('GET', `/v1/variants/${variantId}`, { token: alice });
    expect(after.body.stock).toEqual({ total: 7, reserved: 0, available: 7, version: 3 });
  });
});
