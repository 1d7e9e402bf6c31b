import { BeforeApplicationShutdown, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { Worker, type Job } from 'bullmq';
import { Clock } from '../common/clock';
import { withTimeout } from '../common/with-timeout';
import { AppConfig } from '../config/app-config';
import { eventPosition, type StockEvent } from '../events/stock-event-rules';
import { Store } from '../store/store';
import type { WebhookSubscription } from '../store/webhooks';
import {
  WEBHOOK_BACKOFF,
  WEBHOOK_QUEUE,
  WebhookDeliveryQueue,
  type WebhookJob,
} from './webhook-delivery.queue';
import { WebhookLanes } from './webhook-lanes';
import { fromWire } from './webhook-payload';
import { retryDelayMs, shouldDeadLetter } from './webhook-retry';
import { WebhookSender } from './webhook-sender';
import { WebhookMetrics } from './webhook.metrics';

/** Lanes delivered at once per process (each lane has at most one job, so lanes run in parallel). */
const CONCURRENCY = 16;
/**
 * A job's lock; renewed every half of it while the request runs (at most 5 s). A worker that dies
 * mid-delivery leaves its job locked this long, then another worker's stalled check (every
 * STALLED_CHECK_MS) queues it again: the event is sent again, with the same id.
 */
const LOCK_MS = 10_000;
const STALLED_CHECK_MS = 5_000;
/** Crashes a job may live through before BullMQ gives up on it (the lane backstop covers even that). */
const MAX_STALLS = 100;
const SHUTDOWN_GRACE_MS = 10_000;

export type JobResult = 'delivered' | 'dead_lettered' | 'stale' | 'out_of_turn' | 'gone';

/**
 * The BullMQ worker of the webhook queue (docs/webhooks.md). A lane job delivers its event only if
 * it is the lane's next one; then it settles the lane and queues the next event. A failure is
 * thrown, so BullMQ retries it with webhook-retry.ts's backoff, until WEBHOOK_RETRY_FOR_SECONDS
 * after the first failure: then the event is dead-lettered in the store and the lane moves on.
 */
@Injectable()
export class WebhookDeliveryWorker implements OnModuleInit, BeforeApplicationShutdown {
  private readonly logger = new Logger(WebhookDeliveryWorker.name);
  private worker?: Worker<WebhookJob, JobResult>;
  private outageLogged = false;

  constructor(
    private readonly queue: WebhookDeliveryQueue,
    private readonly store: Store,
    private readonly lanes: WebhookLanes,
    private readonly sender: WebhookSender,
    private readonly metrics: WebhookMetrics,
    private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {}

  onModuleInit(): void {
    const worker = new Worker<WebhookJob, JobResult>(WEBHOOK_QUEUE, (job) => this.process(job), {
      connection: this.queue.connection,
      prefix: this.queue.prefix,
      concurrency: CONCURRENCY,
      lockDuration: LOCK_MS,
      stalledInterval: STALLED_CHECK_MS,
      maxStalledCount: MAX_STALLS,
      settings: {
        backoffStrategy: (attemptsMade: number, type?: string) =>
          type === WEBHOOK_BACKOFF ? retryDelayMs(attemptsMade, this.config.webhookRetryBaseMs) : 0,
      },
    });
    worker.on('error', (error) => {
      if (this.outageLogged) return;
      this.outageLogged = true;
      this.logger.warn(`webhook worker cannot reach Redis (${error.message}); retrying`);
    });
    worker.on('ready', () => {
      this.outageLogged = false;
    });
    this.worker = worker;
  }

  /** One job; exported for the unit tests, which call it with a job-like object. */
  async process(job: Pick<Job<WebhookJob>, 'data' | 'attemptsMade' | 'updateData'>) {
    const subscription = await this.store.getWebhookSubscription(job.data.subscriptionId);
    // Deleted since it was queued: its events go nowhere.
    if (!subscription) return 'gone';
    const event = fromWire(job.data.event);
    if (job.data.kind === 'redrive') return this.redrive(job, subscription, event);

    const lane = await this.store.getWebhookLane(subscription.id, event.variantId);
    const settled = lane?.settled ?? 0;
    if (eventPosition(event) <= settled) {
      // Done already (a job queued again after its event settled, or a crash after settling):
      // make sure the lane's next event is queued, and deliver nothing.
      await this.lanes.kick(subscription, event.variantId);
      return 'stale';
    }
    const { next } = await this.lanes.nextEvent(subscription, event.variantId, settled);
    if (next?.id !== event.id) {
      // Not the lane's turn: an earlier event is still pending. Its own job comes first.
      await this.lanes.kick(subscription, event.variantId);
      return 'out_of_turn';
    }
    const outcome = await this.sender.send(subscription, event);
    if (outcome.ok) {
      this.delivered(event, 'delivered');
      await this.settle(subscription, event);
      return 'delivered';
    }
    await this.failed(job, outcome.error, async () => {
      await this.store.recordWebhookDeadLetter({
        subscriptionId: subscription.id,
        event,
        attempts: job.attemptsMade + 1,
        lastError: outcome.error,
        now: this.clock.now(),
      });
      await this.settle(subscription, event);
    });
    return 'dead_lettered';
  }

  /** A re-driven dead letter: delivered out of its lane's order (it was already passed over). */
  private async redrive(
    job: Pick<Job<WebhookJob>, 'data' | 'attemptsMade' | 'updateData'>,
    subscription: WebhookSubscription,
    event: StockEvent,
  ): Promise<JobResult> {
    const deliveryId = job.data.deliveryId ?? '';
    const outcome = await this.sender.send(subscription, event);
    if (outcome.ok) {
      this.delivered(event, 'redelivered');
      await this.store.transitionWebhookDelivery({
        deliveryId,
        from: ['redriving'],
        to: 'delivered',
        now: this.clock.now(),
        attempts: job.attemptsMade + 1,
      });
      return 'delivered';
    }
    await this.failed(job, outcome.error, async () => {
      await this.store.transitionWebhookDelivery({
        deliveryId,
        from: ['redriving'],
        to: 'failed',
        now: this.clock.now(),
        attempts: job.attemptsMade + 1,
        lastError: outcome.error,
      });
    });
    return 'dead_lettered';
  }

  /** Past the bound: dead-letter (and return); within it: remember the first failure and throw. */
  private async failed(
    job: Pick<Job<WebhookJob>, 'data' | 'attemptsMade' | 'updateData'>,
    error: string,
    deadLetter: () => Promise<void>,
  ): Promise<void> {
    const now = this.clock.now().getTime();
    const firstFailureAt = job.data.firstFailureAt ?? now;
    if (shouldDeadLetter(firstFailureAt, now, this.config.webhookRetryForSeconds * 1000)) {
      await deadLetter();
      this.metrics.deliveries.inc({ outcome: 'dead_lettered' });
      this.metrics.deadLetters.inc();
      this.logger.warn(
        `webhook event ${job.data.event.id} to subscription ${job.data.subscriptionId} ` +
          `dead-lettered after ${job.attemptsMade + 1} attempt(s): ${error}`,
      );
      return;
    }
    if (job.data.firstFailureAt === undefined)
      await job.updateData({ ...job.data, firstFailureAt });
    this.metrics.deliveries.inc({ outcome: 'retried' });
    throw new Error(error);
  }

  private async settle(subscription: WebhookSubscription, event: StockEvent): Promise<void> {
    await this.store.settleWebhookLane(subscription.id, event.variantId, eventPosition(event));
    await this.lanes.kick(subscription, event.variantId);
  }

  private delivered(event: StockEvent, outcome: 'delivered' | 'redelivered'): void {
    this.metrics.deliveries.inc({ outcome });
    const lagSeconds = (this.clock.now().getTime() - event.at.getTime()) / 1000;
    this.metrics.lag.observe(Math.max(0, lagSeconds));
  }

  /**
   * Stop taking jobs and let running deliveries finish. With Redis away BullMQ's graceful close
   * would wait for Redis forever, so the worker is closed by force at once: its running jobs are
   * picked up again as stalled by the next worker (their events go out again, same ids).
   */
  async beforeApplicationShutdown(): Promise<void> {
    const worker = this.worker;
    if (!worker) return;
    if (this.queue.available) {
      try {
        await withTimeout(worker.close(), SHUTDOWN_GRACE_MS, 'webhook worker close');
        return;
      } catch {
        // Redis went away meanwhile: force it, below.
      }
    }
    await withTimeout(worker.close(true), 1000, 'webhook worker forced close').catch(() => {
      // A client between reconnection attempts never reports its end: not waited for.
      void worker.disconnect().catch(() => undefined);
    });
  }
}
