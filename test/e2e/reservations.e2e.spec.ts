import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ManualClock } from '../../src/common/clock';
import { createVariant, startTestApp, type TestApp } from '../helpers/test-app';

describe('reservation rules over HTTP', () => {
  let t: TestApp;
  let users = 0;
  const newShopper = () => t.token(`shopper-${++users}`);

  beforeAll(async () => {
    t = await startTestApp({ manualClock: true, env: { RESERVATION_TTL_SECONDS: '60' } });
  });
  afterAll(async () => {
    await t.close();
  });

  const reserve = (
    token: string,
    variantId: string,
    quantity = 1,
    headers: Record<string, string> = {},
  ) => t.request('POST', '/v1/reservations', { token, body: { variantId, quantity }, headers });

  it('answers OUT_OF_STOCK when the request is larger than what is left, and writes nothing', async () => {
    const variantId = await createVariant(t, 2);
    const shopper = newShopper();
    const response = await reserve(shopper, variantId, 3);
    expect(response.status).toBe(409);
    expect(response.body).toMatchObject({ statusCode: 409, code: 'OUT_OF_STOCK' });
    expect(
      (await t.request('GET', `/v1/inventory/${variantId}`, { token: shopper })).body,
    ).toMatchObject({
      availableStock: 2,
      reservedStock: 0,
      version: 1,
    });
  });

  it('keeps answering OUT_OF_STOCK for a sold-out variant, and serves again after a release', async () => {
    const variantId = await createVariant(t, 1);
    const first = newShopper();
    const hold = await reserve(first, variantId);
    expect(hold.status).toBe(201);
    for (let i = 0; i < 3; i += 1) {
      expect((await reserve(newShopper(), variantId)).body.code).toBe('OUT_OF_STOCK');
    }
    expect(
      (await t.request('DELETE', `/v1/reservations/${hold.body.id}`, { token: first })).status,
    ).toBe(200);
    expect((await reserve(newShopper(), variantId)).status).toBe(201);
  });

  it('allows one active hold per variant per shopper (DUPLICATE_RESERVATION)', async () => {
    const variantId = await createVariant(t, 10);
    const shopper = newShopper();
    expect((await reserve(shopper, variantId)).status).toBe(201);
    const again = await reserve(shopper, variantId);
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('DUPLICATE_RESERVATION');
  });

  it('caps a shopper at MAX_ACTIVE_RESERVATIONS holds, and a release frees a slot', async () => {
    const shopper = newShopper();
    const holds: string[] = [];
    for (let i = 0; i < t.config.maxActiveReservations; i += 1) {
      const response = await reserve(shopper, await createVariant(t, 3));
      expect(response.status).toBe(201);
      holds.push(response.body.id);
    }
    const sixth = await reserve(shopper, await createVariant(t, 3));
    expect(sixth.status).toBe(409);
    expect(sixth.body.code).toBe('MAX_RESERVATIONS_EXCEEDED');
    await t.request('DELETE', `/v1/reservations/${holds[0]}`, { token: shopper });
    expect((await reserve(shopper, await createVariant(t, 3))).status).toBe(201);
  });

  it('replays an Idempotency-Key with the same hold, and refuses the key for another request with 422', async () => {
    const variantId = await createVariant(t, 5);
    const shopper = newShopper();
    const first = await reserve(shopper, variantId, 2, { 'idempotency-key': 'checkout-123' });
    expect(first.status).toBe(201);
    const replay = await reserve(shopper, variantId, 2, { 'idempotency-key': 'checkout-123' });
    expect(replay.status).toBe(201);
    expect(replay.body).toEqual(first.body);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    const inventory = await t.request('GET', `/v1/inventory/${variantId}`, { token: shopper });
    expect(inventory.body.reservedStock).toBe(2);

    const reused = await reserve(shopper, variantId, 3, { 'idempotency-key': 'checkout-123' });
    expect(reused.status).toBe(422);
    expect(reused.body.code).toBe('IDEMPOTENCY_KEY_REUSED');

    // Keys belong to a shopper: another shopper's identical key is a separate request.
    const other = await reserve(newShopper(), variantId, 2, { 'idempotency-key': 'checkout-123' });
    expect(other.status).toBe(201);
    expect(other.body.id).not.toBe(first.body.id);
  });

  it('replays a successful keyed hold even after the variant sold out', async () => {
    const variantId = await createVariant(t, 1);
    const shopper = newShopper();
    const first = await reserve(shopper, variantId, 1, { 'idempotency-key': 'last-unit' });
    expect(first.status).toBe(201);
    expect((await reserve(newShopper(), variantId)).body.code).toBe('OUT_OF_STOCK');
    const replay = await reserve(shopper, variantId, 1, { 'idempotency-key': 'last-unit' });
    expect(replay.status).toBe(201);
    expect(replay.body.id).toBe(first.body.id);
  });

  it('gives concurrent requests with one Idempotency-Key a single hold', async () => {
    const variantId = await createVariant(t, 50);
    const shopper = newShopper();
    const responses = await Promise.all(
      Array.from({ length: 20 }, () =>
        reserve(shopper, variantId, 1, { 'idempotency-key': 'double-click' }),
      ),
    );
    expect(responses.every((r) => r.status === 201)).toBe(true);
    expect(new Set(responses.map((r) => r.body.id)).size).toBe(1);
    expect(
      (await t.request('GET', `/v1/inventory/${variantId}`, { token: shopper })).body.reservedStock,
    ).toBe(1);
  });

  it('releases once; a second release answers the same; a released hold cannot be committed', async () => {
    const variantId = await createVariant(t, 4);
    const shopper = newShopper();
    const hold = await reserve(shopper, variantId, 2);
    const released = await t.request('DELETE', `/v1/reservations/${hold.body.id}`, {
      token: shopper,
    });
    expect(released.status).toBe(200);
    expect(released.body.status).toBe('released');
    const again = await t.request('DELETE', `/v1/reservations/${hold.body.id}`, { token: shopper });
    expect(again.status).toBe(200);
    expect(again.body).toEqual(released.body);
    expect(
      (await t.request('GET', `/v1/inventory/${variantId}`, { token: shopper })).body,
    ).toMatchObject({
      availableStock: 4,
      reservedStock: 0,
    });
    const commit = await t.request('POST', `/v1/reservations/${hold.body.id}/commit`, {
      token: shopper,
    });
    expect(commit.status).toBe(409);
    expect(commit.body.code).toBe('RESERVATION_NOT_ACTIVE');
  });

  it('refuses to release a committed hold (409), and commits idempotently', async () => {
    const variantId = await createVariant(t, 4);
    const shopper = newShopper();
    const hold = await reserve(shopper, variantId, 1);
    const commit = await t.request('POST', `/v1/reservations/${hold.body.id}/commit`, {
      token: shopper,
    });
    expect(commit.body.status).toBe('committed');
    const commitAgain = await t.request('POST', `/v1/reservations/${hold.body.id}/commit`, {
      token: shopper,
    });
    expect(commitAgain.status).toBe(200);
    expect(commitAgain.body).toEqual(commit.body);
    const release = await t.request('DELETE', `/v1/reservations/${hold.body.id}`, {
      token: shopper,
    });
    expect(release.status).toBe(409);
    expect(release.body.code).toBe('RESERVATION_NOT_ACTIVE');
    expect(
      (await t.request('GET', `/v1/inventory/${variantId}`, { token: shopper })).body,
    ).toMatchObject({
      totalStock: 3,
      availableStock: 3,
      reservedStock: 0,
    });
  });

  it("hides another shopper's reservation behind 404", async () => {
    const variantId = await createVariant(t, 4);
    const owner = newShopper();
    const hold = await reserve(owner, variantId);
    const stranger = newShopper();
    for (const [method, path] of [
      ['GET', `/v1/reservations/${hold.body.id}`],
      ['POST', `/v1/reservations/${hold.body.id}/commit`],
      ['DELETE', `/v1/reservations/${hold.body.id}`],
    ] as const) {
      const response = await t.request(method, path, { token: stranger });
      expect(response.status, `${method} ${path}`).toBe(404);
      expect(response.body.code).toBe('RESERVATION_NOT_FOUND');
    }
    expect(
      (await t.request('GET', `/v1/reservations/${hold.body.id}`, { token: owner })).body.status,
    ).toBe('active');
  });

  it('refuses to commit a hold past its expiry with RESERVATION_EXPIRED', async () => {
    const variantId = await createVariant(t, 4);
    const shopper = newShopper();
    const hold = await reserve(shopper, variantId);
    (t.clock as ManualClock).advance(61_000);
    const commit = await t.request('POST', `/v1/reservations/${hold.body.id}/commit`, {
      token: shopper,
    });
    expect(commit.status).toBe(409);
    expect(commit.body.code).toBe('RESERVATION_EXPIRED');
  });

  it('lists only the shopper’s own reservations, filtered by status, newest first', async () => {
    const shopper = newShopper();
    const a = await reserve(shopper, await createVariant(t, 2));
    (t.clock as ManualClock).advance(1000);
    const b = await reserve(shopper, await createVariant(t, 2));
    await t.request('DELETE', `/v1/reservations/${a.body.id}`, { token: shopper });
    await reserve(newShopper(), await createVariant(t, 2));

    const all = await t.request('GET', '/v1/reservations', { token: shopper });
    expect(all.body.items.map((r: { id: string }) => r.id)).toEqual([b.body.id, a.body.id]);
    const released = await t.request('GET', '/v1/reservations?status=released', { token: shopper });
    expect(released.body.items.map((r: { id: string }) => r.id)).toEqual([a.body.id]);
    const limited = await t.request('GET', '/v1/reservations?limit=1', { token: shopper });
    expect(limited.body.items).toHaveLength(1);
  });
});

