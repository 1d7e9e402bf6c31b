import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createVariant,
  startTestApp,
  TEST_JWT_SECRET,
  type TestApp,
  type TestResponse,
} from '../helpers/test-app';

/** Bodies and tokens a pentest sent (issue 13, items 1, 5, 6, 8): each is a clean 4xx. */
describe('hostile input', () => {
  let t: TestApp;
  let variantId: string;
  let shopper: string;
  let admin: string;

  beforeAll(async () => {
    t = await startTestApp();
    variantId = await createVariant(t, 5);
    shopper = t.token('hostile-shopper');
    admin = t.token('hostile-admin', { admin: true });
  });
  afterAll(async () => {
    await t.close();
  });

  const expectValidationFailed = (response: TestResponse, label?: string) => {
    expect(response.status, label).toBe(400);
    expect(response.body, label).toMatchObject({ statusCode: 400, code: 'VALIDATION_FAILED' });
    expect(response.body.requestId, label).toBe(response.headers.get('x-request-id'));
  };
  const variantBody = (patch: Record<string, unknown>) => ({
    sku: `HOSTILE-${Math.random().toString(36).slice(2, 10)}`,
    title: 'Hostile test',
    price: 1000,
    stock: 1,
    ...patch,
  });

  it('refuses JSON nested 8,000 deep under the size limit with 400, cheaply', async () => {
    const deep = '['.repeat(8000) + ']'.repeat(8000);
    for (const [path, rawBody] of [
      ['/v1/reservations', `{"variantId":"${variantId}","quantity":1,"x":${deep}}`],
      ['/v1/admin/variants', `{"sku":"DEEP","title":"t","price":1,"stock":1,"attributes":${deep}}`],
      [
        '/v1/reservations',
        `{"variantId":"${variantId}","quantity":${'{"a":'.repeat(2500)}1${'}'.repeat(2500)}}`,
      ],
    ]) {
      const startedAt = performance.now();
      const response = await t.request('POST', path, { token: admin, rawBody });
      expect(performance.now() - startedAt).toBeLessThan(100);
      expectValidationFailed(response, path);
      expect(response.body.message).toMatch(/nests deeper than 32 levels/);
    }
    // Nesting within the limit is still read and judged on its content.
    const shallow = await t.request('POST', '/v1/reservations', {
      token: shopper,
      body: { variantId, quantity: 1, x: [[[[1]]]] },
    });
    expectValidationFailed(shallow);
    expect(shallow.body.message).toBe('property x should not exist');
  });

  it.each([
    ['salePrice', { salePrice: null }],
    ['saleStartsAt', { salePrice: 1, saleStartsAt: null }],
    ['saleEndsAt', { salePrice: 1, saleEndsAt: null }],
    ['productId', { productId: null }],
    ['attributes', { attributes: null }],
  ])('refuses null %s on a new variant', async (field, patch) => {
    const response = await t.request('POST', '/v1/admin/variants', {
      token: admin,
      body: variantBody(patch),
    });
    expectValidationFailed(response);
    // One message that names the problem, not every rule a null happens to break.
    expect(response.body.details).toEqual([`${field} must not be null (leave it out instead)`]);
  });

  it('refuses a null expectedVersion instead of comparing it as a version', async () => {
    const response = await t.request('PATCH', `/v1/admin/variants/${variantId}/stock`, {
      token: admin,
      body: { delta: 1, expectedVersion: null },
    });
    expectValidationFailed(response);
    const inventory = await t.request('GET', `/v1/inventory/${variantId}`, { token: shopper });
    expect(inventory.body.totalStock).toBe(5);
  });

  const builtInNames = ['prototype', 'constructor', 'toString', 'valueOf', 'hasOwnProperty'];

  it.each(builtInNames)('refuses an unknown key named %s on every body', async (name) => {
    const reserve = await t.request('POST', '/v1/reservations', {
      token: shopper,
      rawBody: `{"variantId":"${variantId}","quantity":1,"${name}":1}`,
    });
    expectValidationFailed(reserve);
    expect(reserve.body.message).toBe(`property ${name} should not exist`);
    const adjust = await t.request('PATCH', `/v1/admin/variants/${variantId}/stock`, {
      token: admin,
      rawBody: `{"delta":1,"${name}":"x"}`,
    });
    expectValidationFailed(adjust);
    const create = await t.request('POST', '/v1/admin/variants', {
      token: admin,
      rawBody: JSON.stringify(variantBody({})).replace('{', `{"${name}":"x",`),
    });
    expectValidationFailed(create);
    const list = await t.request('GET', `/v1/reservations?${name}=1`, { token: shopper });
    expectValidationFailed(list);
  });

  it.each(builtInNames)('refuses an attribute named %s rather than dropping it', async (name) => {
    const response = await t.request('POST', '/v1/admin/variants', {
      token: admin,
      rawBody: JSON.stringify(variantBody({})).replace(
        '{',
        `{"attributes":{"color":"red","${name}":"x"},`,
      ),
    });
    expectValidationFailed(response);
    expect(response.body.message).toBe(`attributes.${name} is a reserved name`);
  });

  it('keeps ordinary attributes as sent', async () => {
    const response = await t.request('POST', '/v1/admin/variants', {
      token: admin,
      body: variantBody({ attributes: { color: 'red', size: 'M' } }),
    });
    expect(response.status).toBe(201);
    expect(response.body.attributes).toEqual({ color: 'red', size: 'M' });
  });

  it.each([
    ['a NUL', 'Phone\u0000case'],
    ['a newline', 'Phone\ncase'],
    ['an escape sequence', '\u001b[31mred'],
    ['a C1 control', 'Phone\u0085case'],
    ['a lone high surrogate', 'Phone \ud800'],
    ['a lone low surrogate', '\udc00 case'],
  ])('refuses a title with %s', async (_label, title) => {
    const response = await t.request('POST', '/v1/admin/variants', {
      token: admin,
      body: variantBody({ title }),
    });
    expectValidationFailed(response);
  });

  it('accepts a title with accents and emoji (paired surrogates)', async () => {
    const response = await t.request('POST', '/v1/admin/variants', {
      token: admin,
      body: variantBody({ title: 'Crème brûlée 🍮 set' }),
    });
    expect(response.status).toBe(201);
  });

  it('refuses an attribute value with control characters', async () => {
    const response = await t.request('POST', '/v1/admin/variants', {
      token: admin,
      body: variantBody({ attributes: { color: 'red\r\nX-Injected: 1' } }),
    });
    expectValidationFailed(response);
  });

  it('refuses a stock increase past the creation cap of 1e9', async () => {
    const capped = await createVariant(t, 999_999_990);
    const over = await t.request('PATCH', `/v1/admin/variants/${capped}/stock`, {
      token: admin,
      body: { delta: 11 },
    });
    expectValidationFailed(over);
    expect(over.body.message).toMatch(/above the cap of 1000000000/);
    const upTo = await t.request('PATCH', `/v1/admin/variants/${capped}/stock`, {
      token: admin,
      body: { delta: 10 },
    });
    expect(upTo.status).toBe(200);
    expect(upTo.body.totalStock).toBe(1_000_000_000);
    const beyond = await t.request('PATCH', `/v1/admin/variants/${capped}/stock`, {
      token: admin,
      body: { delta: 1_000_000_000 },
    });
    expectValidationFailed(beyond);
  });

  it('treats SKUs that differ only in case as the same SKU', async () => {
    const sku = `Case-Sku-${Date.now()}`;
    const first = await t.request('POST', '/v1/admin/variants', {
      token: admin,
      body: variantBody({ sku }),
    });
    expect(first.status).toBe(201);
    for (const variant of [sku.toLowerCase(), sku.toUpperCase()]) {
      const second = await t.request('POST', '/v1/admin/variants', {
        token: admin,
        body: variantBody({ sku: variant }),
      });
      expect(second.status, variant).toBe(409);
      expect(second.body.code).toBe('SKU_EXISTS');
    }
  });

  describe('tokens', () => {
    const nowSeconds = () => Math.floor(Date.now() / 1000);
    // Signed by hand: fast-jwt's signer rewrites iat, and these claims are what it would not write.
    const sign = (payload: Record<string, unknown>) => {
      const encode = (part: object) => Buffer.from(JSON.stringify(part)).toString('base64url');
      const unsigned = `${encode({ alg: 'HS256', typ: 'JWT' })}.${encode(payload)}`;
      const signature = createHmac('sha256', TEST_JWT_SECRET).update(unsigned).digest('base64url');
      return `${unsigned}.${signature}`;
    };
    const answer = (token: string) => t.request('GET', '/v1/reservations', { token });

    it.each([
      [
        'issued an hour in the future',
        () => ({ sub: 'u', iat: nowSeconds() + 3600, exp: nowSeconds() + 7200 }),
      ],
      ['expiring at 1e308', () => ({ sub: 'u', iat: nowSeconds(), exp: 1e308 })],
      [
        'expiring in 30 days',
        () => ({ sub: 'u', iat: nowSeconds(), exp: nowSeconds() + 30 * 86_400 }),
      ],
      ['with a blank sub', () => ({ sub: '   ', iat: nowSeconds(), exp: nowSeconds() + 600 })],
      ['with a non-numeric iat', () => ({ sub: 'u', iat: 'yesterday', exp: nowSeconds() + 600 })],
    ])('refuses a token %s with 401', async (_label, payload) => {
      const response = await answer(sign(payload()));
      expect(response.status).toBe(401);
      expect(response.body.code).toBe('UNAUTHORIZED');
    });

    it('accepts iat within the clock skew and exp within the maximum lifetime', async () => {
      const response = await answer(
        sign({ sub: 'skewed', iat: nowSeconds() + 20, exp: nowSeconds() + 86_000 }),
      );
      expect(response.status).toBe(200);
    });
  });
});
