import { describe, expect, it } from 'vitest';
import { ManualClock } from '../common/clock';
import { loadConfig } from '../config/app-config';
import { MetricsService } from '../metrics/metrics.service';
import { MemoryStore } from '../store/memory/memory.store';
import { ExpirySweeper } from './expiry-sweeper';
import type { ReservationsService } from './reservations.service';

const DAY_MS = 86_400_000;

/** A sweeper over the memory store, with one hold released at the clock's start. */
async function sweeperWithReleasedHold(retentionDays: string) {
  const clock = new ManualClock();
  const store = new MemoryStore();
  const now = clock.now();
  const { variant } = await store.createVariant(
    { sku: 'TEE-1', title: 'Tee', price: 1, stock: 1 },
    now,
  );
  const { reservation } = await store.reserve({
    userId: 'shopper',
    variantId: variant.id,
    quantity: 1,
    expiresAt: new Date(now.getTime() + 600_000),
    maxActiveReservations: 5,
    now,
  });
  await store.releaseReservation({ reservationId: reservation.id, reason: 'released', now });
  // No hold is due in these tests, so the sweeper never asks the service to expire one.
  const reservations = {} as ReservationsService;
  const config = loadConfig({ RETENTION_DAYS: retentionDays });
  const sweeper = new ExpirySweeper(
    store,
    reservations,
    config,
    clock,
    new MetricsService(store, clock),
  );
  const kept = async () => (await store.findReservation(reservation.id)) !== null;
  return { clock, sweeper, kept };
}

describe('ExpirySweeper retention on a store without a TTL of its own', () => {
  it('deletes a released hold once it is older than RETENTION_DAYS, checking once a minute', async () => {
    const { clock, sweeper, kept } = await sweeperWithReleasedHold('2');
    await sweeper.sweep();
    expect(await kept()).toBe(true);
    clock.advance(2 * DAY_MS);
    // Two days after it ended (and long after the last check), the next sweep deletes it.
    await sweeper.sweep();
    expect(await kept()).toBe(false);
  });

  it('waits a minute between checks, and keeps everything with RETENTION_DAYS=0', async () => {
    const minute = await sweeperWithReleasedHold('1');
    minute.clock.advance(DAY_MS - 30_000);
    await minute.sweeper.sweep(); // checks: not old enough yet
    minute.clock.advance(30_000);
    await minute.sweeper.sweep(); // old enough, but checked 30 s ago
    expect(await minute.kept()).toBe(true);
    minute.clock.advance(30_000);
    await minute.sweeper.sweep();
    expect(await minute.kept()).toBe(false);

    const forever = await sweeperWithReleasedHold('0');
    forever.clock.advance(3650 * DAY_MS);
    await forever.sweeper.sweep();
    expect(await forever.kept()).toBe(true);
  });
});
