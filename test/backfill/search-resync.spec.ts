import { Logger, type DynamicModule, type INestApplicationContext } from '@nestjs/common';
import { ScheduleModule, SchedulerRegistry } from '@nestjs/schedule';
import { Test } from '@nestjs/testing';
import Redis from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { Clock, SystemClock } from '../../src/common/clock';
import { RedisModule } from '../../src/common/redis/redis.module';
import { AppConfig, loadConfig } from '../../src/config/app-config';
import { MetricsModule } from '../../src/metrics/metrics.module';
import { MetricsService } from '../../src/metrics/metrics.service';
import { RedisLock } from '../../src/search/resync/redis-lock';
import { SearchResyncModule } from '../../src/search/resync/search-resync.module';
import {
  DEFAULT_SEARCH_RESYNC_OPTIONS,
  SEARCH_RESYNC_JOB,
  SEARCH_RESYNC_OPTIONS,
  SearchResyncService,
  type SearchResyncOptions,
} from '../../src/search/resync/search-resync.service';
import { Store } from '../../src/store/store';
import { freePort, TestRedisServer } from '../helpers/redis-server';
import { FakeSearchStore, sleep } from './fake-search-store';
import { makeVariants } from './variants';

const LOCK_KEY = DEFAULT_SEARCH_RESYNC_OPTIONS.lockKey;

let redis: TestRedisServer;
let client: Redis;
const instances: INestApplicationContext[] = [];

class TestCoreModule {}

interface Instance {
  context: INestApplicationContext;
  resync: SearchResyncService;
  metric: (name: string, labels?: Record<string, string>) => Promise<number>;
}

/** One service instance: the resync module over the global core providers, like a worker process. */
async function startInstance(
  store: FakeSearchStore,
  options: { redisUrl?: string; resync?: Partial<SearchResyncOptions>; cron?: string } = {},
): Promise<Instance> {
  const config = loadConfig({
    NODE_ENV: 'test',
    STORE: 'memory',
    LOG_LEVEL: 'silent',
    REDIS_URL: options.redisUrl ?? redis.url,
    SEARCH_RESYNC_CRON: options.cron ?? '0 3 * * *',
  });
  const core: DynamicModule = {
    module: TestCoreModule,
    global: true,
    imports: [RedisModule, MetricsModule],
    providers: [
      { provide: AppConfig, useValue: config },
      { provide: Store, useValue: store },
      { provide: Clock, useValue: new SystemClock() },
    ],
    exports: [AppConfig, Store, Clock],
  };
  const moduleRef = await Test.createTestingModule({
    // ScheduleModule.forRoot() again, as the worker may import it too: Nest keeps one.
    imports: [core, ScheduleModule.forRoot(), SearchResyncModule],
  })
    .overrideProvider(SEARCH_RESYNC_OPTIONS)
    .useValue({ ...DEFAULT_SEARCH_RESYNC_OPTIONS, batchSize: 10, ...options.resync })
    .setLogger(new Logger())
    .compile();
  const context = await moduleRef.init();
  instances.push(context);
  const registry = context.get(MetricsService).registry;
  return {
    context,
    resync: context.get(SearchResyncService),
    metric: async (name, labels = {}) => {
      const metric = (await registry.getMetricsAsJSON()).find((m) => m.name === name);
      const value = metric?.values.find((v) =>
        Object.entries(labels).every(([key, expected]) => v.labels[key] === expected),
      );
      return Number(value?.value ?? Number.NaN);
    },
  };
}

beforeAll(async () => {
  redis = await TestRedisServer.start();
  client = new Redis(redis.url, { maxRetriesPerRequest: 0 });
});

afterAll(async () => {
  client?.disconnect();
  await redis?.stop();
});

beforeEach(async () => {
  vi.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
  await client.flushall();
});

afterEach(async () => {
  await Promise.all(instances.splice(0).map((context) => context.close()));
  vi.restoreAllMocks();
});

