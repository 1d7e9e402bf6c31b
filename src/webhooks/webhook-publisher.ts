import {
  BeforeApplicationShutdown,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnModuleInit,
} from '@nestjs/common';
import { PeriodicTask } from '../common/periodic-task';
import { AppConfig } from '../config/app-config';
import { StockBus } from '../bus/stock-bus';
import { eventPosition } from '../events/stock-event-rules';
import { StockEvents } from '../events/stock-events';
import { Store } from '../store/store';
import type { VariantToPublish } from '../store/webhooks';
import { WebhookDeliveryQueue } from './webhook-delivery.queue';
import { eventsForSubscription, WebhookLanes } from './webhook-lanes';

/** Variants read per round, and movements per ledger page. */
const VARIANT_BATCH = 200;
const MOVEMENT_PAGE = 500;

/**
 * The publisher (docs/webhooks.md, "Publishing"): turns ledger movements into events for the
 * subscriptions' lanes. Its progress is a seq per variant, saved in the store only after every
 * lane that got events from those movements was handed its next job — so a crash at any point
 * publishes some movements again (their jobs are deduplicated by id), never none.
 *
 * Why per-variant seqs and not a cursor on the movements' `_id` or time: movements of different
 * variants commit in any order, so a movement with a smaller `_id` can appear after a larger one
 * was read; a variant's own seqs are gap-free and commit in order (I7), so "everything up to seq n
 * of this variant" is always a true statement. Why not a change stream: its resume token expires
 * with the oplog window and the memory store has none; this works the same on both stores.
 *
 * Which variants to read: those a stock change was seen for (this process's StockEvents, other
 * processes' through the stock bus) every WEBHOOK_PUBLISH_INTERVAL_MS, and every variant behind
 * its progress every WEBHOOK_SWEEP_MS (the backstop for a lost bus message or a crash), which also
 * re-queues lanes whose queued job was lost with Redis.
 */
@Injectable()
export class WebhookPublisher
  implements OnModuleInit, OnApplicationBootstrap, BeforeApplicationShutdown
{
  private readonly logger = new Logger(WebhookPublisher.name);
  private readonly changed = new Set<string>();
  private readonly recent: PeriodicTask<void>;
  private readonly sweep: PeriodicTask<void>;

  constructor(
    private readonly store: Store,
    private readonly queue: WebhookDeliveryQueue,
    private readonly lanes: WebhookLanes,
    private readonly config: AppConfig,
    private readonly stockEvents: StockEvents,
    private readonly bus: StockBus,
  ) {
    this.recent = new PeriodicTask('webhook publisher', () => this.publishChanged(), this.logger);
    this.sweep = new PeriodicTask('webhook sweep', () => this.publishAll(), this.logger);
  }

  onModuleInit(): void {
    this.stockEvents.subscribe((variantId) => void this.changed.add(variantId));
    this.bus.onRemoteChange((change) => void this.changed.add(change.variantId));
  }

  onApplicationBootstrap(): void {
    this.recent.start(this.config.webhookPublishIntervalMs);
    this.sweep.start(this.config.webhookSweepMs);
    // What happened while no publisher ran is found at once, not a sweep interval later.
    void this.sweep.run().catch((error: unknown) => this.report('webhook sweep', error));
  }

  async beforeApplicationShutdown(): Promise<void> {
    await Promise.all([this.recent.stop(), this.sweep.stop()]);
  }

  /** The variants a change was seen for since the last round. */
  async publishChanged(): Promise<void> {
    if (this.changed.size === 0 || !this.queue.available) return;
    const variantIds = [...this.changed];
    this.changed.clear();
    try {
      for (let i = 0; i < variantIds.length; i += VARIANT_BATCH) {
        const batch = variantIds.slice(i, i + VARIANT_BATCH);
        await this.publishVariants(await this.store.findVariantsToPublish(batch.length, batch));
      }
    } catch (error) {
      // Tried again next round (and the sweep finds them anyway).
      for (const variantId of variantIds) this.changed.add(variantId);
      throw error;
    }
  }

  /** Every variant behind its progress, then every lane behind (its queued job may be lost). */
  async publishAll(): Promise<void> {
    if (!this.queue.available) return;
    for (;;) {
      const behind = await this.store.findVariantsToPublish(VARIANT_BATCH);
      await this.publishVariants(behind);
      if (behind.length < VARIANT_BATCH) break;
    }
    const lanes = await this.store.findWebhookLanesBehind(VARIANT_BATCH * 5);
    for (const lane of lanes) {
      const subscription = await this.store.getWebhookSubscription(lane.subscriptionId);
      if (subscription) await this.lanes.kick(subscription, lane.variantId);
    }
  }

  private async publishVariants(variants: VariantToPublish[]): Promise<void> {
    for (const variant of variants) await this.publishVariant(variant);
  }

  private async publishVariant({ variantId, version, publishedSeq }: VariantToPublish) {
    // Read after the version: a subscription made before the movements up to it were made is
    // in the list (short of an insert still in flight since before those movements), so with none
    // there is nothing to hand on and nothing to read.
    if ((await this.store.listWebhookSubscriptions()).length === 0) {
      await this.store.savePublishedSeq(variantId, version);
      return;
    }
    let afterSeq = publishedSeq;
    while (afterSeq < version) {
      const movements = await this.store.listMovements({
        variantId,
        afterSeq,
        limit: Math.min(MOVEMENT_PAGE, version - afterSeq),
      });
      if (movements.length === 0) break;
      // Read after the movements: a subscription made before one of them was made is in the list.
      const subscriptions = await this.store.listWebhookSubscriptions();
      const variant = subscriptions.length > 0 ? await this.store.getVariant(variantId) : null;
      for (const subscription of subscriptions) {
        const events = eventsForSubscription(subscription, movements, variant?.lowStockThreshold);
        if (events.length === 0) continue;
        await this.store.publishToWebhookLane(
          subscription.id,
          variantId,
          eventPosition(events[0]),
          eventPosition(events[events.length - 1]),
        );
        await this.lanes.kick(subscription, variantId);
      }
      afterSeq = movements[movements.length - 1].seq;
      await this.store.savePublishedSeq(variantId, afterSeq);
    }
  }

  private report(task: string, error: unknown): void {
    this.logger.error(`${task} failed: ${(error as Error)?.message ?? String(error)}`);
  }
}
