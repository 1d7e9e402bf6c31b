import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryStore } from '../../src/store/memory/memory.store';
import type { Inventory, Reservation, ReserveCommand } from '../../src/store/store.types';
import { eventually } from '../helpers/eventually';
import { createVariant, startTestApp, type TestApp } from '../helpers/test-app';

const SLOW_RESERVE_MS = 600;

/** The reference store with a reserve that takes SLOW_RESERVE_MS, like a database under strain. */
class SlowReserveStore extends MemoryStore {
  readonly reserved: string[] = [];

  override async reserve(
    command: ReserveCommand,
  ): Promise<{ reservation: Reservation; inventory: Inventory }> {
    this.reserved.push(command.userId);
    await new Promise((resolve) => setTimeout(resolve, SLOW_RESERVE_MS));
    return super.reserve(command);
  }
}

describe('admission control over HTTP: deadline and queue limit', () => {
  let t: TestApp;
  const store = new SlowReserveStore();

  beforeAll(async () => {
    t = await startTestApp({
      store,
      env: { REQUEST_DEADLINE_MS: '150', HOT_VARIANT_CONCURRENCY: '1', ADMISSION_QUEUE_LIMIT: '1' },
    });
  });
  afterAll(async () => {
    await t?.close();
  });

  const reserve = (user: string, variantId: string) =>
    t.request('POST', '/v1/reservations', {
      token: t.token(user),
      body: { variantId, quantity: 1 },
    });

  it('answers 503 SERVICE_UNAVAILABLE with Retry-After when the queue is full or the deadline passes', async () => {
    const variantId = await createVariant(t, 10);
    const first = reserve('first', variantId);
    await eventually(() => expect(store.reserved).toEqual(['first']), 2000);

    // One of these waits for the slot until its deadline; the other finds the queue full.
    const startedAt = performance.now();
    const [a, b] = await Promise.all([reserve('second', variantId), reserve('third', variantId)]);
    const elapsedMs = performance.now() - startedAt;
    for (const response of [a, b]) {
      expect(response.status).toBe(503);
      expect(response.headers.get('retry-after')).toBe('1');
      expect(response.body).toEqual({
        statusCode: 503,
        code: 'SERVICE_UNAVAILABLE',
        message: expect.stringMatching(/nothing was changed, retry shortly$/),
        requestId: expect.any(String),
      });
    }
    const messages = [a, b].map((response) => response.body.message as string).sort();
    expect(messages[0]).toMatch(/could not finish in time/);
    expect(messages[1]).toMatch(/Too many requests are waiting for variant/);
    // Answered at the deadline, not after the slow write ahead of them.
    expect(elapsedMs).toBeLessThan(SLOW_RESERVE_MS);

    expect((await first).status).toBe(201);
    // The request that timed out never ran its write later.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(store.reserved).toEqual(['first']);
    const inventory = await t.request('GET', `/v1/inventory/${variantId}`, {
      token: t.token('first'),
    });
    expect(inventory.body).toMatchObject({ reservedStock: 1, availableStock: 9 });
  });
});
