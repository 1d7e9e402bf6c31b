import type { StockEvent } from '../events/stock-event-rules';

/**
 * The JSON body of a webhook request (docs/webhooks.md). `id` is the event id — the same in the
 * Stockhold-Event-Id header and on every retry or replay — so a receiver deduplicates on it.
 */
export interface WebhookPayload {
  id: string;
  type: StockEvent['type'];
  variantId: string;
  /** The ledger movement (and inventory version) the event comes from. */
  seq: number;
  data: {
    movement: StockEvent['movement'];
    /** The figures after the movement; `available` is what can be sold (net of holds). */
    stock: StockEvent['stock'];
    lowStockThreshold?: number;
  };
  /** When the movement was made (ISO 8601). */
  occurredAt: string;
}

export function toPayload(event: StockEvent): WebhookPayload {
  return {
    id: event.id,
    type: event.type,
    variantId: event.variantId,
    seq: event.seq,
    data: {
      movement: event.movement,
      stock: { ...event.stock },
      ...(event.lowStockThreshold !== undefined && { lowStockThreshold: event.lowStockThreshold }),
    },
    occurredAt: event.at.toISOString(),
  };
}

/** An event as it travels in a job (JSON: the date as a string). */
export type WireEvent = Omit<StockEvent, 'at'> & { at: string };

export function toWire(event: StockEvent): WireEvent {
  return { ...event, stock: { ...event.stock }, at: event.at.toISOString() };
}

export function fromWire(event: WireEvent): StockEvent {
  return { ...event, stock: { ...event.stock }, at: new Date(event.at) };
}
