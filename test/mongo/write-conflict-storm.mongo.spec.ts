import { randomUUID } from 'node:crypto';
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SystemClock } from '../../src/common/clock';
import {
  DomainError,
  OutOfStockError,
  ServiceUnavailableError,
} from '../../src/common/errors/domain-errors';
import { loadConfig } from '../../src/config/app-config';
import { StockEvents } from '../../src/events/stock-events';
import { MetricsService } from '../../src/metrics/metrics.service';
import { AdmissionControl } from '../../src/reservations/admission-control';
import { ReservationsService } from '../../src/reservations/reservations.service';
import { SoldOutGate } from '../../src/reservations/sold-out-gate';
import { MongoStore } from '../../src/store/mongo/mongo.store';
import { describeWithMongo, uniqueDbName } from './mongo-target';

const SHOPPERS = 2_000;
const STOCK = 300;
const DEADLINE_MS = 3_000;
/**
 * Past the deadline an answer may still take: a commit that started just before it runs up to its
 * own maxCommitTimeMS, and 2,000 settling promises cost the event loop some milliseconds.
 */
const MARGIN_MS = 1_500;

type Outcome = 'held' | 'out of stock' | 'unavailable' | 'other';

/**
 * A WriteConflict storm (issue: nothing bounded how long a reserve waited): 2,000 shoppers reserve
 * one variant at the same instant, through the reservation service with its admission control and
 * the default HOT_VARIANT_CONCURRENCY and ADMISSION_QUEUE_LIMIT, on a real replica set. Every
 * request must be answered within its deadline (plus a margin) with a hold, 409 or 503 — never a
 * raw driver error — and the stock must add up: nothing oversold, reconcile clean.
 */
describeWithMongo('write-conflict storm on one variant (MongoDB)', (uri) => {
  const dbName = uniqueDbName('stockhold_storm');
  let store: MongoStore;

  beforeAll(async () => {
    store = await MongoStore.connect(uri, { autoIndex: true, dbName });
  });
  afterAll(async () => {
    await store?.close();
    const client = new MongoClient(uri);
    try {
      await client.db(dbName).dropDatabase();
    } finally {
      await client.close();
    }
  });

  it('answers 2,000 concurrent reserves within the deadline, none oversold', async () => {
    const config = loadConfig({
      NODE_ENV: 'test',
      STORE: 'mongodb',
      LOG_LEVEL: 'silent',
      REQUEST_DEADLINE_MS: String(DEADLINE_MS),
    });
    const clock = new SystemClock();
    const service = new ReservationsService(
      store,
      config,
      clock,
      new SoldOutGate(config, clock),
      new AdmissionControl(config),
      new StockEvents(),
      new MetricsService(store, clock),
    );
    const { variant } = await store.createVariant(
      { sku: `STORM-${randomUUID()}`, title: 'Storm', price: 100, stock: STOCK },
      clock.now(),
    );

    const unexpected: unknown[] = [];
    const startedAt = performance.now();
    const answers = await Promise.all(
      Array.from({ length: SHOPPERS }, async (_, shopper) => {
        let outcome: Outcome;
        try {
          await service.reserve({ userId: `storm-${shopper}`, variantId: variant.id, quantity: 1 });
          outcome = 'held';
        } catch (error) {
          if (error instanceof OutOfStockError) outcome = 'out of stock';
          else if (error instanceof ServiceUnavailableError) outcome = 'unavailable';
          else {
            outcome = 'other';
            unexpected.push(error instanceof DomainError ? error.code : error);
          }
        }
        return { outcome, tookMs: performance.now() - startedAt };
      }),
    );

    expect(unexpected).toEqual([]);
    const slowest = Math.max(...answers.map((answer) => answer.tookMs));
    expect(slowest).toBeLessThan(DEADLINE_MS + MARGIN_MS);

    const held = answers.filter((answer) => answer.outcome === 'held').length;
    expect(held).toBeGreaterThan(0);
    expect(held).toBeLessThanOrEqual(STOCK);
    const inventory = await store.getInventory(variant.id);
    expect(inventory).toMatchObject({
      totalStock: STOCK,
      reservedStock: held,
      availableStock: STOCK - held,
    });
    const report = await store.reconcile(config.maxActiveReservations);
    expect(report.violations).toEqual([]);
    expect(report.ok).toBe(true);
  }, 60_000);
});
