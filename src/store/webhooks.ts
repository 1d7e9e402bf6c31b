/**
 * Webhooks in the store (docs/webhooks.md, architecture §13): subscriptions, the publisher's
 * progress per variant, the delivery lanes and the dead letters. Types only; both stores
 * implement the port methods that use them.
 */
import type { StockEvent, StockEventType } from '../events/stock-event-rules';

export interface WebhookSubscription {
  id: string;
  url: string;
  /** The event types delivered; an empty list is refused before it gets here. */
  events: StockEventType[];
  /** The HMAC key of the signature. Only the create answer shows it. */
  secret: string;
  /** Events of movements made before this are not delivered to it. */
  createdAt: Date;
}

export type NewWebhookSubscription = Omit<WebhookSubscription, 'id'>;

/** A variant whose ledger is ahead of what the publisher has handed to the lanes. */
export interface VariantToPublish {
  variantId: string;
  /** The inventory version, which is the ledger's last seq (I7). */
  version: number;
  /** Every movement up to this seq was published (0: none yet). */
  publishedSeq: number;
}

/**
 * One subscription's events of one variant, delivered one at a time in order. Positions are
 * `eventPosition(seq, type)`: they order a variant's events, movement by movement.
 */
export interface WebhookLane {
  subscriptionId: string;
  variantId: string;
  /** Every event of the lane up to this position was delivered or dead-lettered. */
  settled: number;
  /** The last position the publisher found for the lane; behind while settled < published. */
  published: number;
}

export const DELIVERY_STATUSES = ['failed', 'redriving', 'delivered'] as const;
/** failed: dead-lettered; redriving: a replay is queued; delivered: a replay succeeded. */
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/** A dead letter: an event that was not delivered within the retry bound, and its replays. */
export interface WebhookDelivery {
  id: string;
  subscriptionId: string;
  eventId: string;
  event: StockEvent;
  status: DeliveryStatus;
  /** Requests made for it, over every run (the first run and each re-drive). */
  attempts: number;
  lastError: string;
  failedAt: Date;
  redrivenAt?: Date;
  deliveredAt?: Date;
}

export interface DeadLetterInput {
  subscriptionId: string;
  event: StockEvent;
  attempts: number;
  lastError: string;
  now: Date;
}

export interface DeliveryTransition {
  deliveryId: string;
  /** Only from these statuses; otherwise nothing changes and null comes back. */
  from: DeliveryStatus[];
  to: DeliveryStatus;
  now: Date;
  /** Requests made by this run, added to attempts. */
  attempts?: number;
  lastError?: string;
}

export const MAX_DELIVERIES_PAGE = 500;
