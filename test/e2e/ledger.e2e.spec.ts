import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVariant, startTestApp, type TestApp } from '../helpers/test-app';

describe('the stock ledger over HTTP: GET /v1/admin/variants/:id/movements', () => {
  let t: TestApp;
  let admin: string;
  beforeAll(async () => {
    t = await startTestApp();
    admin = t.token('ops-7', { admin: true });
  });
  afterAll(async () => {
    await t.close();
  });

  const movements = (variantId: string, query = '', token = admin) =>
    t.request('GET', `/v1/admin/variants/${variantId}/movements${query}`, { token });

  it('explains every figure: one movement per change, seq = version, with who made it', async () => {
    const variantId = await createVariant(t, 3);
    const shopper = t.token('sam');
    const held = await t.request('POST', '/v1/reservations', {
      token: shopper,
      body: { variantId, quantity: 2 },
      headers: { 'x-request-id': 'hold-7' },
    });
    expect(held.status).toBe(201);
    await t.request('POST', `/v1/reservations/${held.body.id}/commit`, { token: shopper });
    const adjusted = await t.request('PATCH', `/v1/admin/variants/${variantId}/stock`, {
      token: admin,
      body: { delta: 5 },
      headers: { 'x-request-id': 'restock-42' },
    });
    expect(adjusted.status).toBe(200);

    const page = await movements(variantId);
    expect(page.status).toBe(200);
    expect(page.body.nextAfter).toBeNull();
    expect(
      page.body.items.map((m: { seq: number; type: string; actor: string }) => [
        m.seq,
        m.type,
        m.actor,
      ]),
    ).toEqual([
      [1, 'created', 'admin'],
      [2, 'reserved', 'sam'],
      [3, 'committed', 'sam'],
      [4, 'adjusted', 'ops-7'],
    ]);
    expect(page.body.items[1]).toMatchObject({
      variantId,
      reservationId: held.body.id,
      userId: 'sam',
      delta: { total: 0, reserved: 2, available: -2 },
      after: { total: 3, reserved: 2, available: 1 },
      requestId: 'hold-7',
    });
    expect(page.body.items[3].after).toEqual({ total: 6, reserved: 0, available: 6 });
    expect(page.body.items[3].requestId).toBe('restock-42');
    expect(new Date(page.body.items[0].at).toISOString()).toBe(page.body.items[0].at);
    const stock = await t.request('GET', `/v1/inventory/${variantId}`, { token: shopper });
    expect(stock.body).toMatchObject({ totalStock: 6, availableStock: 6, version: 4 });

    const report = await t.request('GET', '/v1/admin/reconcile', { token: admin });
    expect(report.body).toMatchObject({ ok: true, violations: [] });
  });

  it('records cart holds and group release with the group and the request', async () => {
    const variantId = await createVariant(t, 4);
    const shopper = t.token('cara');
    const cart = await t.request('POST', '/v1/reservations/batch', {
      token: shopper,
      body: { lines: [{ variantId, quantity: 3 }], policy: 'all_or_nothing' },
      headers: { 'x-request-id': 'cart-1' },
    });
    expect(cart.status).toBe(201);
    const released = await t.request('DELETE', `/v1/reservations/groups/${cart.body.groupId}`, {
      token: shopper,
      headers: { 'x-request-id': 'cart-2' },
    });
    expect(released.status).toBe(200);
    const page = await movements(variantId);
    expect(page.body.items.slice(1)).toEqual([
      expect.objectContaining({
        type: 'reserved',
        groupId: cart.body.groupId,
        actor: 'cara',
        requestId: 'cart-1',
        after: { total: 4, reserved: 3, available: 1 },
      }),
      expect.objectContaining({
        type: 'released',
        groupId: cart.body.groupId,
        actor: 'cara',
        requestId: 'cart-2',
        after: { total: 4, reserved: 0, available: 4 },
      }),
    ]);
  });

  it('pages with after and limit', async () => {
    const variantId = await createVariant(t, 1);
    for (let i = 0; i < 4; i++) {
      await t.request('PATCH', `/v1/admin/variants/${variantId}/stock`, {
        token: admin,
        body: { delta: 1 },
      });
    }
    const first = await movements(variantId, '?limit=2');
    expect(first.body.items.map((m: { seq: number }) => m.seq)).toEqual([1, 2]);
    expect(first.body.nextAfter).toBe(2);
    const second = await movements(variantId, `?after=${first.body.nextAfter}&limit=2`);
    expect(second.body.items.map((m: { seq: number }) => m.seq)).toEqual([3, 4]);
    const last = await movements(variantId, `?after=${second.body.nextAfter}&limit=2`);
    expect(last.body.items.map((m: { seq: number }) => m.seq)).toEqual([5]);
    expect(last.body.nextAfter).toBeNull();
  });

  it('refuses a bad page, an unknown variant, and callers who are not admins', async () => {
    const variantId = await createVariant(t, 1);
    for (const query of ['?limit=0', '?limit=501', '?limit=abc', '?after=-1', '?other=1']) {
      const refused = await movements(variantId, query);
      expect(refused.status, query).toBe(400);
      expect(refused.body.code).toBe('VALIDATION_FAILED');
    }
    expect((await movements(variantId, '?limit=500')).status).toBe(200);
    const unknown = await movements('a'.repeat(24));
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBe('VARIANT_NOT_FOUND');
    expect((await movements('not-an-id')).status).toBe(400);
    expect((await movements(variantId, '', t.token('sam'))).status).toBe(403);
  });

  it("keeps a variant's lowStockThreshold, set at creation and by PATCH (null removes it)", async () => {
    const variantId = await createVariant(t, 5, { lowStockThreshold: 2 });
    const path = `/v1/admin/variants/${variantId}`;
    const shown = await t.request('GET', `/v1/variants/${variantId}`, { token: t.token('sam') });
    expect(shown.body.lowStockThreshold).toBe(2);
    const changed = await t.request('PATCH', path, {
      token: admin,
      body: { lowStockThreshold: 0 },
    });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ lowStockThreshold: 0 });
    expect(changed.body).not.toHaveProperty('purchaseLimit');
    const both = await t.request('PATCH', path, {
      token: admin,
      body: { lowStockThreshold: 3, purchaseLimit: 2 },
    });
    expect(both.body).toMatchObject({ lowStockThreshold: 3, purchaseLimit: 2 });
    const removed = await t.request('PATCH', path, {
      token: admin,
      body: { lowStockThreshold: null },
    });
    expect(removed.body).not.toHaveProperty('lowStockThreshold');
    expect(removed.body.purchaseLimit).toBe(2);
    for (const body of [{}, { lowStockThreshold: -1 }, { lowStockThreshold: '2' }]) {
      const refused = await t.request('PATCH', path, { token: admin, body });
      expect(refused.status, JSON.stringify(body)).toBe(400);
      expect(refused.body.code).toBe('VALIDATION_FAILED');
    }
  });
});
