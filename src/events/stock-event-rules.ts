import type { StockFigures, StockMovement } from '../store/ledger';

export const STOCK_EVENT_TYPES = [
  'stock.changed',
  'stock.low',
  'stock.sold_out',
  'stock.back_in_stock',
] as const;
export type StockEventType = (typeof STOCK_EVENT_TYPES)[number];

/** One event of the stock stream: what a webhook delivers, and what a consumer deduplicates on. */
export interface StockEvent {
  /** `${variantId}:${seq}:${type}` — the same every time the movement is read, so it is stable. */
  id: string;
  type: StockEventType;
  variantId: string;
  /** The movement (and inventory version) the event comes from. */
  seq: number;
  movement: StockMovement['type'];
  /** The figures after the movement. */
  stock: StockFigures;
  /** The variant's threshold when the event is `stock.low`. */
  lowStockThreshold?: number;
  at: Date;
}

export function stockEventId(variantId: string, seq: number, type: StockEventType): string {
  return `${variantId}:${seq}:${type}`;
}

/**
 * Where an event stands among its variant's events: by movement (seq), then in the order
 * eventsOfMovement gives them (stock.changed first). Webhook lanes deliver in this order.
 */
export function eventPosition(event: Pick<StockEvent, 'seq' | 'type'>): number {
  return event.seq * STOCK_EVENT_TYPES.length + STOCK_EVENT_TYPES.indexOf(event.type);
}

/** The seq of the movement an event position belongs to. */
export function seqOfPosition(position: number): number {
  return Math.floor(position / STOCK_EVENT_TYPES.length);
}

/**
 * The events of one ledger movement. Every movement is a `stock.changed`; on AVAILABLE stock (net
 * of holds, what can actually be sold) it may also be:
 * - `stock.sold_out` when available falls to 0 from above;
 * - `stock.back_in_stock` when available rises above 0 from 0 (not on creation: a variant that
 *   starts with stock was never out of it);
 * - `stock.low` when available falls from above `lowStockThreshold` to at or below it, and not to
 *   0 (that is `stock.sold_out`). A fall from 5 to 2 with threshold 2 is low; a rise from 0 to 1 is
 *   back in stock, not low.
 *
 * The figures before the movement are `after − delta`: the ledger's own invariant (I7), so the
 * rule needs nothing but the movement and the variant's threshold, and gives the same events
 * every time the same movement is read (the event ids are stable).
 */
export function eventsOfMovement(
  movement: StockMovement,
  lowStockThreshold: number | undefined,
): StockEvent[] {
  const before = movement.after.available - movement.delta.available;
  const now = movement.after.available;
  const event = (type: StockEventType): StockEvent => ({
    id: stockEventId(movement.variantId, movement.seq, type),
    type,
    variantId: movement.variantId,
    seq: movement.seq,
    movement: movement.type,
    stock: { ...movement.after },
    ...(type === 'stock.low' && { lowStockThreshold }),
    at: movement.at,
  });
  const events = [event('stock.changed')];
  if (before > 0 && now === 0) events.push(event('stock.sold_out'));
  if (before === 0 && now > 0 && movement.type !== 'created') {
    events.push(event('stock.back_in_stock'));
  }
  if (
    lowStockThreshold !== undefined &&
    before > lowStockThreshold &&
    now <= lowStockThreshold &&
    now > 0
  ) {
    events.push(event('stock.low'));
  }
  return events;
}