describe('expiry sweeper over HTTP', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({
      manualClock: true,
      env: { WORKERS: 'inline', EXPIRY_SWEEP_MS: '50', RESERVATION_TTL_SECONDS: '30' },
    });
  });
  afterAll(async () => {
    await t.close();
  });

  it('expires due holds, returns their stock, and frees the shopper’s slot', async () => {
    const variantId = await createVariant(t, 1);
    const shopper = t.token('sleepy');
    const hold = await t.request('POST', '/v1/reservations', {
      token: shopper,
      body: { variantId, quantity: 1 },
    });
    expect(hold.status).toBe(201);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(
      (await t.request('GET', `/v1/reservations/${hold.body.id}`, { token: shopper })).body.status,
    ).toBe('active');

    (t.clock as ManualClock).advance(31_000);
    await expect
      .poll(
        async () =>
          (await t.request('GET', `/v1/reservations/${hold.body.id}`, { token: shopper })).body
            .status,
        {
          timeout: 3000,
          interval: 50,
        },
      )
      .toBe('expired');
    expect(
      (await t.request('GET', `/v1/inventory/${variantId}`, { token: shopper })).body,
    ).toMatchObject({
      availableStock: 1,
      reservedStock: 0,
    });
    // Releasing an expired hold answers its state instead of failing.
    const release = await t.request('DELETE', `/v1/reservations/${hold.body.id}`, {
      token: shopper,
    });
    expect(release.status).toBe(200);
    expect(release.body.status).toBe('expired');
    const again = await t.request('POST', '/v1/reservations', {
      token: shopper,
      body: { variantId, quantity: 1 },
    });
    expect(again.status).toBe(201);
  });
});
