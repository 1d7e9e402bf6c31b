import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { NeedsSyncSweeper } from '../../src/search/sync/needs-sync.sweeper';
import { SearchSyncQueue } from '../../src/search/sync/search-sync.queue';
import { MemoryStore } from '../../src/store/memory/memory.store';
import type { SearchDocument } from '../../src/store/store.types';
import { eventually, uniqueWord } from '../helpers/eventually';
import { TestRedisServer } from '../helpers/redis-server';
import { createVariant, startTestApp, type TestApp } from '../helpers/test-app';

/**
 * The search sync end to end (docs/architecture.md §5, §8): the API with WORKERS=inline on a redis-server of
 * this file's own, which the tests kill and restart.
 */
describe('search sync', () => {
  let redis: TestRedisServer;
  const apps: TestApp[] = [];
  let shopperCounter = 0;

  const start = async (env: Record<string, string>, store = new MemoryStore()) => {
    const app = await startTestApp({
      store,
      env: { REDIS_URL: redis.url, WORKERS: 'inline', ...env },
    });
    apps.push(app);
    return app;
  };
  const reserve = (t: TestApp, variantId: string, quantity = 1) =>
    t.request('POST', '/v1/reservations', {
      token: t.token(`search-shopper-${++shopperCounter}`),
      body: { variantId, quantity },
    });
  const searchFor = async (t: TestApp, word: string) => {
    const response = await t.request('GET', `/v1/search?q=${word}`, { token: t.token('reader') });
    expect(response.status).toBe(200);
    return response.body.items as Array<Record<string, unknown>>;
  };
  /** The one search hit for `word`, once it matches `expected`. */
  const hitFor = (t: TestApp, word: string, expected: Record<string, unknown>, timeoutMs: number) =>
    eventually(async () => {
      const items = await searchFor(t, word);
      expect(items).toHaveLength(1);
      expect(items[0]).toMatchObject(expected);
      return items[0];
    }, timeoutMs);
  const metric = async (t: TestApp, line: RegExp): Promise<number> => {
    const text = (await t.request('GET', '/metrics')).body as string;
    const match = text.match(line);
    return match ? Number(match[1]) : Number.NaN;
  };

  beforeAll(async () => {
    redis = await TestRedisServer.start();
  });
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((app) => app.close()));
    await redis.restart();
    await redis.flushAll();
  });
  afterAll(async () => {
    await redis.stop();
  });

  it('shows a new variant, then a reservation that sold it out, in search within a second', async () => {
    // The sweeper is kept out of the way: this is the queue's doing alone.
    const t = await start({ SEARCH_SWEEP_MS: '600000' });
    const word = uniqueWord();
    const created = Date.now();
    const variantId = await createVariant(t, 1, { title: `Flash sale ${word}`, salePrice: 999 });
    await hitFor(
      t,
      word,
      { variantId, inStock: true, availableStock: 1, syncedVersion: 1, effectivePrice: 999 },
      1000,
    );
    expect(Date.now() - created).toBeLessThan(1000);

    const reserved = Date.now();
    expect((await reserve(t, variantId)).status).toBe(201);
    const hit = await hitFor(
      t,
      word,
      { inStock: false, availableStock: 0, syncedVersion: 2 },
      1000,
    );
    expect(Date.now() - reserved).toBeLessThan(1000);
    expect(hit).toMatchObject({ title: `Flash sale ${word}`, price: 1999, salePrice: 999 });
    expect(new Date(hit.syncedAt as string).toISOString()).toBe(hit.syncedAt);

    const inStockOnly = await t.request('GET', `/v1/search?q=${word}&inStock=true`, {
      token: t.token('reader'),
    });
    expect(inStockOnly.body).toEqual({ items: [], nextCursor: null });
    await eventually(async () => {
      expect((await t.store.getInventory(variantId))?.needsSync).toBe(false);
    }, 1000);
    expect(await metric(t, /^stockhold_search_syncs_total\{path="queue"\} (\d+)$/m)).toBe(2);
    expect(await metric(t, /^stockhold_search_sync_queue_available (\d+)$/m)).toBe(1);
    expect(await metric(t, /^stockhold_search_sync_lag_seconds (\S+)$/m)).toBe(0);
  });

  it('coalesces a burst on one hot variant without losing its last change', async () => {
    const t = await start({ SEARCH_SWEEP_MS: '600000' });
    const word = uniqueWord('hot');
    const variantId = await createVariant(t, 40, { title: `Hot ${word}` });
    const responses = await Promise.all(Array.from({ length: 60 }, () => reserve(t, variantId)));
    expect(responses.filter((response) => response.status === 201)).toHaveLength(40);
    const done = Date.now();
    // 40 holds after creation: version 41, sold out.
    await hitFor(t, word, { inStock: false, availableStock: 0, syncedVersion: 41 }, 1000);
    expect(Date.now() - done).toBeLessThan(1000);
    const syncs = await metric(t, /^stockhold_search_syncs_total\{path="queue"\} (\d+)$/m);
    expect(syncs).toBeLessThan(41);
  });

  it('with Redis killed, the needsSync sweeper still brings search up to date; the queue takes over again when Redis returns', async () => {
    const t = await start({ SEARCH_SWEEP_MS: '200' });
    await redis.kill();
    const word = uniqueWord();
    const variantId = await createVariant(t, 2, { title: `Outage ${word}` });

    // Stock changes neither fail nor wait on the missing queue.
    const started = Date.now();
    expect((await reserve(t, variantId, 2)).status).toBe(201);
    expect(Date.now() - started).toBeLessThan(1000);

    await hitFor(t, word, { variantId, inStock: false, availableStock: 0, syncedVersion: 2 }, 3000);
    expect(
      await metric(t, /^stockhold_search_syncs_total\{path="direct"\} (\d+)$/m),
    ).toBeGreaterThan(0);
    expect(await metric(t, /^stockhold_search_sync_queue_available (\d+)$/m)).toBe(0);
    expect(
      await metric(t, /^stockhold_search_sync_triggers_skipped_total (\d+)$/m),
    ).toBeGreaterThanOrEqual(2);
    const ready = await t.request('GET', '/health/ready');
    expect(ready.body.checks.searchSync).toMatchObject({ ok: false, degraded: true });

    await redis.restart();
    await eventually(() => expect(t.app.get(SearchSyncQueue).available).toBe(true), 5000, 50);
    const queuedBefore = await metric(t, /^stockhold_search_syncs_total\{path="queue"\} (\d+)$/m);
    const restocked = await t.request('PATCH', `/v1/admin/variants/${variantId}/stock`, {
      token: t.token('ops', { admin: true }),
      body: { delta: 3 },
    });
    expect(restocked.status).toBe(200);
    await hitFor(t, word, { inStock: true, availableStock: 3, syncedVersion: 3 }, 3000);
    await eventually(async () => {
      const queued = await metric(t, /^stockhold_search_syncs_total\{path="queue"\} (\d+)$/m);
      expect(Number.isNaN(queuedBefore) ? queued : queued - queuedBefore).toBeGreaterThan(0);
    }, 3000);
  });

  it('closes promptly while Redis is down', async () => {
    const t = await start({ SEARCH_SWEEP_MS: '200' });
    await createVariant(t, 1);
    await redis.kill();
    await reserve(t, await createVariant(t, 1));
    const started = Date.now();
    await t.close();
    apps.splice(apps.indexOf(t), 1);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  describe('with a failing search index', () => {
    /** Makes upserts of documents whose title contains a key fail, counting every call. */
    function failingSink(store: MemoryStore) {
      const failuresLeft = new Map<string, number>();
      const calls = new Map<string, number[]>();
      const upsert = store.upsertSearchDocuments.bind(store);
      store.upsertSearchDocuments = async (documents: SearchDocument[]) => {
        for (const document of documents) {
          for (const [key, left] of failuresLeft) {
            if (!document.title.includes(key)) continue;
            calls.set(key, [...(calls.get(key) ?? []), Date.now()]);
            if (left > 0) {
              failuresLeft.set(key, left - 1);
              throw new Error(`search index unavailable (${key})`);
            }
          }
        }
        return upsert(documents);
      };
      return { failuresLeft, calls };
    }

    it('retries with exponential backoff, and a job out of attempts stays in the failed set until the sweeper queues it again', async () => {
      const store = new MemoryStore();
      const sink = failingSink(store);
      const [flaky, broken] = [uniqueWord('flaky'), uniqueWord('broken')];
      sink.failuresLeft.set(flaky, 2);
      sink.failuresLeft.set(broken, Number.POSITIVE_INFINITY);
      const t = await start(
        { SEARCH_SYNC_ATTEMPTS: '3', SEARCH_SYNC_BACKOFF_MS: '150', SEARCH_SWEEP_MS: '600000' },
        store,
      );
      const queue = t.app.get(SearchSyncQueue);

      const flakyId = await createVariant(t, 5, { title: `Flaky ${flaky}` });
      const brokenId = await createVariant(t, 5, { title: `Broken ${broken}` });

      // Two failures, then the third attempt gets through.
      await hitFor(t, flaky, { variantId: flakyId, syncedVersion: 1 }, 3000);
      const flakyCalls = sink.calls.get(flaky) ?? [];
      expect(flakyCalls).toHaveLength(3);
      const [firstWait, secondWait] = [
        flakyCalls[1] - flakyCalls[0],
        flakyCalls[2] - flakyCalls[1],
      ];
      expect(firstWait).toBeGreaterThanOrEqual(140);
      expect(secondWait).toBeGreaterThanOrEqual(290);
      expect(secondWait).toBeGreaterThan(firstWait);

      // Three failures: out of attempts, into the dead-letter queue, still flagged for sync.
      await eventually(async () => expect((await queue.counts())?.failed).toBe(1), 3000);
      expect(sink.calls.get(broken)).toHaveLength(3);
      expect(await queue.deadLetters()).toEqual([
        {
          variantId: brokenId,
          attemptsMade: 3,
          failedReason: expect.stringContaining('search index unavailable'),
        },
      ]);
      expect(await searchFor(t, broken)).toEqual([]);
      expect((await store.getInventory(brokenId))?.needsSync).toBe(true);
      expect(await metric(t, /^stockhold_search_sync_failed_jobs (\d+)$/m)).toBe(1);
      expect(await metric(t, /^stockhold_search_sync_lag_seconds (\S+)$/m)).toBeGreaterThan(0);
      expect(await metric(t, /^stockhold_search_sync_queue_depth (\d+)$/m)).toBe(0);

      // The index recovers; the next sweep queues the flagged variant again and it syncs.
      sink.failuresLeft.set(broken, 0);
      expect(await t.app.get(NeedsSyncSweeper).sweep()).toEqual({ queued: 1, synced: 0 });
      await hitFor(t, broken, { variantId: brokenId, syncedVersion: 1 }, 2000);
      await eventually(async () => {
        expect((await store.getInventory(brokenId))?.needsSync).toBe(false);
      }, 1000);
      expect(await store.findPendingSyncs(10)).toEqual([]);
    });
  });

  describe('a change that lands while its variant is being synced', () => {
    /**
     * Runs `meanwhile` inside the next sync of the variant at `version`: after the job read the
     * inventory, before it writes the document — the window deduplication alone would lose.
     */
    function interceptSync(
      store: MemoryStore,
      variantId: string,
      version: number,
      meanwhile: () => Promise<void>,
    ) {
      let intercepted = false;
      const upsert = store.upsertSearchDocuments.bind(store);
      store.upsertSearchDocuments = async (documents: SearchDocument[]) => {
        const stale = documents.some(
          (document) => document.variantId === variantId && document.syncedVersion === version,
        );
        if (stale && !intercepted) {
          intercepted = true;
          await meanwhile();
        }
        return upsert(documents);
      };
      return () => intercepted;
    }

    it('is synced promptly when its own trigger arrives during the running job', async () => {
      const store = new MemoryStore();
      const t = await start({ SEARCH_SWEEP_MS: '600000' }, store);
      const word = uniqueWord();
      const variantId = await createVariant(t, 5, { title: `Race ${word}` });
      await hitFor(t, word, { syncedVersion: 1 }, 1000);

      const intercepted = interceptSync(store, variantId, 2, async () => {
        expect((await reserve(t, variantId)).status).toBe(201); // version 3, queued meanwhile
      });
      expect((await reserve(t, variantId)).status).toBe(201); // version 2
      await hitFor(t, word, { syncedVersion: 3, availableStock: 3 }, 1000);
      expect(intercepted()).toBe(true);
      await eventually(async () => {
        expect((await store.getInventory(variantId))?.needsSync).toBe(false);
      }, 1000);
    });

    it('is synced promptly even when its trigger was lost (the worker sees the version moved)', async () => {
      const store = new MemoryStore();
      const t = await start({ SEARCH_SWEEP_MS: '600000' }, store);
      const word = uniqueWord();
      const variantId = await createVariant(t, 5, { title: `Lost ${word}` });
      await hitFor(t, word, { syncedVersion: 1 }, 1000);

      // A change straight in the store: committed, but no trigger queued (as after a crash).
      interceptSync(store, variantId, 2, async () => {
        await store.adjustStock({ variantId, delta: -1, now: new Date() });
      });
      expect((await reserve(t, variantId)).status).toBe(201); // version 2
      await hitFor(t, word, { syncedVersion: 3, availableStock: 3 }, 1000);
    });
  });
});
