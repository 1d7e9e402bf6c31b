import { newObjectId } from '../object-id';
import type {
  DeadLetterInput,
  DeliveryStatus,
  DeliveryTransition,
  NewWebhookSubscription,
  VariantToPublish,
  WebhookDelivery,
  WebhookLane,
  WebhookSubscription,
} from '../webhooks';
import { copy, pairKey, type MemoryState } from './memory.state';

/**
 * The webhook collections of the memory store (subscriptions, publisher progress, lanes, dead
 * letters), mirroring the MongoDB ones. Each method is synchronous inside, so atomic.
 */
export class MemoryWebhooks {
  private readonly subscriptions = new Map<string, WebhookSubscription>();
  /** variantId → the last seq the publisher handed on. */
  private readonly progress = new Map<string, number>();
  /** pairKey(subscriptionId, variantId) → lane. */
  private readonly lanes = new Map<string, WebhookLane>();
  private readonly deliveries = new Map<string, WebhookDelivery>();

  constructor(private readonly state: MemoryState) {}

  createSubscription(input: NewWebhookSubscription): WebhookSubscription {
    const subscription = copy({ ...input, id: newObjectId(input.createdAt) });
    this.subscriptions.set(subscription.id, subscription);
    return copy(subscription);
  }

  listSubscriptions(): WebhookSubscription[] {
    return [...this.subscriptions.values()].sort(byId).map(copy);
  }

  getSubscription(id: string): WebhookSubscription | null {
    const subscription = this.subscriptions.get(id.toLowerCase());
    return subscription ? copy(subscription) : null;
  }

  deleteSubscription(id: string): boolean {
    const key = id.toLowerCase();
    if (!this.subscriptions.delete(key)) return false;
    for (const [laneKey, lane] of this.lanes) {
      if (lane.subscriptionId === key) this.lanes.delete(laneKey);
    }
    for (const [deliveryId, delivery] of this.deliveries) {
      if (delivery.subscriptionId === key) this.deliveries.delete(deliveryId);
    }
    return true;
  }

  variantsToPublish(variantIds: string[] | undefined, limit: number): VariantToPublish[] {
    const found: VariantToPublish[] = [];
    const candidates = variantIds ?? [...this.state.inventory.keys()];
    for (const variantId of candidates) {
      if (found.length >= limit) break;
      const inventory = this.state.inventory.get(variantId);
      if (!inventory) continue;
      const publishedSeq = this.progress.get(variantId) ?? 0;
      if (inventory.version > publishedSeq) {
        found.push({ variantId, version: inventory.version, publishedSeq });
      }
    }
    return found;
  }

  savePublishedSeq(variantId: string, seq: number): void {
    this.progress.set(variantId, Math.max(this.progress.get(variantId) ?? 0, seq));
  }

  getLane(subscriptionId: string, variantId: string): WebhookLane | null {
    const lane = this.lanes.get(pairKey(subscriptionId, variantId));
    return lane ? copy(lane) : null;
  }

  publishToLane(subscriptionId: string, variantId: string, first: number, last: number): void {
    const key = pairKey(subscriptionId, variantId);
    const lane = this.lanes.get(key) ?? {
      subscriptionId,
      variantId,
      settled: first - 1,
      published: 0,
    };
    lane.published = Math.max(lane.published, last);
    this.lanes.set(key, lane);
  }

  settleLane(subscriptionId: string, variantId: string, position: number): void {
    const key = pairKey(subscriptionId, variantId);
    const lane = this.lanes.get(key) ?? { subscriptionId, variantId, settled: 0, published: 0 };
    lane.settled = Math.max(lane.settled, position);
    this.lanes.set(key, lane);
  }

  lanesBehind(limit: number): WebhookLane[] {
    return [...this.lanes.values()]
      .filter((lane) => lane.settled < lane.published)
      .slice(0, Math.max(0, limit))
      .map(copy);
  }

  recordDeadLetter(input: DeadLetterInput): WebhookDelivery {
    const existing = [...this.deliveries.values()].find(
      (delivery) =>
        delivery.subscriptionId === input.subscriptionId && delivery.eventId === input.event.id,
    );
    const delivery: WebhookDelivery = {
      id: existing?.id ?? newObjectId(input.now),
      subscriptionId: input.subscriptionId,
      eventId: input.event.id,
      event: copy(input.event),
      status: 'failed',
      attempts: (existing?.attempts ?? 0) + input.attempts,
      lastError: input.lastError,
      failedAt: input.now,
    };
    this.deliveries.set(delivery.id, delivery);
    return copy(delivery);
  }

  listDeliveries(
    subscriptionId: string,
    status: DeliveryStatus | undefined,
    limit: number,
  ): WebhookDelivery[] {
    return [...this.deliveries.values()]
      .filter((d) => d.subscriptionId === subscriptionId && (!status || d.status === status))
      .sort((a, b) => b.failedAt.getTime() - a.failedAt.getTime() || byId(b, a))
      .slice(0, Math.max(0, limit))
      .map(copy);
  }

  getDelivery(deliveryId: string): WebhookDelivery | null {
    const delivery = this.deliveries.get(deliveryId.toLowerCase());
    return delivery ? copy(delivery) : null;
  }

  transitionDelivery(transition: DeliveryTransition): WebhookDelivery | null {
    const delivery = this.deliveries.get(transition.deliveryId.toLowerCase());
    if (!delivery || !transition.from.includes(delivery.status)) return null;
    delivery.status = transition.to;
    delivery.attempts += transition.attempts ?? 0;
    if (transition.lastError !== undefined) delivery.lastError = transition.lastError;
    if (transition.to === 'redriving') delivery.redrivenAt = transition.now;
    if (transition.to === 'delivered') delivery.deliveredAt = transition.now;
    if (transition.to === 'failed') delivery.failedAt = transition.now;
    return copy(delivery);
  }
}

function byId(a: { id: string }, b: { id: string }): number {
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}
