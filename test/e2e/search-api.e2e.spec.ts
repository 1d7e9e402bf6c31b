import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, uniqueWord } from '../helpers/eventually';
import { TestRedisServer } from '../helpers/redis-server';
import { createVariant, startTestApp, type TestApp } from '../helpers/test-app';

/** GET /v1/search over HTTP (docs/architecture.md §7), on variants the inline workers index. */
describe('GET /v1/search', () => {
  let redis: TestRedisServer;
  let t: TestApp;
  let token: string;
  const word = uniqueWord('tee');
  const ids: string[] = [];

  const search = (query: string) => t.request('GET', `/v1/search${query}`, { token });

  beforeAll(async () => {
    redis = await TestRedisServer.start();
    t = await startTestApp({
      env: { REDIS_URL: redis.url, WORKERS: 'inline', SEARCH_SWEEP_MS: '200' },
    });
    token = t.token('searcher');
    for (let i = 0; i < 5; i++) {
      ids.push(await createVariant(t, i === 2 ? 0 : 3, { title: `Cotton ${word} number ${i}` }));
    }
    await createVariant(t, 3, { title: `Linen ${uniqueWord()}` });
    await eventually(async () => {
      expect((await search(`?q=${word}&limit=100`)).body.items).toHaveLength(5);
    }, 3000);
  });
  afterAll(async () => {
    await t.close();
    await redis.stop();
  });

  it('pages through the matches in variant id order, 20 by default, nextCursor null on the last page', async () => {
    const sorted = [...ids].sort();
    const first = await search(`?q=${word}&limit=2`);
    expect(first.status).toBe(200);
    expect(first.body.items.map((item: { variantId: string }) => item.variantId)).toEqual(
      sorted.slice(0, 2),
    );
    expect(first.body.nextCursor).toBe(sorted[1]);
    const second = await search(`?q=${word}&limit=2&cursor=${first.body.nextCursor}`);
    expect(second.body.items.map((item: { variantId: string }) => item.variantId)).toEqual(
      sorted.slice(2, 4),
    );
    const last = await search(`?q=${word}&limit=2&cursor=${second.body.nextCursor}`);
    expect(last.body.items.map((item: { variantId: string }) => item.variantId)).toEqual(
      sorted.slice(4),
    );
    expect(last.body.nextCursor).toBeNull();

    const everything = await search(`?q=${word}`);
    expect(everything.body.items).toHaveLength(5);
    expect(everything.body.nextCursor).toBeNull();
    // An upper-case cursor is the same id.
    const upper = await search(`?q=${word}&limit=2&cursor=${sorted[1].toUpperCase()}`);
    expect(upper.body.items[0].variantId).toBe(sorted[2]);
  });

  it('matches every word, in any case, and filters by stock', async () => {
    const both = await search(`?q=${encodeURIComponent(`NUMBER ${word.toUpperCase()}`)}`);
    expect(both.body.items).toHaveLength(5);
    const narrowed = await search(`?q=${encodeURIComponent(`${word} linen`)}`);
    expect(narrowed.body.items).toEqual([]);
    const soldOut = await search(`?q=${word}&inStock=false`);
    expect(soldOut.body.items.map((item: { variantId: string }) => item.variantId)).toEqual([
      ids[2],
    ]);
    expect(soldOut.body.items[0]).toEqual({
      variantId: ids[2],
      sku: expect.any(String),
      productId: expect.any(String),
      title: `Cotton ${word} number 2`,
      attributes: {},
      price: 1999,
      effectivePrice: 1999,
      inStock: false,
      availableStock: 0,
      syncedVersion: 1,
      syncedAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/),
    });
    expect((await search(`?q=${word}&inStock=true`)).body.items).toHaveLength(4);
    // Blank q is no text condition at all.
    const all = await search('?q=%20&limit=100');
    expect(all.body.items.length).toBeGreaterThanOrEqual(6);
  });

  it.each([
    ['limit=0', /limit must not be less than 1/],
    ['limit=101', /limit must not be greater than 100/],
    ['limit=abc', /limit must be an integer/],
    ['limit=1.5', /limit must be an integer/],
    ['cursor=xyz', /cursor must be the nextCursor of a previous page/],
    ['cursor=0123456789abcdef0123456g', /cursor must be the nextCursor/],
    ['inStock=yes', /inStock must be true or false/],
    ['inStock=1', /inStock must be true or false/],
    ['sort=price', /property sort should not exist/],
    ['q=a&q=b', /q must be a string/],
    [`q=${'x'.repeat(201)}`, /q must be shorter than or equal to 200 characters/],
  ])('answers 400 VALIDATION_FAILED for ?%s', async (query, message) => {
    const response = await search(`?${query}`);
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ statusCode: 400, code: 'VALIDATION_FAILED' });
    expect(response.body.details).toContainEqual(expect.stringMatching(message));
  });

  it('needs a signed-in user', async () => {
    const response = await t.request('GET', `/v1/search?q=${word}`);
    expect(response.status).toBe(401);
    expect(response.body.code).toBe('UNAUTHORIZED');
  });

  it('is in the OpenAPI document', async () => {
    const docs = await t.request('GET', '/docs-json');
    expect(Object.keys(docs.body.paths)).toContain('/v1/search');
  });
});
