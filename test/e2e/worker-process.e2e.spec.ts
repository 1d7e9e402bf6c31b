import type { INestApplicationContext } from '@nestjs/common';
import Redis from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/app-config';
import { ExpirySweeper } from '../../src/reservations/expiry-sweeper';
import { SearchResyncService } from '../../src/search/resync/search-resync.service';
import { NeedsSyncSweeper } from '../../src/search/sync/needs-sync.sweeper';
import { SearchSyncQueue } from '../../src/search/sync/search-sync.queue';
import { SearchSyncWorker } from '../../src/search/sync/search-sync.worker';
import { MemoryStore } from '../../src/store/memory/memory.store';
import type { SearchDocument } from '../../src/store/store.types';
import { WorkerMetricsServer } from '../../src/metrics/worker-metrics.server';
import { createWorker } from '../../src/worker.factory';
import { eventually, uniqueWord } from '../helpers/eventually';
import { freePort, TestRedisServer } from '../helpers/redis-server';
import { createVariant, startTestApp, TEST_JWT_SECRET, type TestApp } from '../helpers/test-app';

/**
 * The worker process (src/worker.ts → createWorker) beside an API with WORKERS=off, sharing one
 * store and one Redis as two processes share MongoDB and Redis.
 */
describe('the worker process', () => {
  let redis: TestRedisServer;
  let store: MemoryStore;
  let api: TestApp;
  let worker: INestApplicationContext | undefined;

  const startWorker = async (env: Record<string, string> = {}) => {
    const config = loadConfig({
      NODE_ENV: 'test',
      STORE: 'memory',
      LOG_LEVEL: 'silent',
      JWT_SECRET: TEST_JWT_SECRET,
      REDIS_URL: redis.url,
      // What the worker process is given in compose: it runs the workers whatever WORKERS says.
      WORKERS: 'off',
      EXPIRY_SWEEP_MS: '50',
      SEARCH_SWEEP_MS: '600000',
      ...env,
    });
    worker = await createWorker({ config, store, closeStore: async () => undefined });
    return worker;
  };
  const searchFor = async (word: string) =>
    (await api.request('GET', `/v1/search?q=${word}`, { token: api.token('reader') })).body
      .items as Array<Record<string, unknown>>;

  beforeAll(async () => {
    redis = await TestRedisServer.start();
  });
  afterEach(async () => {
    await worker?.close();
    worker = undefined;
    await api.close();
    await redis.flushAll();
  });
  afterAll(async () => {
    await redis.stop();
  });

  it('syncs what the API (WORKERS=off) queued, and expires its holds; the API runs no workers', async () => {
    store = new MemoryStore();
    api = await startTestApp({
      store,
      env: { REDIS_URL: redis.url, WORKERS: 'off', RESERVATION_TTL_SECONDS: '1' },
    });
    expect(() => api.app.get(SearchSyncWorker)).toThrow();
    expect(() => api.app.get(ExpirySweeper)).toThrow();

    const word = uniqueWord();
    const variantId = await createVariant(api, 2, { title: `Queued ${word}` });
    const hold = await api.request('POST', '/v1/reservations', {
      token: api.token('worker-shopper'),
      body: { variantId, quantity: 2 },
    });
    expect(hold.status).toBe(201);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await searchFor(word)).toEqual([]);
    expect((await api.app.get(SearchSyncQueue).counts())?.waiting).toBe(1);

    const metricsPort = await freePort();
    const context = await startWorker({ WORKER_METRICS_PORT: String(metricsPort) });
    for (const provider of [SearchSyncWorker, NeedsSyncSweeper, ExpirySweeper]) {
      expect(context.get(provider)).toBeInstanceOf(provider);
    }
    expect(context.get(SearchResyncService)).toBeInstanceOf(SearchResyncService);

    // The queued job: sold out.
    await eventually(async () => {
      expect(await searchFor(word)).toEqual([
        expect.objectContaining({ variantId, inStock: false, syncedVersion: 2 }),
      ]);
    }, 2000);
    // The hold runs out after a second; the worker's expiry sweeper releases it and the release
    // is synced back into search.
    await eventually(async () => {
      const reservation = await api.request('GET', `/v1/reservations/${hold.body.id}`, {
        token: api.token('worker-shopper'),
      });
      expect(reservation.body.status).toBe('expired');
      expect(await searchFor(word)).toEqual([
        expect.objectContaining({ inStock: true, availableStock: 2, syncedVersion: 3 }),
      ]);
    }, 4000);

    // The worker's own counters, which the API's /metrics cannot show, on its metrics port.
    const metricsUrl = `http://127.0.0.1:${metricsPort}`;
    const scrape = await fetch(`${metricsUrl}/metrics`);
    expect(scrape.status).toBe(200);
    const text = await scrape.text();
    expect(text).toMatch(/^stockhold_reservations_expired_total 1$/m);
    expect(text).toMatch(/^stockhold_expiry_lag_seconds \d/m);
    // The heartbeat of its periodic tasks: a recent Unix time, per task.
    const heartbeat =
      /^stockhold_worker_heartbeat_timestamp_seconds\{task="expiry-sweep"\} (\S+)$/m.exec(text);
    expect(Date.now() / 1000 - Number(heartbeat?.[1])).toBeLessThan(30);
    expect(text).toMatch(/^stockhold_worker_task_interval_seconds\{task="expiry-sweep"\} 0.05$/m);
    expect((await fetch(`${metricsUrl}/health/live`)).status).toBe(200);
    expect((await fetch(`${metricsUrl}/v1/reservations`)).status).toBe(404);
  });

  it('takes jobs only from its own QUEUE_PREFIX, so instances sharing a Redis keep their jobs', async () => {
    store = new MemoryStore();
    api = await startTestApp({
      store,
      env: { REDIS_URL: redis.url, WORKERS: 'off', QUEUE_PREFIX: 'dev-alice' },
    });
    const word = uniqueWord('prefixed');
    await createVariant(api, 1, { title: `Prefixed ${word}` });
    const client = new Redis(redis.url, { maxRetriesPerRequest: 0 });
    try {
      expect(await client.keys('dev-alice:search-sync:*')).not.toEqual([]);
      expect(await client.keys('stockhold:search-sync:*')).toEqual([]);
    } finally {
      client.disconnect();
    }

    // Another developer's worker on the same Redis leaves alice's job alone...
    await startWorker({ QUEUE_PREFIX: 'dev-bob' });
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect((await api.app.get(SearchSyncQueue).counts())?.waiting).toBe(1);
    expect(await searchFor(word)).toEqual([]);
    await worker?.close();

    // ...which her own worker takes.
    await startWorker({ QUEUE_PREFIX: 'dev-alice' });
    await eventually(async () => {
      expect(await searchFor(word)).toEqual([expect.objectContaining({ inStock: true })]);
    }, 3000);
  });

  it('serves no metrics port unless WORKER_METRICS_PORT is set', async () => {
    store = new MemoryStore();
    api = await startTestApp({ store, env: { REDIS_URL: redis.url, WORKERS: 'off' } });
    const context = await startWorker();
    expect(context.get(WorkerMetricsServer).port).toBeUndefined();
  });

  it('on close, stops taking jobs but finishes the one in flight', async () => {
    store = new MemoryStore();
    api = await startTestApp({ store, env: { REDIS_URL: redis.url, WORKERS: 'off' } });
    const context = await startWorker();
    const word = uniqueWord('slow');
    let started = false;
    const upsert = store.upsertSearchDocuments.bind(store);
    store.upsertSearchDocuments = async (documents: SearchDocument[]) => {
      if (documents.some((document) => document.title.includes(word))) {
        started = true;
        await new Promise((resolve) => setTimeout(resolve, 400));
      }
      return upsert(documents);
    };

    const variantId = await createVariant(api, 1, { title: `Slow ${word}` });
    await eventually(() => expect(started).toBe(true), 2000, 5);
    await context.close();
    worker = undefined;

    // The job that was running completed, search shows it, and nothing is left running.
    expect(await store.getSearchDocument(variantId)).toMatchObject({ syncedVersion: 1 });
    expect((await store.getInventory(variantId))?.needsSync).toBe(false);
    expect(await api.app.get(SearchSyncQueue).counts()).toMatchObject({ active: 0, waiting: 0 });
    // Later changes wait in the queue for the next worker.
    await createVariant(api, 1);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect((await api.app.get(SearchSyncQueue).counts())?.waiting).toBe(1);
  });
});
