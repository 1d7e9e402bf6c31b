import { Injectable } from '@nestjs/common';
import {
  eventPosition,
  eventsOfMovement,
  seqOfPosition,
  type StockEvent,
} from '../events/stock-event-rules';
import type { StockMovement } from '../store/ledger';
import { Store } from '../store/store';
import type { WebhookSubscription } from '../store/webhooks';
import { laneJobId, WebhookDeliveryQueue } from './webhook-delivery.queue';
import { toWire } from './webhook-payload';

const LEDGER_PAGE = 200;

/** The last position an event of the movement with this seq can have. */
function lastPositionOf(seq: number): number {
  return eventPosition({ seq: seq + 1, type: 'stock.changed' }) - 1;
}

/** The events of `movements` a subscription takes: its types, and only from its creation on. */
export function eventsForSubscription(
  subscription: Pick<WebhookSubscription, 'events' | 'createdAt'>,
  movements: StockMovement[],
  lowStockThreshold: number | undefined,
): StockEvent[] {
  return movements
    .filter((movement) => movement.at.getTime() >= subscription.createdAt.getTime())
    .flatMap((movement) => eventsOfMovement(movement, lowStockThreshold))
    .filter((event) => subscription.events.includes(event.type));
}

/**
 * Delivery lanes (docs/webhooks.md, "Ordering"): one per (subscription, variant), holding at most
 * one queued job — the job of its next event, the first one past `settled`. A job is queued only
 * for that event, and the worker settles it (delivered or dead-lettered) before queueing the one
 * after, so a variant's event n+1 never goes out before n is done. The ledger is the lane's
 * backlog: its next event is read from the movements, never kept anywhere else.
 */
@Injectable()
export class WebhookLanes {
  constructor(
    private readonly store: Store,
    private readonly queue: WebhookDeliveryQueue,
  ) {}

  /**
   * The lane's first event past `settled`, or null when it has none (yet); `readThrough` is the
   * last position of the ledger read, so a lane with no pending event can be settled up to there
   * and never read those movements again (a lane of rare events on a busy variant).
   */
  async nextEvent(
    subscription: WebhookSubscription,
    variantId: string,
    settled: number,
  ): Promise<{ next: StockEvent | null; readThrough: number }> {
    const variant = await this.store.getVariant(variantId);
    if (!variant) return { next: null, readThrough: settled };
    // From the movement `settled` belongs to: its later events may still be pending.
    let afterSeq = Math.max(seqOfPosition(settled) - 1, 0);
    for (;;) {
      const page = await this.store.listMovements({ variantId, afterSeq, limit: LEDGER_PAGE });
      const next = eventsForSubscription(subscription, page, variant.lowStockThreshold).find(
        (event) => eventPosition(event) > settled,
      );
      if (next) return { next, readThrough: eventPosition(next) };
      if (page.length > 0) afterSeq = page[page.length - 1].seq;
      if (page.length < LEDGER_PAGE) {
        return { next: null, readThrough: Math.max(settled, lastPositionOf(afterSeq)) };
      }
    }
  }

  /**
   * Queues the lane's next event, if it has one. Queueing it again while it is queued adds
   * nothing (same job id). Throws when Redis cannot take it: the caller tries again later.
   */
  async kick(subscription: WebhookSubscription, variantId: string): Promise<void> {
    const lane = await this.store.getWebhookLane(subscription.id, variantId);
    const settled = lane?.settled ?? 0;
    const { next, readThrough } = await this.nextEvent(subscription, variantId, settled);
    if (next) {
      await this.queue.add(
        { kind: 'lane', subscriptionId: subscription.id, event: toWire(next) },
        laneJobId(subscription.id, next.id),
      );
    } else if (lane && readThrough > settled) {
      // Nothing pending up to the end of the ledger read: nothing is left to deliver up to there.
      // (The ledger is contiguous and commits in seq order, so no earlier movement can appear.)
      await this.store.settleWebhookLane(subscription.id, variantId, readThrough);
    }
  }
}
