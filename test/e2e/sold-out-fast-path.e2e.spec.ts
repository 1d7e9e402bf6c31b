import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { ReservationsService } from '../../src/reservations/reservations.service';
import { createVariant, startTestApp, type TestApp } from '../helpers/test-app';

/**
 * The sold-out fast path answers a stampede on a sold-out variant before Nest. It must answer
 * exactly what the full path would, and hand everything else on to the full path.
 */
describe('sold-out fast path', () => {
  let t: TestApp;
  let reserveCalls: ReturnType<typeof vi.spyOn>;
  let shopper = 0;
  const newShopper = () => t.token(`fast-path-${(shopper += 1)}`);

  beforeAll(async () => {
    t = await startTestApp({ env: { RESERVE_RATE_LIMIT: '3' } });
  });
  afterEach(() => reserveCalls?.mockRestore());
  afterAll(async () => {
    await t.close();
  });

  /** A variant whose last unit is held, and whose sell-out the gate has seen. */
  async function soldOutVariant(): Promise<string> {
    const variantId = await createVariant(t, 1);
    expect((await reserve(newShopper(), { variantId, quantity: 1 })).status).toBe(201);
    // The store refuses this one and the gate remembers the variant has nothing left.
    expect((await reserve(newShopper(), { variantId, quantity: 1 })).body.code).toBe(
      'OUT_OF_STOCK',
    );
    reserveCalls = vi.spyOn(t.app.get(ReservationsService), 'reserve');
    return variantId;
  }

  const reserve = (token: string, body: unknown, headers: Record<string, string> = {}) =>
    t.request('POST', '/v1/reservations', { token, body, headers });

  it('answers 409 OUT_OF_STOCK in the one error shape without reaching the service', async () => {
    const variantId = await soldOutVariant();
    const outOfStockCount = async () => {
      const metrics = (await t.request('GET', '/metrics')).body as string;
      const match = /stockhold_reservation_outcomes_total\{result="OUT_OF_STOCK"\} (\d+)/.exec(
        metrics,
      );
      return Number(match?.[1] ?? 0);
    };
    const before = await outOfStockCount();
    const response = await reserve(
      newShopper(),
      { variantId: variantId.toUpperCase(), quantity: 1 },
      { 'x-request-id': 'fast-409' },
    );
    expect(response.status).toBe(409);
    expect(response.body).toEqual({
      statusCode: 409,
      code: 'OUT_OF_STOCK',
      message: `Not enough stock left for variant ${variantId}`,
      requestId: 'fast-409',
    });
    expect(response.headers.get('x-request-id')).toBe('fast-409');
    expect(response.headers.get('ratelimit-limit')).toBe('3');
    expect(reserveCalls).not.toHaveBeenCalled();

    // Counted like any other attempt.
    expect(await outOfStockCount()).toBe(before + 1);
  });

  it('hands anything the full path would answer differently on to it', async () => {
    const variantId = await soldOutVariant();
    const token = newShopper();
    const unknownField = await reserve(token, { variantId, quantity: 1, note: 'x' });
    expect(unknownField.body).toMatchObject({ statusCode: 400, code: 'VALIDATION_FAILED' });
    const tooMany = await reserve(newShopper(), { variantId, quantity: 11 });
    expect(tooMany.body).toMatchObject({ statusCode: 400, code: 'VALIDATION_FAILED' });
    const textQuantity = await reserve(newShopper(), { variantId, quantity: '1' });
    expect(textQuantity.body).toMatchObject({ statusCode: 400, code: 'VALIDATION_FAILED' });
    // The full path ran for each (the DTO refused the first and third before the service).
    expect(reserveCalls).toHaveBeenCalledTimes(1);

    // With an Idempotency-Key the request reaches the service, which consults the gate itself.
    const keyed = await reserve(
      newShopper(),
      { variantId, quantity: 1 },
      { 'idempotency-key': 'k1' },
    );
    expect(keyed.body.code).toBe('OUT_OF_STOCK');
    expect(reserveCalls).toHaveBeenCalledTimes(2);
  });

  it('replays a hold made before the sell-out, by its Idempotency-Key', async () => {
    const variantId = await createVariant(t, 1);
    const token = newShopper();
    const first = await reserve(
      token,
      { variantId, quantity: 1 },
      { 'idempotency-key': 'last-unit' },
    );
    expect(first.status).toBe(201);
    expect((await reserve(newShopper(), { variantId, quantity: 1 })).body.code).toBe(
      'OUT_OF_STOCK',
    );
    const again = await reserve(
      token,
      { variantId, quantity: 1 },
      { 'idempotency-key': 'last-unit' },
    );
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body.id).toBe(first.body.id);
  });

  it('admits first: a bad token is 401, and each attempt counts once against the shopper limit', async () => {
    const variantId = await soldOutVariant();
    const noToken = await t.request('POST', '/v1/reservations', {
      body: { variantId, quantity: 1 },
    });
    expect(noToken.body).toMatchObject({ statusCode: 401, code: 'UNAUTHORIZED' });

    const token = newShopper();
    const statuses: number[] = [];
    const remaining: Array<string | null> = [];
    for (let i = 0; i < 4; i++) {
      const response = await reserve(token, { variantId, quantity: 1 });
      statuses.push(response.status);
      remaining.push(response.headers.get('ratelimit-remaining'));
    }
    expect(statuses).toEqual([409, 409, 409, 429]);
    expect(remaining).toEqual(['2', '1', '0', '0']);
  });

  it('lets stock freed in this process through at once', async () => {
    const variantId = await createVariant(t, 1);
    const holder = newShopper();
    const hold = await reserve(holder, { variantId, quantity: 1 });
    expect((await reserve(newShopper(), { variantId, quantity: 1 })).status).toBe(409);
    expect(
      (await t.request('DELETE', `/v1/reservations/${hold.body.id}`, { token: holder })).status,
    ).toBe(200);
    expect((await reserve(newShopper(), { variantId, quantity: 1 })).status).toBe(201);
  });
});

describe('sold-out fast path switched off (SOLD_OUT_FAST_PATH=false)', () => {
  it('leaves every request to the full path, which answers the same', async () => {
    const t = await startTestApp({ env: { SOLD_OUT_FAST_PATH: 'false' } });
    try {
      const variantId = await createVariant(t, 0);
      const reserve = (sub: string) =>
        t.request('POST', '/v1/reservations', {
          token: t.token(sub),
          body: { variantId, quantity: 1 },
        });
      expect((await reserve('off-1')).body.code).toBe('OUT_OF_STOCK');
      const calls = vi.spyOn(t.app.get(ReservationsService), 'reserve');
      const response = await reserve('off-2');
      expect(response.body).toMatchObject({ statusCode: 409, code: 'OUT_OF_STOCK' });
      expect(calls).toHaveBeenCalledTimes(1);
    } finally {
      await t.close();
    }
  });
});
