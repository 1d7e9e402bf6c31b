import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVariant, startTestApp, type TestApp } from '../helpers/test-app';

/** Every bad input gets a clear JSON error with a stable code, and writes nothing. */
describe('bad input', () => {
  let t: TestApp;
  let variantId: string;
  let shopper: string;

  beforeAll(async () => {
    t = await startTestApp();
    variantId = await createVariant(t, 5);
    shopper = t.token('bad-input-shopper');
  });
  afterAll(async () => {
    await t.close();
  });

  async function expectNothingWritten(): Promise<void> {
    const inventory = await t.request('GET', `/v1/inventory/${variantId}`, { token: shopper });
    expect(inventory.body).toMatchObject({ reservedStock: 0, availableStock: 5, version: 1 });
    const mine = await t.request('GET', '/v1/reservations', { token: shopper });
    expect(mine.body.items).toEqual([]);
  }

  const badReservations: Array<[string, unknown]> = [
    ['a fractional quantity', { quantity: 1.5 }],
    ['a zero quantity', { quantity: 0 }],
    ['a negative quantity', { quantity: -1 }],
    ['a quantity over the maximum', { quantity: 11 }],
    ['a quantity sent as a string', { quantity: '2' }],
    ['a missing quantity', { quantity: undefined }],
    ['a malformed variant id', { variantId: 'not-an-id' }],
    ['an operator-shaped variant id', { variantId: { $gt: '' } }],
    ['an operator-shaped quantity', { quantity: { $gt: 0 } }],
    ['an unknown field', { extra: true }],
    ['a smuggled status', { status: 'committed' }],
  ];

  it.each(badReservations)('refuses %s with 400 VALIDATION_FAILED', async (_label, patch) => {
    const body = { variantId, quantity: 1, ...(patch as object) };
    const response = await t.request('POST', '/v1/reservations', { token: shopper, body });
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ statusCode: 400, code: 'VALIDATION_FAILED' });
    expect(typeof response.body.message).toBe('string');
    expect(response.body.requestId).toBe(response.headers.get('x-request-id'));
    await expectNothingWritten();
  });

  it('refuses malformed JSON with 400', async () => {
    const response = await t.request('POST', '/v1/reservations', {
      token: shopper,
      rawBody: '{"variantId": ',
    });
    expect(response.status).toBe(400);
    expect(response.body.code).toBe('VALIDATION_FAILED');
    expect(response.body.message).toMatch(/not valid JSON/);
    await expectNothingWritten();
  });

  it('refuses a JSON array body with 400', async () => {
    const response = await t.request('POST', '/v1/reservations', {
      token: shopper,
      rawBody: '[1,2]',
    });
    expect(response.status).toBe(400);
    expect(response.body.code).toBe('VALIDATION_FAILED');
  });

  it('refuses a body over 16 KiB with 413 PAYLOAD_TOO_LARGE', async () => {
    const body = { variantId, quantity: 1, padding: 'x'.repeat(17 * 1024) };
    const response = await t.request('POST', '/v1/reservations', { token: shopper, body });
    expect(response.status).toBe(413);
    expect(response.body).toMatchObject({ statusCode: 413, code: 'PAYLOAD_TOO_LARGE' });
    await expectNothingWritten();
  });

  it('refuses a prototype-polluting body', async () => {
    const response = await t.request('POST', '/v1/reservations', {
      token: shopper,
      rawBody: `{"variantId":"${variantId}","quantity":1,"__proto__":{"admin":true}}`,
    });
    expect(response.status).toBe(400);
    await expectNothingWritten();
  });

  it('answers 400 for a malformed id in the path and 404 for a well-formed unknown one', async () => {
    for (const path of [
      '/v1/reservations/xyz',
      '/v1/variants/123',
      '/v1/inventory/zzzzzzzzzzzzzzzzzzzzzzzz',
    ]) {
      const response = await t.request('GET', path, { token: shopper });
      expect(response.status, path).toBe(400);
      expect(response.body.code).toBe('VALIDATION_FAILED');
    }
    const unknown = 'aaaaaaaaaaaaaaaaaaaaaaaa';
    expect(
      (await t.request('GET', `/v1/reservations/${unknown}`, { token: shopper })).body.code,
    ).toBe('RESERVATION_NOT_FOUND');
    expect((await t.request('GET', `/v1/variants/${unknown}`, { token: shopper })).body.code).toBe(
      'VARIANT_NOT_FOUND',
    );
    expect((await t.request('GET', `/v1/inventory/${unknown}`, { token: shopper })).body.code).toBe(
      'VARIANT_NOT_FOUND',
    );
    const reserveUnknown = await t.request('POST', '/v1/reservations', {
      token: shopper,
      body: { variantId: unknown, quantity: 1 },
    });
    expect(reserveUnknown.status).toBe(404);
    expect(reserveUnknown.body.code).toBe('VARIANT_NOT_FOUND');
    await expectNothingWritten();
  });

  it('refuses bad list filters', async () => {
    for (const query of [
      '?status=bogus',
      '?limit=0',
      '?limit=abc',
      '?limit=101',
      '?status[$ne]=x',
      '?foo=1',
    ]) {
      const response = await t.request('GET', `/v1/reservations${query}`, { token: shopper });
      expect(response.status, query).toBe(400);
      expect(response.body.code).toBe('VALIDATION_FAILED');
    }
  });

  it('refuses a malformed Idempotency-Key', async () => {
    const response = await t.request('POST', '/v1/reservations', {
      token: shopper,
      body: { variantId, quantity: 1 },
      headers: { 'idempotency-key': 'x'.repeat(300) },
    });
    expect(response.status).toBe(400);
    await expectNothingWritten();
  });

  const admin = () => t.token('admin', { admin: true });
  const badVariants: Array<[string, Record<string, unknown>]> = [
    ['a missing sku', { sku: undefined }],
    ['an operator-shaped sku', { sku: { $ne: null } }],
    ['a fractional price', { price: 10.5 }],
    ['a negative stock', { stock: -1 }],
    ['a price as a string', { price: '100' }],
    ['a sale price above the price', { salePrice: 5000 }],
    [
      'a sale window that ends before it starts',
      { salePrice: 10, saleStartsAt: '2030-01-02T00:00:00Z', saleEndsAt: '2030-01-01T00:00:00Z' },
    ],
    ['a non-date sale start', { salePrice: 10, saleStartsAt: 'tomorrow' }],
    ['attributes with an operator key', { attributes: { $where: 'x' } }],
    ['attributes with a nested object', { attributes: { color: { a: 1 } } }],
    ['an unknown field', { reservedStock: 3 }],
  ];

  it.each(badVariants)('refuses a variant with %s', async (_label, patch) => {
    const body = { sku: 'BAD-INPUT-SKU', title: 'x', price: 1000, stock: 1, ...patch };
    const response = await t.request('POST', '/v1/admin/variants', { token: admin(), body });
    expect(response.status).toBe(400);
    expect(response.body.code).toBe('VALIDATION_FAILED');
  });

  it('refuses bad stock adjustments', async () => {
    for (const body of [
      { delta: 0 },
      { delta: 1.5 },
      { delta: '3' },
      {},
      { delta: 1, expectedVersion: -1 },
      { delta: 1, x: 1 },
    ]) {
      const response = await t.request('PATCH', `/v1/admin/variants/${variantId}/stock`, {
        token: admin(),
        body,
      });
      expect(response.status, JSON.stringify(body)).toBe(400);
    }
    await expectNothingWritten();
  });

  it('answers an unknown route with 404 in the error shape', async () => {
    const response = await t.request('GET', '/v1/nope', { token: shopper });
    expect(response.status).toBe(404);
    expect(response.body).toMatchObject({ statusCode: 404, code: 'NOT_FOUND' });
  });
});
