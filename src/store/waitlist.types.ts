/**
 * The waitlist (docs/architecture.md §14, docs/waitlist.md): shoppers waiting for a sold-out
 * variant, and the offers freed units become. Records of the store port, and the pure pieces both
 * stores share.
 */
import { randomInt } from 'node:crypto';
import type { InvariantViolation } from './store.types';

/**
 * `waiting` until the entry ends: `offered` (freed units became a hold for the shopper),
 * `skipped` (units were there, but the shopper was at a cap: see skipReason) or `expired`
 * (WAITLIST_TTL_SECONDS passed). A shopper leaving deletes the entry.
 */
export const WAITLIST_STATUSES = ['waiting', 'offered', 'skipped', 'expired'] as const;
export type WaitlistStatus = (typeof WAITLIST_STATUSES)[number];

/** Why a waiter was passed over: the code the same hold would have been refused with. */
export const SKIP_REASONS = [
  'MAX_RESERVATIONS_EXCEEDED',
  'DUPLICATE_RESERVATION',
  'PURCHASE_LIMIT_EXCEEDED',
] as const;
export type SkipReason = (typeof SKIP_REASONS)[number];

/** What the movements and holds of an offer name as their maker. */
export const WAITLIST_ACTOR = 'waitlist';

export interface WaitlistEntry {
  id: string;
  userId: string;
  variantId: string;
  quantity: number;
  status: WaitlistStatus;
  joinedAt: Date;
  expiresAt: Date;
  /**
   * The place in line: smaller goes first. Null for an entry made before the variant's
   * saleStartsAt, until the opening lottery gives it one.
   */
  order: number | null;
  /** The offer's hold (status offered). */
  reservationId?: string;
  /** Why the entry was skipped (status skipped). */
  skipReason?: SkipReason;
  updatedAt: Date;
}

export interface WaitlistEntryView extends WaitlistEntry {
  /**
   * 1 + the waiting entries ahead; null when the entry is not waiting, or waits for the opening
   * lottery (order null).
   */
  position: number | null;
}

export interface JoinWaitlistCommand {
  userId: string;
  variantId: string;
  quantity: number;
  /** now + WAITLIST_TTL_SECONDS. */
  expiresAt: Date;
  now: Date;
}

/** How hand-over makes offers; set once at boot from the configuration (Store.configureWaitlist). */
export interface WaitlistPolicy {
  /** WAITLIST_OFFER_TTL_SECONDS in ms: an offer's hold expires this long after it is made. */
  offerTtlMs: number;
  /** MAX_ACTIVE_RESERVATIONS: an offer is a hold like any other (I3). */
  maxActiveReservations: number;
  /** A number in [0, 1): the opening lottery's shuffle. Seeded in tests. */
  random: () => number;
}

/** Unpredictable by shoppers (a lottery bots could foresee would be no lottery). */
export function secureRandom(): number {
  return randomInt(2 ** 47) / 2 ** 47;
}

export const DEFAULT_WAITLIST_POLICY: WaitlistPolicy = {
  offerTtlMs: 120_000,
  maxActiveReservations: 5,
  random: secureRandom,
};

/** What happened to a shopper's entry, for their waitlist stream; sent after the change commits. */
export type WaitlistNotice =
  | {
      type: 'offer';
      userId: string;
      variantId: string;
      entryId: string;
      reservationId: string;
      quantity: number;
      expiresAt: Date;
    }
  | { type: 'skipped'; userId: string; variantId: string; entryId: string; reason: SkipReason }
  | { type: 'expired'; userId: string; variantId: string; entryId: string };

export type WaitlistListener = (notices: WaitlistNotice[]) => void;

/** A Fisher–Yates shuffle with the given source: every order equally likely. Returns a new array. */
export function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const result = [...items];
  for (let i = result.length - 1; i > 0; i--) {
    const j = Math.min(i, Math.floor(random() * (i + 1)));
    [result[i], result[j]] = [result[j], result[i]];
  }
  return result;
}

/** Line order: by order, then by id (ObjectIds, so by creation). Entries without order go last. */
export function compareEntries(
  a: Pick<WaitlistEntry, 'order' | 'id'>,
  b: Pick<WaitlistEntry, 'order' | 'id'>,
): number {
  const orderA = a.order ?? Number.POSITIVE_INFINITY;
  const orderB = b.order ?? Number.POSITIVE_INFINITY;
  if (orderA !== orderB) return orderA < orderB ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** Whether the opening lottery is due: the sale has started (or the variant has no start). */
export function saleOpen(saleStartsAt: Date | undefined | null, now: Date): boolean {
  return !saleStartsAt || now >= saleStartsAt;
}

/**
 * Invariant I8 for one variant: while entries wait, availableStock is below the smallest waiting
 * quantity — freed units went to the waiters, not back to whoever refreshes fastest.
 */
export function waitlistViolations(
  variantId: string,
  availableStock: number,
  smallestWaitingQuantity: number | undefined,
): InvariantViolation[] {
  if (smallestWaitingQuantity === undefined || availableStock < smallestWaitingQuantity) return [];
  return [
    {
      invariant: 'I8',
      subject: variantId,
      message:
        `availableStock is ${availableStock} while a waiting entry wants ` +
        `${smallestWaitingQuantity}: freed units did not go to the waitlist`,
    },
  ];
}

/**
 * The entry as its shopper sees it: a waiting entry past its expiresAt is expired already, even
 * before the sweeper has marked it.
 */
export function entryView(
  entry: WaitlistEntry,
  now: Date,
  ahead: number | null,
): WaitlistEntryView {
  const lapsed = entry.status === 'waiting' && entry.expiresAt <= now;
  const waiting = entry.status === 'waiting' && !lapsed;
  return {
    ...entry,
    status: lapsed ? 'expired' : entry.status,
    position: waiting && entry.order !== null && ahead !== null ? ahead + 1 : null,
  };
}
