import { describe, expect, it } from 'vitest';
import { MemoryStore } from '../store/memory/memory.store';
import type { Reservation } from '../store/store.types';
import { eventsOfMovement, type StockEvent } from './stock-event-rules';

const T0 = new Date('2030-01-01T00:00:00.000Z');

describe('stock events of ledger movements', () => {
  it('a scripted sale, stock 5 and threshold 2: low at 2, sold_out at 0, back_in_stock on a release', async () => {
    const store = new MemoryStore();
    const { variant } = await store.createVariant(
      { sku: 'SALE-5', title: 'Sale', price: 100, stock: 5 },
      T0,
    );
    const hold = async (userId: string): Promise<Reservation> =>
      (
        await store.reserve({
          userId,
          variantId: variant.id,
          quantity: 1,
          expiresAt: new Date(T0.getTime() + 60_000),
          maxActiveReservations: 5,
          now: T0,
        })
      ).reservation;
    const holds: Reservation[] = [];
    for (const user of ['a', 'b', 'c', 'd', 'e']) holds.push(await hold(user));
    await store.commitReservation({ reservationId: holds[0].id, userId: 'a', now: T0 });
    await store.releaseReservation({
      reservationId: holds[1].id,
      userId: 'b',
      reason: 'released',
      now: T0,
    });

    const ledger = await store.listMovements({ variantId: variant.id, afterSeq: 0, limit: 100 });
    const events: StockEvent[] = ledger.flatMap((movement) => eventsOfMovement(movement, 2));
    const id = (seq: number, type: string) => `${variant.id}:${seq}:${type}`;
    expect(
      events.filter((e) => e.type !== 'stock.changed').map((e) => [e.id, e.stock.available]),
    ).toEqual([
      [id(4, 'stock.low'), 2],
      [id(6, 'stock.sold_out'), 0],
      [id(8, 'stock.back_in_stock'), 1],
    ]);
    // Every movement is a stock.changed with the figures after it, in seq order.
    const changed = events.filter((e) => e.type === 'stock.changed');
    expect(changed.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(changed.map((e) => e.stock.available)).toEqual([5, 4, 3, 2, 1, 0, 0, 1]);
    expect(changed[6]).toMatchObject({ movement: 'committed', stock: { total: 4, reserved: 4 } });
    expect(events.find((e) => e.type === 'stock.low')!.lowStockThreshold).toBe(2);
    // Stable: reading the same movements again gives the same ids.
    const again = ledger.flatMap((movement) => eventsOfMovement(movement, 2)).map((e) => e.id);
    expect(again).toEqual(events.map((e) => e.id));
  });

  const movement = (before: number, after: number, type: 'reserved' | 'created' | 'adjusted') => ({
    variantId: 'v',
    seq: 9,
    type,
    delta: { total: 0, reserved: 0, available: after - before },
    after: { total: after, reserved: 0, available: after },
    actor: 'x',
    at: T0,
  });
  const typesOf = (before: number, after: number, threshold?: number) =>
    eventsOfMovement(movement(before, after, 'adjusted'), threshold).map((e) => e.type);

  it('a fall straight to 0 is sold_out, not low; a rise from 0 into the low band is back_in_stock only', () => {
    expect(typesOf(5, 0, 2)).toEqual(['stock.changed', 'stock.sold_out']);
    expect(typesOf(0, 1, 2)).toEqual(['stock.changed', 'stock.back_in_stock']);
  });

  it('low fires once on the crossing, not again inside the band, and never without a threshold', () => {
    expect(typesOf(3, 1, 2)).toEqual(['stock.changed', 'stock.low']);
    expect(typesOf(2, 1, 2)).toEqual(['stock.changed']);
    expect(typesOf(5, 1)).toEqual(['stock.changed']);
    expect(typesOf(1, 3, 2)).toEqual(['stock.changed']);
  });

  it('creation with stock is not back in stock', () => {
    expect(eventsOfMovement(movement(0, 5, 'created'), 2).map((e) => e.type)).toEqual([
      'stock.changed',
    ]);
  });
});
