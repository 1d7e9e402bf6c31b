import { toPayload, type WebhookPayload } from './webhook-payload';
import type { StockEventType } from '../events/stock-event-rules';
import type { DeliveryStatus, WebhookDelivery, WebhookSubscription } from '../store/webhooks';

/** A subscription as every answer shows it: never with its secret. */
export interface WebhookResponse {
  id: string;
  url: string;
  events: StockEventType[];
  createdAt: string;
}

/** The create answer, the only one that shows the secret. */
export interface CreatedWebhookResponse extends WebhookResponse {
  secret: string;
}

export interface DeliveryResponse {
  id: string;
  subscriptionId: string;
  eventId: string;
  status: DeliveryStatus;
  attempts: number;
  lastError: string;
  failedAt: string;
  redrivenAt?: string;
  deliveredAt?: string;
  /** The body the replay sends (and the first run sent). */
  payload: WebhookPayload;
}

export function presentWebhook(subscription: WebhookSubscription): WebhookResponse {
  return {
    id: subscription.id,
    url: subscription.url,
    events: [...subscription.events],
    createdAt: subscription.createdAt.toISOString(),
  };
}

export function presentCreatedWebhook(subscription: WebhookSubscription): CreatedWebhookResponse {
  return { ...presentWebhook(subscription), secret: subscription.secret };
}

export function presentDelivery(delivery: WebhookDelivery): DeliveryResponse {
  return {
    id: delivery.id,
    subscriptionId: delivery.subscriptionId,
    eventId: delivery.eventId,
    status: delivery.status,
    attempts: delivery.attempts,
    lastError: delivery.lastError,
    failedAt: delivery.failedAt.toISOString(),
    ...(delivery.redrivenAt && { redrivenAt: delivery.redrivenAt.toISOString() }),
    ...(delivery.deliveredAt && { deliveredAt: delivery.deliveredAt.toISOString() }),
    payload: toPayload(delivery.event),
  };
}
