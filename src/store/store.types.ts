/** Plain domain records the store port speaks in. Adapters map their persistence shapes to these. */
import type { MovementContext } from './ledger';

export const RESERVATION_STATUSES = ['active', 'committed', 'released', 'expired'] as const;
export type ReservationStatus = (typeof RESERVATION_STATUSES)[number];

export interface Variant {
  id: string;
  sku: string;
  productId: string;
  title: string;
  attributes: Record<string, string>;
  /** Integer minor units (cents). */
  price: number;
  salePrice?: number;
  saleStartsAt?: Date;
  saleEndsAt?: Date;
  /** Units one shopper may hold and buy in total (active + committed, invariant I6); none when unset. */
  purchaseLimit?: number;
  /** Available stock at or below which a `stock.low` event is sent; none when unset. */
  lowStockThreshold?: number;
  createdAt: Date;
  updatedAt: Date;
}

export interface Inventory {
  variantId: string;
  totalStock: number;
  reservedStock: number;
  /** Stored and indexed: always totalStock − reservedStock (invariant I1). */
  availableStock: number;
  /** Bumped by every stock change (invariant I5). */
  version: number;
  /** Set with every stock change, cleared by the search sync once that version is indexed. */
  needsSync: boolean;
  updatedAt: Date;
}

export interface Reservation {
  id: string;
  userId: string;
  variantId: string;
  quantity: number;
  status: ReservationStatus;
  expiresAt: Date;
  idempotencyKey?: string;
  requestHash?: string;
  /** The cart hold this reservation is a line of, if any. */
  groupId?: string;
  /** How many times the hold was extended (at most MAX_HOLD_EXTENSIONS). */
  extensions: number;
  /** `waitlist` for a hold the waitlist offered (architecture §14); absent for a direct hold. */
  source?: 'waitlist';
  createdAt: Date;
  updatedAt: Date;
  endedAt?: Date;
}

export interface NewVariant {
  sku: string;
  title: string;
  price: number;
  stock: number;
  productId?: string;
  attributes?: Record<string, string>;
  salePrice?: number;
  saleStartsAt?: Date;
  saleEndsAt?: Date;
  purchaseLimit?: number;
  lowStockThreshold?: number;
}

export interface VariantWithInventory {
  variant: Variant;
  inventory: Inventory;
}

export interface AdjustStockCommand extends MovementContext {
  variantId: string;
  /** Added to totalStock and availableStock; may be negative. */
  delta: number;
  /** Compare-and-swap: fail with VersionConflictError unless the inventory is at this version. */
  expectedVersion?: number;
  now: Date;
}

export interface ReserveCommand extends MovementContext {
  userId: string;
  variantId: string;
  quantity: number;
  expiresAt: Date;
  /** Per-shopper cap on active holds (invariant I3). */
  maxActiveReservations: number;
  idempotencyKey?: string;
  requestHash?: string;
  now: Date;
  /**
   * A `performance.now()` time by which the hold must be placed or given up: a store that retries
   * (MongoDB transactions) stops retrying then and throws RequestDeadlineExceededError.
   */
  deadline?: number;
}

export interface ReservationChange {
  reservation: Reservation;
  /** The inventory after the change; null when nothing changed. */
  inventory: Inventory | null;
  /** False when the reservation was already in the requested end state (an idempotent repeat). */
  changed: boolean;
}

export interface CommitCommand extends MovementContext {
  reservationId: string;
  userId: string;
  now: Date;
}

export interface ReleaseCommand extends MovementContext {
  reservationId: string;
  /** The owner; omitted by the expiry sweeper, which acts for the system. */
  userId?: string;
  /** `expired` only moves a reservation whose expiresAt has passed. */
  reason: 'released' | 'expired';
  now: Date;
}

export interface ListReservationsQuery {
  userId: string;
  status?: ReservationStatus;
  limit: number;
}

export type InvariantName = 'I1' | 'I2' | 'I3' | 'I6' | 'I7' | 'I8' | 'HOLDS';

export interface InvariantViolation {
  invariant: InvariantName;
  /** The variant id (I1, I2, I7, I8) or user id (I3, I6, HOLDS) the violation is about. */
  subject: string;
  message: string;
}

export interface ReconcileReport {
  ok: boolean;
  /** Number of inventory documents checked. */
  checked: number;
  violations: InvariantViolation[];
}

/** The searchable view of a variant (architecture §2 searchdocuments), kept in sync from the inventory. */
export interface SearchDocument {
  variantId: string;
  sku: string;
  productId: string;
  title: string;
  attributes: Record<string, string>;
  /** List price, integer minor units. */
  price: number;
  salePrice?: number;
  saleStartsAt?: Date;
  saleEndsAt?: Date;
  inStock: boolean;
  availableStock: number;
  /** The inventory version this document shows; a document is only ever replaced by a newer one. */
  syncedVersion: number;
  syncedAt: Date;
}

export interface SearchQuery {
  /** Words matched against title and sku (case-insensitive, every word must match). */
  q?: string;
  inStock?: boolean;
  limit: number;
  /** Opaque: the nextCursor of the previous page (results are ordered by variantId). */
  cursor?: string;
}

export interface SearchPage {
  items: SearchDocument[];
  nextCursor: string | null;
}

export interface PendingSync {
  variantId: string;
  version: number;
  /** When the unsynced change happened (inventory.updatedAt). */
  changedAt: Date;
}