describe('daily search resync', () => {
  it('schedules itself from SEARCH_RESYNC_CRON and unschedules on shutdown', async () => {
    const { context } = await startInstance(new FakeSearchStore([]), { cron: '15 4 * * *' });
    const registry = context.get(SchedulerRegistry);
    const job = registry.getCronJob(SEARCH_RESYNC_JOB);
    expect(job.cronTime.source).toBe('15 4 * * *');
    expect(job.isActive).toBe(true);
    const next = job.nextDate();
    expect([next.hour, next.minute]).toEqual([4, 15]);

    await context.close();
    instances.splice(0);
    expect(registry.doesExist('cron', SEARCH_RESYNC_JOB)).toBe(false);
    expect(job.isActive).toBe(false);
  });

  it('of two instances running it at once, exactly one walks, and the lock is released after', async () => {
    const variants = makeVariants(60);
    // One database shared by both instances; each batch takes a while, so the runs overlap.
    const store = new FakeSearchStore(variants, { listDelayMs: 20 });
    const a = await startInstance(store);
    const b = await startInstance(store);

    const reports = await Promise.all([a.resync.runNow(), b.resync.runNow()]);
    expect(reports.map((report) => report.outcome).sort()).toEqual(['ran', 'skipped-locked']);
    const ran = reports.find((report) => report.outcome === 'ran');
    expect(ran).toMatchObject({ processed: 60, written: 60 });
    expect(store.documents.size).toBe(60);
    expect(store.upsertCalls).toBe(6);
    expect(await client.get(LOCK_KEY)).toBeNull();

    const winner = reports[0].outcome === 'ran' ? a : b;
    const loser = winner === a ? b : a;
    expect(await winner.metric('stockhold_search_resync_runs_total', { outcome: 'ran' })).toBe(1);
    expect(
      await loser.metric('stockhold_search_resync_runs_total', { outcome: 'skipped-locked' }),
    ).toBe(1);
    expect(await loser.metric('stockhold_search_resync_runs_total', { outcome: 'ran' })).toBe(0);
    expect(await winner.metric('stockhold_search_backfill_documents_written_total')).toBe(60);
    expect(
      await winner.metric('stockhold_search_resync_last_success_timestamp_seconds'),
    ).toBeGreaterThan(0);
    expect(
      await winner.metric('stockhold_search_resync_last_run_duration_seconds'),
    ).toBeGreaterThan(0);

    // Released, so the next run (tomorrow's) takes it again; unchanged documents are not rewritten.
    expect(await loser.resync.runNow()).toMatchObject({
      outcome: 'ran',
      processed: 60,
      written: 0,
    });
  });

  it('never takes or breaks a lock another holder has', async () => {
    const store = new FakeSearchStore(makeVariants(20));
    const { resync } = await startInstance(store);
    await client.set(LOCK_KEY, 'someone-else', 'PX', 10_000);

    expect(await resync.runNow()).toMatchObject({ outcome: 'skipped-locked' });
    expect(store.listCalls).toHaveLength(0);
    expect(await client.get(LOCK_KEY)).toBe('someone-else');
    expect(await client.pttl(LOCK_KEY)).toBeGreaterThan(9000);
  });

  it('runs once the lock of a holder that died has expired', async () => {
    const store = new FakeSearchStore(makeVariants(20));
    const { resync } = await startInstance(store);
    await client.set(LOCK_KEY, 'a-crashed-instance', 'PX', 150);
    expect(await resync.runNow()).toMatchObject({ outcome: 'skipped-locked' });
    await sleep(250);
    expect(await resync.runNow()).toMatchObject({ outcome: 'ran', processed: 20 });
  });

  it('keeps renewing the lock through a run longer than its expiry', async () => {
    const store = new FakeSearchStore(makeVariants(60), { listDelayMs: 80 });
    const resync = { lockTtlMs: 200, renewEveryMs: 50 };
    const a = await startInstance(store, { resync });
    const b = await startInstance(store, { resync });

    const running = a.resync.runNow();
    await sleep(400);
    // Twice the expiry later, the lock is still held: renewed, not expired.
    expect(await b.resync.runNow()).toMatchObject({ outcome: 'skipped-locked' });
    expect(await running).toMatchObject({ outcome: 'ran', processed: 60 });
    expect(await client.get(LOCK_KEY)).toBeNull();
  });

  it('stops when its lock is taken over, and leaves the new holder’s lock alone', async () => {
    const warn = vi.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const store = new FakeSearchStore(makeVariants(100), { listDelayMs: 30 });
    const { resync, metric } = await startInstance(store, {
      resync: { lockTtlMs: 300, renewEveryMs: 50 },
    });
    const running = resync.runNow();
    await sleep(100);
    await client.set(LOCK_KEY, 'the-new-holder', 'PX', 10_000);

    const report = await running;
    expect(report.outcome).toBe('failed');
    expect(report.processed).toBeLessThan(100);
    expect(await client.get(LOCK_KEY)).toBe('the-new-holder');
    expect(await metric('stockhold_search_resync_runs_total', { outcome: 'failed' })).toBe(1);
    expect(warn).toHaveBeenCalledWith(
      expect.stringContaining('was taken over by another instance'),
    );
  });

  it('skips with a warning, never running unlocked, when Redis is unavailable', async () => {
    const warn = vi.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const store = new FakeSearchStore(makeVariants(20));
    const { resync, metric } = await startInstance(store, {
      redisUrl: `redis://127.0.0.1:${await freePort()}`,
    });

    expect(await resync.runNow()).toMatchObject({ outcome: 'skipped-redis-unavailable' });
    expect(store.listCalls).toHaveLength(0);
    expect(warn).toHaveBeenCalledWith(
      expect.stringContaining('search resync skipped: Redis is unavailable'),
    );
    expect(
      await metric('stockhold_search_resync_runs_total', { outcome: 'skipped-redis-unavailable' }),
    ).toBe(1);
  });

  it('on shutdown, stops the run at a batch boundary and releases the lock', async () => {
    const store = new FakeSearchStore(makeVariants(100), { listDelayMs: 20 });
    const { context, resync } = await startInstance(store);
    const running = resync.runNow();
    await sleep(70);
    await context.close();
    instances.splice(0);

    const report = await running;
    expect(report.outcome).toBe('interrupted');
    expect(report.processed).toBeGreaterThan(0);
    expect(report.processed).toBeLessThan(100);
    expect(report.processed % 10).toBe(0);
    expect(await client.get(LOCK_KEY)).toBeNull();
  });
});

describe('RedisLock', () => {
  it('is taken by one token at a time; only that token extends or releases it', async () => {
    const connection = new Redis(redis.url, { maxRetriesPerRequest: 0 });
    try {
      const lock = new RedisLock(connection, 'test:lock', 5000);
      expect(await lock.acquire('mine')).toBe(true);
      expect(await lock.acquire('theirs')).toBe(false);

      expect(await lock.extend('theirs')).toBe(false);
      expect(await lock.release('theirs')).toBe(false);
      expect(await connection.get('test:lock')).toBe('mine');

      await connection.pexpire('test:lock', 1000);
      expect(await lock.extend('mine')).toBe(true);
      expect(await connection.pttl('test:lock')).toBeGreaterThan(4000);

      expect(await lock.release('mine')).toBe(true);
      expect(await connection.get('test:lock')).toBeNull();
      expect(await lock.extend('mine')).toBe(false);
      expect(await lock.acquire('theirs')).toBe(true);
    } finally {
      connection.disconnect();
    }
  });
});
