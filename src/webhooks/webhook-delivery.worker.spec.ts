import { Registry } from 'prom-client';
import { beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../common/clock';
import { loadConfig } from '../config/app-config';
import { StockEvents } from '../events/stock-events';
import type { StockBus } from '../bus/stock-bus';
import type { MetricsService } from '../metrics/metrics.service';
import { MemoryStore } from '../store/memory/memory.store';
import type { WebhookSubscription } from '../store/webhooks';
import type { WebhookDeliveryQueue, WebhookJob } from './webhook-delivery.queue';
import { WebhookDeliveryWorker } from './webhook-delivery.worker';
import { WebhookLanes } from './webhook-lanes';
import { WebhookPublisher } from './webhook-publisher';
import type { SendOutcome, WebhookSender } from './webhook-sender';
import { WebhookMetrics } from './webhook.metrics';

const T0 = new Date('2030-01-01T00:00:00.000Z');

/** A queue that keeps jobs in memory, deduplicated by id like BullMQ while a job exists. */
class FakeQueue {
  readonly jobs = new Map<string, WebhookJob>();
  available = true;
  async add(job: WebhookJob, jobId: string): Promise<void> {
    if (!this.jobs.has(jobId)) this.jobs.set(jobId, job);
  }
  take(): { id: string; job: WebhookJob } | undefined {
    const [first] = this.jobs.entries();
    if (!first) return undefined;
    this.jobs.delete(first[0]);
    return { id: first[0], job: first[1] };
  }
}

describe('webhook lanes and the delivery worker', () => {
  let store: MemoryStore;
  let clock: ManualClock;
  let queue: FakeQueue;
  let sent: string[];
  let answer: (eventId: string) => SendOutcome;
  let worker: WebhookDeliveryWorker;
  let publisher: WebhookPublisher;
  let subscription: WebhookSubscription;

  beforeEach(async () => {
    store = new MemoryStore();
    clock = new ManualClock(T0);
    queue = new FakeQueue();
    sent = [];
    answer = () => ({ ok: true, status: 200 });
    const config = loadConfig({ NODE_ENV: 'test', WEBHOOK_RETRY_FOR_SECONDS: '60' });
    const sender = {
      send: async (_s: WebhookSubscription, event: { id: string }) => {
        sent.push(event.id);
        return answer(event.id);
      },
    } as unknown as WebhookSender;
    const metrics = new WebhookMetrics({ registry: new Registry() } as MetricsService);
    const lanes = new WebhookLanes(store, queue as unknown as WebhookDeliveryQueue);
    worker = new WebhookDeliveryWorker(
      queue as unknown as WebhookDeliveryQueue,
      store,
      lanes,
      sender,
      metrics,
      config,
      clock,
    );
    const bus = { onRemoteChange: () => undefined } as unknown as StockBus;
    publisher = new WebhookPublisher(
      store,
      queue as unknown as WebhookDeliveryQueue,
      lanes,
      config,
      new StockEvents(),
      bus,
    );
    subscription = await store.createWebhookSubscription({
      url: 'http://receiver.test/hook',
      events: ['stock.changed', 'stock.sold_out'],
      secret: 'a-secret-of-sixteen',
      createdAt: T0,
    });
  });

  const job = (data: WebhookJob, attemptsMade = 0) => ({
    data,
    attemptsMade,
    updateData: async (next: WebhookJob) => void Object.assign(data, next),
  });

  /** Runs queued jobs until none is left; a job that throws is put back (a retry). */
  async function drain(limit = 100): Promise<void> {
    for (let i = 0; i < limit; i++) {
      const next = queue.take();
      if (!next) return;
      // One job per lane at any time: nothing else of this lane may be queued meanwhile.
      expect(queue.jobs.size).toBe(0);
      await worker.process(job(next.job));
    }
  }

  async function sale(): Promise<string> {
    const { variant } = await store.createVariant({ sku: 'S', title: 'S', price: 1, stock: 2 }, T0);
    await store.adjustStock({ variantId: variant.id, delta: -2, now: T0 });
    await store.adjustStock({ variantId: variant.id, delta: 1, now: T0 });
    return variant.id;
  }

  it('queues one job per lane and delivers a variant’s events in order, each once', async () => {
    const variantId = await sale();
    await publisher.publishAll();
    expect(queue.jobs.size).toBe(1);
    await drain();
    const id = (seq: number, type: string) => `${variantId}:${seq}:${type}`;
    expect(sent).toEqual([
      id(1, 'stock.changed'),
      id(2, 'stock.changed'),
      id(2, 'stock.sold_out'),
      id(3, 'stock.changed'),
    ]);
    // With nothing pending, the lane is settled to the end of the ledger it read (the last
    // position of seq 3), so later reads start there, not at its last delivered event.
    expect((await store.getWebhookLane(subscription.id, variantId))?.settled).toBe(4 * 4 - 1);
    // Publishing again (a crash before the progress was saved) delivers nothing twice.
    await store.savePublishedSeq(variantId, 0);
    await publisher.publishAll();
    await drain();
    expect(sent).toHaveLength(4);
  });

  it('a job that is not its lane’s next event delivers nothing; a settled one neither', async () => {
    const variantId = await sale();
    await publisher.publishAll();
    const first = queue.take()!;
    // The lane's third event, queued out of turn (say, by a stale process): refused.
    const third = {
      ...first.job,
      event: {
        ...first.job.event,
        seq: 2,
        type: 'stock.sold_out' as const,
        id: `${variantId}:2:stock.sold_out`,
      },
    };
    expect(await worker.process(job(third))).toBe('out_of_turn');
    expect(sent).toEqual([]);
    expect(await worker.process(job(first.job))).toBe('delivered');
    expect(await worker.process(job(first.job))).toBe('stale');
    expect(sent).toEqual([first.job.event.id]);
  });

  it('retries within the bound, then dead-letters and moves the lane on', async () => {
    const variantId = await sale();
    await publisher.publishAll();
    answer = (eventId) =>
      eventId.endsWith(':1:stock.changed')
        ? { ok: false, error: 'HTTP 500' }
        : { ok: true, status: 200 };
    const first = queue.take()!;
    await expect(worker.process(job(first.job))).rejects.toThrow('HTTP 500');
    expect(first.job.firstFailureAt).toBe(T0.getTime());
    clock.advance(59_000);
    await expect(worker.process(job(first.job, 1))).rejects.toThrow('HTTP 500');
    // Nothing after the failing event was queued meanwhile: order holds.
    expect(queue.jobs.size).toBe(0);
    clock.advance(1_000);
    expect(await worker.process(job(first.job, 2))).toBe('dead_lettered');
    const [letter] = await store.listWebhookDeliveries(subscription.id, 'failed', 10);
    expect(letter).toMatchObject({ eventId: `${variantId}:1:stock.changed`, attempts: 3 });
    await drain();
    expect(sent.slice(3)).toEqual([
      `${variantId}:2:stock.changed`,
      `${variantId}:2:stock.sold_out`,
      `${variantId}:3:stock.changed`,
    ]);
  });

  it('a lane of rare events is settled past the movements it read, so none is read twice', async () => {
    const rare = await store.createWebhookSubscription({
      url: 'http://receiver.test/rare',
      events: ['stock.back_in_stock'],
      secret: 'a-secret-of-sixteen',
      createdAt: T0,
    });
    await store.deleteWebhookSubscription(subscription.id);
    const variantId = await sale();
    await store.adjustStock({ variantId, delta: 1, now: T0 });
    await store.adjustStock({ variantId, delta: 1, now: T0 });
    await publisher.publishAll();
    await drain();
    expect(sent).toEqual([`${variantId}:3:stock.back_in_stock`]);
    // Read through seq 5 looking for its next event: settled to seq 5's last position.
    expect((await store.getWebhookLane(rare.id, variantId))?.settled).toBe(6 * 4 - 1);
    // Movements without an event for it neither touch the lane nor queue anything.
    for (let i = 0; i < 3; i++) await store.adjustStock({ variantId, delta: 1, now: T0 });
    await publisher.publishAll();
    expect(queue.jobs.size).toBe(0);
    expect((await store.getWebhookLane(rare.id, variantId))?.settled).toBe(6 * 4 - 1);
    expect(sent).toHaveLength(1);
  });

  it('drops the jobs of a deleted subscription', async () => {
    await sale();
    await publisher.publishAll();
    await store.deleteWebhookSubscription(subscription.id);
    expect(await worker.process(job(queue.take()!.job))).toBe('gone');
    expect(sent).toEqual([]);
  });
});
