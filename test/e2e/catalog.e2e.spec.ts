import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVariant, startTestApp, type TestApp } from '../helpers/test-app';

describe('catalog and stock administration over HTTP', () => {
  let t: TestApp;
  let admin: string;
  beforeAll(async () => {
    t = await startTestApp();
    admin = t.token('ops', { admin: true });
  });
  afterAll(async () => {
    await t.close();
  });

  it('creates a variant with its stock and shows it to shoppers', async () => {
    const created = await t.request('POST', '/v1/admin/variants', {
      token: admin,
      body: {
        sku: 'TSHIRT-RED-M',
        title: 'Red T-shirt M',
        price: 2500,
        stock: 40,
        productId: 'tshirt',
        attributes: { color: 'red', size: 'M' },
      },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      sku: 'TSHIRT-RED-M',
      productId: 'tshirt',
      price: 2500,
      effectivePrice: 2500,
      attributes: { color: 'red', size: 'M' },
      stock: { total: 40, reserved: 0, available: 40, version: 1 },
    });
    const shown = await t.request('GET', `/v1/variants/${created.body.id}`, {
      token: t.token('anyone'),
    });
    expect(shown.body).toEqual(created.body);
  });

  it('refuses a taken SKU with 409 SKU_EXISTS', async () => {
    const body = { sku: 'UNIQUE-1', title: 'x', price: 1, stock: 1 };
    expect((await t.request('POST', '/v1/admin/variants', { token: admin, body })).status).toBe(
      201,
    );
    const again = await t.request('POST', '/v1/admin/variants', { token: admin, body });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('SKU_EXISTS');
  });

  it('applies the sale price only inside the sale window', async () => {
    const now = Date.now();
    const open = await t.request('POST', '/v1/admin/variants', {
      token: admin,
      body: {
        sku: 'SALE-OPEN',
        title: 'On sale',
        price: 1000,
        salePrice: 700,
        saleStartsAt: new Date(now - 60_000).toISOString(),
        saleEndsAt: new Date(now + 3_600_000).toISOString(),
        stock: 1,
      },
    });
    expect(open.body.effectivePrice).toBe(700);
    const later = await t.request('POST', '/v1/admin/variants', {
      token: admin,
      body: {
        sku: 'SALE-LATER',
        title: 'Soon',
        price: 1000,
        salePrice: 700,
        saleStartsAt: new Date(now + 3_600_000).toISOString(),
        stock: 1,
      },
    });
    expect(later.body.effectivePrice).toBe(1000);
  });

  it('restocks and removes stock, keeping available = total − reserved', async () => {
    const variantId = await createVariant(t, 5);
    const shopper = t.token('restock-shopper');
    await t.request('POST', '/v1/reservations', {
      token: shopper,
      body: { variantId, quantity: 2 },
    });

    const restocked = await t.request('PATCH', `/v1/admin/variants/${variantId}/stock`, {
      token: admin,
      body: { delta: 10 },
    });
    expect(restocked.status).toBe(200);
    expect(restocked.body).toEqual({
      variantId,
      totalStock: 15,
      reservedStock: 2,
      availableStock: 13,
      version: 3,
    });

    const removed = await t.request('PATCH', `/v1/admin/variants/${variantId}/stock`, {
      token: admin,
      body: { delta: -13 },
    });
    expect(removed.body).toMatchObject({ totalStock: 2, reservedStock: 2, availableStock: 0 });

    const tooMuch = await t.request('PATCH', `/v1/admin/variants/${variantId}/stock`, {
      token: admin,
      body: { delta: -1 },
    });
    expect(tooMuch.status).toBe(409);
    expect(tooMuch.body.code).toBe('INSUFFICIENT_STOCK');
  });

  it('compare-and-swaps on expectedVersion', async () => {
    const variantId = await createVariant(t, 5);
    const ok = await t.request('PATCH', `/v1/admin/variants/${variantId}/stock`, {
      token: admin,
      body: { delta: 1, expectedVersion: 1 },
    });
    expect(ok.status).toBe(200);
    expect(ok.body.version).toBe(2);
    const stale = await t.request('PATCH', `/v1/admin/variants/${variantId}/stock`, {
      token: admin,
      body: { delta: 1, expectedVersion: 1 },
    });
    expect(stale.status).toBe(409);
    expect(stale.body.code).toBe('VERSION_CONFLICT');
    expect(
      (await t.request('GET', `/v1/inventory/${variantId}`, { token: admin })).body.totalStock,
    ).toBe(6);
  });

  it('answers 404 VARIANT_NOT_FOUND when adjusting an unknown variant', async () => {
    const response = await t.request('PATCH', '/v1/admin/variants/bbbbbbbbbbbbbbbbbbbbbbbb/stock', {
      token: admin,
      body: { delta: 1 },
    });
    expect(response.status).toBe(404);
    expect(response.body.code).toBe('VARIANT_NOT_FOUND');
  });

  it('serves stock restored by a restock right away, even after a sell-out', async () => {
    const variantId = await createVariant(t, 1);
    expect(
      (
        await t.request('POST', '/v1/reservations', {
          token: t.token('r1'),
          body: { variantId, quantity: 1 },
        })
      ).status,
    ).toBe(201);
    expect(
      (
        await t.request('POST', '/v1/reservations', {
          token: t.token('r2'),
          body: { variantId, quantity: 1 },
        })
      ).status,
    ).toBe(409);
    await t.request('PATCH', `/v1/admin/variants/${variantId}/stock`, {
      token: admin,
      body: { delta: 1 },
    });
    expect(
      (
        await t.request('POST', '/v1/reservations', {
          token: t.token('r2'),
          body: { variantId, quantity: 1 },
        })
      ).status,
    ).toBe(201);
  });
});
