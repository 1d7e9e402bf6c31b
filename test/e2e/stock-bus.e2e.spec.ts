import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SoldOutGate } from '../../src/reservations/sold-out-gate';
import { MemoryStore } from '../../src/store/memory/memory.store';
import { countingStore, type CountingStore } from '../helpers/counting-store';
import { eventually } from '../helpers/eventually';
import { openSse } from '../helpers/sse-client';
import { createVariant, startTestApp, type TestApp } from '../helpers/test-app';

/**
 * Two API instances on one store and one Redis: a sell-out seen by one closes the other's
 * sold-out gate through the stock bus, and a release through one reopens it on the other.
 */
describe('stock bus: two API instances', () => {
  let counting: CountingStore;
  let a: TestApp;
  let b: TestApp;
  let shopper = 0;
  const newShopper = (t: TestApp) => t.token(`bus-${(shopper += 1)}`);

  beforeAll(async () => {
    counting = countingStore(new MemoryStore());
    // A prefix of its own: other test files' apps share this Redis and publish on theirs.
    const env = { QUEUE_PREFIX: `bus-e2e-${process.pid}` };
    a = await startTestApp({ store: counting.store, env });
    b = await startTestApp({ store: counting.store, env });
  });
  afterAll(async () => {
    await a.close();
    await b.close();
  });

  const reserve = (t: TestApp, variantId: string) =>
    t.request('POST', '/v1/reservations', {
      token: newShopper(t),
      body: { variantId, quantity: 1 },
    });

  it('a sell-out through A makes B answer 409 OUT_OF_STOCK without a store call', async () => {
    const variantId = await createVariant(a, 1);
    const gateOfB = b.app.get(SoldOutGate);
    expect(gateOfB.blocks(variantId, 1)).toBe(false);

    const soldAt = performance.now();
    expect((await reserve(a, variantId)).status).toBe(201);
    await eventually(() => expect(gateOfB.blocks(variantId, 1)).toBe(true), 500, 2);
    // Within milliseconds of A's answer (the bound is loose for a busy test machine).
    expect(performance.now() - soldAt).toBeLessThan(500);

    const callsBefore = counting.total();
    const refused = await reserve(b, variantId);
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('OUT_OF_STOCK');
    expect(counting.total()).toBe(callsBefore);
  });

  it("a release through A reopens B's gate, and B then holds the unit", async () => {
    const variantId = await createVariant(a, 1);
    const holder = newShopper(a);
    const held = await a.request('POST', '/v1/reservations', {
      token: holder,
      body: { variantId, quantity: 1 },
    });
    expect(held.status).toBe(201);
    const gateOfB = b.app.get(SoldOutGate);
    await eventually(() => expect(gateOfB.blocks(variantId, 1)).toBe(true), 500, 2);

    const released = await a.request('DELETE', `/v1/reservations/${held.body.id}`, {
      token: holder,
    });
    expect(released.status).toBe(200);
    await eventually(() => expect(gateOfB.blocks(variantId, 1)).toBe(false), 500, 2);

    const reserveCallsBefore = counting.calls.get('reserve') ?? 0;
    expect((await reserve(b, variantId)).status).toBe(201);
    expect(counting.calls.get('reserve')).toBe(reserveCallsBefore + 1);
  });

  it('a restock through A reopens the gate B closed on its own', async () => {
    const variantId = await createVariant(a, 1);
    expect((await reserve(b, variantId)).status).toBe(201);
    const gateOfB = b.app.get(SoldOutGate);
    expect(gateOfB.blocks(variantId, 1)).toBe(true);

    const restocked = await a.request('PATCH', `/v1/admin/variants/${variantId}/stock`, {
      token: a.token('admin', { admin: true }),
      body: { delta: 1 },
    });
    expect(restocked.status).toBe(200);
    await eventually(() => expect(gateOfB.blocks(variantId, 1)).toBe(false), 500, 2);
    expect((await reserve(b, variantId)).status).toBe(201);
  });

  it("B's live stream shows a change made through A; B closes with the stream still open", async () => {
    const variantId = await createVariant(a, 2);
    const client = await openSse(`${b.url}/v1/inventory/${variantId}/stream`, {
      authorization: `Bearer ${b.token('watcher')}`,
    });
    const first = await client.nthEvent(1);
    expect(JSON.parse(first.data!)).toMatchObject({ availableStock: 2 });
    expect((await reserve(a, variantId)).status).toBe(201);
    const second = await client.nthEvent(2, 1000);
    expect(JSON.parse(second.data!)).toEqual({
      variantId,
      availableStock: 1,
      version: Number(first.id) + 1,
    });
    // afterAll closes B while this stream is open: shutdown ends it instead of waiting on it.
  });
});

describe('stock bus: Redis unreachable', () => {
  it('changes still succeed and the local gate still works; failed publishes are counted', async () => {
    // Port 1: nothing listens there, so every connection attempt is refused.
    const t = await startTestApp({ env: { REDIS_URL: 'redis://127.0.0.1:1' } });
    try {
      const variantId = await createVariant(t, 1);
      const reserve = () =>
        t.request('POST', '/v1/reservations', {
          token: t.token(`no-redis-${Math.random()}`),
          body: { variantId, quantity: 1 },
        });
      expect((await reserve()).status).toBe(201);
      expect(t.app.get(SoldOutGate).blocks(variantId, 1)).toBe(true);
      expect((await reserve()).body.code).toBe('OUT_OF_STOCK');
      const metrics = (await t.request('GET', '/metrics')).body as string;
      const failures = /stockhold_stock_bus_publish_failures_total (\d+)/.exec(metrics);
      // The variant's creation and the hold: two changes, neither published, neither failed.
      expect(Number(failures?.[1])).toBeGreaterThanOrEqual(2);
    } finally {
      await t.close();
    }
  });
});
