import { Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { Clock } from '../common/clock';
import {
  DeliveryNotFailedError,
  DeliveryNotFoundError,
  ServiceUnavailableError,
  ValidationFailedError,
  WebhookNotFoundError,
} from '../common/errors/domain-errors';
import { AppConfig } from '../config/app-config';
import { Store } from '../store/store';
import type { DeliveryStatus, WebhookDelivery, WebhookSubscription } from '../store/webhooks';
import type { CreateWebhookDto } from './dto/create-webhook.dto';
import { redriveJobId, WebhookDeliveryQueue } from './webhook-delivery.queue';
import { toWire } from './webhook-payload';
import { checkWebhookTarget, WebhookTargetRefused } from './webhook-target';

/** `whsec_` and 32 random bytes: what a subscription made without a secret gets. */
export function generateSecret(): string {
  return `whsec_${randomBytes(32).toString('base64url')}`;
}

/** Webhook subscriptions and their dead letters (docs/webhooks.md). */
@Injectable()
export class WebhooksService {
  constructor(
    private readonly store: Store,
    private readonly config: AppConfig,
    private readonly clock: Clock,
    private readonly queue: WebhookDeliveryQueue,
  ) {}

  async create(input: CreateWebhookDto): Promise<WebhookSubscription> {
    try {
      await checkWebhookTarget(input.url, this.config.webhookAllowPrivate);
    } catch (error) {
      const reason =
        error instanceof WebhookTargetRefused
          ? error.message
          : `url's host could not be resolved (${(error as NodeJS.ErrnoException).code ?? 'error'})`;
      throw new ValidationFailedError('The webhook url is refused', [reason]);
    }
    return this.store.createWebhookSubscription({
      url: input.url,
      events: [...input.events],
      secret: input.secret ?? generateSecret(),
      createdAt: this.clock.now(),
    });
  }

  list(): Promise<WebhookSubscription[]> {
    return this.store.listWebhookSubscriptions();
  }

  async get(id: string): Promise<WebhookSubscription> {
    const subscription = await this.store.getWebhookSubscription(id);
    if (!subscription) throw new WebhookNotFoundError(id);
    return subscription;
  }

  async delete(id: string): Promise<void> {
    if (!(await this.store.deleteWebhookSubscription(id))) throw new WebhookNotFoundError(id);
  }

  async deliveries(
    id: string,
    status: DeliveryStatus | undefined,
    limit: number,
  ): Promise<WebhookDelivery[]> {
    await this.get(id);
    return this.store.listWebhookDeliveries(id, status, limit);
  }

  /**
   * Queues a replay of a dead letter, with the same event id and body. From `failed`, or again
   * from `redriving` (a replay whose job was lost with Redis; while it is queued, the same job
   * id makes this a no-op). A delivered one is 409.
   */
  async redrive(id: string, deliveryId: string): Promise<WebhookDelivery> {
    await this.get(id);
    const delivery = await this.store.getWebhookDelivery(deliveryId);
    if (!delivery || delivery.subscriptionId !== id) throw new DeliveryNotFoundError(deliveryId);
    if (!this.queue.available) {
      throw new ServiceUnavailableError('The webhook queue (Redis) is not available; try again', 5);
    }
    const redriving = await this.store.transitionWebhookDelivery({
      deliveryId,
      from: ['failed', 'redriving'],
      to: 'redriving',
      now: this.clock.now(),
    });
    if (!redriving) throw new DeliveryNotFailedError(deliveryId, delivery.status);
    try {
      await this.queue.add(
        { kind: 'redrive', subscriptionId: id, deliveryId, event: toWire(delivery.event) },
        redriveJobId(deliveryId),
      );
    } catch {
      // Not queued: back to a dead letter, so it shows as failed and can be re-driven again.
      await this.store.transitionWebhookDelivery({
        deliveryId,
        from: ['redriving'],
        to: 'failed',
        now: this.clock.now(),
      });
      throw new ServiceUnavailableError('The webhook queue (Redis) is not available; try again', 5);
    }
    return redriving;
  }
}
