import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ManualClock } from '../common/clock';
import { OutOfStockError, RequestDeadlineExceededError } from '../common/errors/domain-errors';
import { loadConfig } from '../config/app-config';
import { StockEvents } from '../events/stock-events';
import { MetricsService } from '../metrics/metrics.service';
import { MemoryStore } from '../store/memory/memory.store';
import type { Inventory, Reservation, ReserveCommand } from '../store/store.types';
import { AdmissionControl } from './admission-control';
import { ReservationsService } from './reservations.service';
import { SoldOutGate } from './sold-out-gate';

/** The reference store, except that each reserve waits until the test lets it through. */
class HeldStore extends MemoryStore {
  readonly commands: ReserveCommand[] = [];
  private readonly releases: Array<() => void> = [];

  override async reserve(
    command: ReserveCommand,
  ): Promise<{ reservation: Reservation; inventory: Inventory }> {
    this.commands.push(command);
    await new Promise<void>((resolve) => this.releases.push(resolve));
    return super.reserve(command);
  }

  /** Lets the oldest held reserve go on. */
  releaseNext(): void {
    this.releases.shift()?.();
  }
}

function setUp(env: Record<string, string>) {
  const config = loadConfig({ HOT_VARIANT_CONCURRENCY: '1', ...env });
  const clock = new ManualClock();
  const store = new HeldStore();
  const service = new ReservationsService(
    store,
    config,
    clock,
    new SoldOutGate(config, clock),
    new AdmissionControl(config),
    new StockEvents(),
    new MetricsService(store, clock),
  );
  return { config, clock, store, service };
}

const outcomeOf = (promise: Promise<unknown>) =>
  promise.then(
    () => 'held',
    (error: unknown) => error,
  );

describe('ReservationsService reserve under admission control', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('answers requests queued before a sell-out with 409 once granted, without a store write', async () => {
    const { clock, store, service } = setUp({});
    const { variant } = await store.createVariant(
      { sku: 'LAST-ONE', title: 'Last one', price: 100, stock: 1 },
      clock.now(),
    );
    const attempts = ['a', 'b', 'c'].map((userId) =>
      outcomeOf(service.reserve({ userId, variantId: variant.id, quantity: 1 })),
    );
    await vi.advanceTimersByTimeAsync(0);
    expect(store.commands).toHaveLength(1);

    // Lets through whatever reaches the store, so a missing re-check fails here instead of hanging.
    for (let i = 0; i < 3; i++) {
      store.releaseNext();
      await vi.advanceTimersByTimeAsync(0);
    }
    const [first, second, third] = await Promise.all(attempts);
    expect(first).toBe('held');
    expect(second).toBeInstanceOf(OutOfStockError);
    expect(third).toBeInstanceOf(OutOfStockError);
    // Only the first request reached the store: the others saw the sell-out when granted a slot.
    expect(store.commands).toHaveLength(1);
  });

  it('carries the request deadline into the store write', async () => {
    const { clock, store, service } = setUp({ REQUEST_DEADLINE_MS: '2500' });
    const { variant } = await store.createVariant(
      { sku: 'DEADLINE', title: 'Deadline', price: 100, stock: 5 },
      clock.now(),
    );
    const arrivedAt = performance.now();
    const attempt = service.reserve({ userId: 'a', variantId: variant.id, quantity: 1 });
    await vi.advanceTimersByTimeAsync(0);
    store.releaseNext();
    await attempt;
    expect(store.commands[0].deadline).toBe(arrivedAt + 2500);
  });

  it('answers 503 to a request still queued at its deadline, and never writes it later', async () => {
    const { clock, store, service } = setUp({ REQUEST_DEADLINE_MS: '200' });
    const { variant } = await store.createVariant(
      { sku: 'SLOW', title: 'Slow', price: 100, stock: 5 },
      clock.now(),
    );
    const first = outcomeOf(service.reserve({ userId: 'a', variantId: variant.id, quantity: 1 }));
    const queued = outcomeOf(
      service.reserve({
        userId: 'b',
        variantId: variant.id,
        quantity: 1,
        idempotencyKey: 'key-b',
      }),
    );
    await vi.advanceTimersByTimeAsync(200);
    const error = await queued;
    expect(error).toBeInstanceOf(RequestDeadlineExceededError);

    store.releaseNext();
    expect(await first).toBe('held');
    await vi.advanceTimersByTimeAsync(1000);
    expect(store.commands.map((command) => command.userId)).toEqual(['a']);
    expect((await store.getInventory(variant.id))?.reservedStock).toBe(1);
  });
});
