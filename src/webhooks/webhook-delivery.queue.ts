import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import { Queue } from 'bullmq';
import type Redis from 'ioredis';
import { RedisConnections } from '../common/redis/redis-connections';
import { withTimeout } from '../common/with-timeout';
import { AppConfig } from '../config/app-config';
import type { WireEvent } from './webhook-payload';

export const WEBHOOK_QUEUE = 'webhook-deliveries';
/** The custom backoff the worker registers (webhook-retry.ts). */
export const WEBHOOK_BACKOFF = 'webhook';
/**
 * Attempts are bounded by time (WEBHOOK_RETRY_FOR_SECONDS), not by count: the worker dead-letters
 * an event itself once the bound has passed. This count is only a ceiling BullMQ needs.
 */
const ATTEMPTS_CEILING = 1_000_000;
const ADD_TIMEOUT_MS = 2000;

export interface WebhookJob {
  /** lane: the next event of a (subscription, variant) lane; redrive: a replay of a dead letter. */
  kind: 'lane' | 'redrive';
  subscriptionId: string;
  event: WireEvent;
  /** redrive only: the dead letter being replayed. */
  deliveryId?: string;
  /** Set at the first failure; the retry bound counts from it. */
  firstFailureAt?: number;
}

/**
 * BullMQ ids may not contain ':' (bullmq's job.js refuses them), which event ids do: dots instead.
 * The same (subscription, event) always gets the same id, so publishing it again while it is
 * queued adds nothing (Queue.add with an existing jobId returns the existing job).
 */
export function laneJobId(subscriptionId: string, eventId: string): string {
  return `${subscriptionId}.${eventId.replaceAll(':', '.')}`;
}

export function redriveJobId(deliveryId: string): string {
  return `redrive.${deliveryId}`;
}

/**
 * The webhook delivery queue (docs/webhooks.md). Jobs are removed once they end, completed or
 * failed: every outcome that matters is in the store (lane positions, dead letters), and a
 * removed job's id can be queued again, which the lanes' backstop relies on.
 */
@Injectable()
export class WebhookDeliveryQueue implements OnApplicationShutdown {
  readonly connection: Redis;
  readonly prefix: string;
  private readonly queue: Queue<WebhookJob>;
  private closing = false;

  constructor(redis: RedisConnections, config: AppConfig) {
    this.connection = redis.create('queue');
    this.prefix = config.queuePrefix;
    this.queue = new Queue<WebhookJob>(WEBHOOK_QUEUE, {
      connection: this.connection,
      prefix: this.prefix,
      defaultJobOptions: {
        attempts: ATTEMPTS_CEILING,
        backoff: { type: WEBHOOK_BACKOFF },
        removeOnComplete: true,
        removeOnFail: true,
      },
    });
    // RedisConnections reports outages once; an unhandled 'error' event would crash the process.
    this.queue.on('error', () => undefined);
  }

  get available(): boolean {
    return !this.closing && this.connection.status === 'ready';
  }

  /** Queues a job; throws when Redis is away or slow (the caller keeps its progress and retries). */
  async add(job: WebhookJob, jobId: string): Promise<void> {
    if (!this.available) throw new Error('Redis is not available for the webhook queue');
    await withTimeout(this.queue.add(job.kind, job, { jobId }), ADD_TIMEOUT_MS, 'webhook enqueue');
  }

  /** Jobs waiting, delayed (retries) and running, or null when Redis cannot say. */
  async backlog(): Promise<number | null> {
    if (!this.available) return null;
    try {
      const counts = await withTimeout(
        this.queue.getJobCounts('waiting', 'delayed', 'active', 'prioritized'),
        1000,
        'webhook job counts',
      );
      return Object.values(counts).reduce((sum, count) => sum + (count ?? 0), 0);
    } catch {
      return null;
    }
  }

  async onApplicationShutdown(): Promise<void> {
    this.closing = true;
    await withTimeout(this.queue.close(), 1000, 'webhook queue close').catch(() => undefined);
  }
}
