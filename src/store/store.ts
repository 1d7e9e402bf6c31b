import type {
  AdjustStockCommand,
  CommitCommand,
  Inventory,
  ListReservationsQuery,
  NewVariant,
  PendingSync,
  ReconcileReport,
  ReleaseCommand,
  Reservation,
  ReservationChange,
  ReserveCommand,
  SearchDocument,
  SearchPage,
  SearchQuery,
  Variant,
  VariantWithInventory,
} from './store.types';
import type {
  CartGroupView,
  CartHoldResult,
  ExtendCommand,
  ExtendGroupCommand,
  GroupChange,
  GroupCommand,
  ReserveCartCommand,
} from './cart.types';
import type { ListMovementsQuery, MovementContext, StockMovement } from './ledger';
import {
  DEFAULT_WAITLIST_POLICY,
  type JoinWaitlistCommand,
  type WaitlistEntry,
  type WaitlistEntryView,
  type WaitlistListener,
  type WaitlistNotice,
  type WaitlistPolicy,
} from './waitlist.types';
import type {
  DeadLetterInput,
  DeliveryStatus,
  DeliveryTransition,
  NewWebhookSubscription,
  VariantToPublish,
  WebhookDelivery,
  WebhookLane,
  WebhookSubscription,
} from './webhooks';

/**
 * The persistence port. Services depend on this abstract class (it is also the DI token); the
 * MongoDB adapter and the in-memory reference model implement it. Every method is atomic: it
 * either makes its whole change or none of it, and throws a typed DomainError for domain failures.
 * Records returned are plain objects, never live persistence documents.
 */
export abstract class Store {
  abstract readonly kind: 'memory' | 'mongodb';

  /** Transaction callbacks run again after a transient error, since start (a metric). */
  abstract readonly transactionRetries: number;

  /** Creates a variant and its inventory (total = available = stock). SkuExistsError on a taken SKU. */
  abstract createVariant(
    input: NewVariant,
    now: Date,
    context?: MovementContext,
  ): Promise<VariantWithInventory>;

  abstract getVariant(variantId: string): Promise<Variant | null>;

  abstract getInventory(variantId: string): Promise<Inventory | null>;

  /**
   * Adds delta to totalStock and availableStock where the result stays ≥ 0 and ≥ reservedStock.
   * VariantNotFoundError, VersionConflictError (expectedVersion given and stale),
   * InsufficientStockError (the result would be negative or below what is reserved).
   */
  abstract adjustStock(command: AdjustStockCommand): Promise<Inventory>;

  /**
   * Places a hold: the shopper's hold list (cap and one-per-variant rule), the reservation, then the
   * inventory (available −q, reserved +q) — all or nothing.
   * VariantNotFoundError, DuplicateReservationError, MaxReservationsExceededError, OutOfStockError.
   * A taken (userId, idempotencyKey) pair surfaces as DuplicateReservationError or the like; the
   * caller re-reads the key to tell a replay from a conflict.
   */
  abstract reserve(
    command: ReserveCommand,
  ): Promise<{ reservation: Reservation; inventory: Inventory }>;

  abstract findReservation(reservationId: string): Promise<Reservation | null>;

  abstract findReservationByIdempotencyKey(
    userId: string,
    key: string,
  ): Promise<Reservation | null>;

  /** The shopper's reservations, newest first. */
  abstract listReservations(query: ListReservationsQuery): Promise<Reservation[]>;

  /**
   * active (and not past expiresAt) → committed: reserved −q, total −q. Committing a committed
   * reservation again returns it unchanged. ReservationNotFoundError (unknown or another user's),
   * ReservationExpiredError (expired, or active past expiresAt), ReservationNotActiveError (released).
   */
  abstract commitReservation(command: CommitCommand): Promise<ReservationChange>;

  /**
   * active → released | expired: reserved −q, available +q. A reservation already released or
   * expired is returned unchanged. ReservationNotFoundError, ReservationNotActiveError (committed).
   * With reason `expired`, an active reservation whose expiresAt is still ahead is left alone.
   */
  abstract releaseReservation(command: ReleaseCommand): Promise<ReservationChange>;

  /** Active reservations with expiresAt ≤ now, oldest expiry first. */
  abstract findDueReservations(now: Date, limit: number): Promise<Reservation[]>;

  /**
   * Retention, where the database has no TTL of its own (the memory store): deletes the released
   * and expired reservations that ended at or before `endedBefore`, which frees their
   * Idempotency-Keys; committed ones are kept (purchase limits, I6, are counted from them).
   * Returns how many were deleted. MongoDB leaves it out: its TTL index `ended_retention` applies
   * the same rule on the server, so the expiry sweeper calls this only when a store has it.
   */
  purgeEndedReservations?(endedBefore: Date): Promise<number>;

  /**
   * Sets (a positive integer) or removes (null) a variant's purchaseLimit; later holds are judged
   * against it. VariantNotFoundError.
   */
  abstract setPurchaseLimit(variantId: string, limit: number | null, now: Date): Promise<Variant>;

  /** Sets (an integer ≥ 0) or removes (null) a variant's lowStockThreshold. VariantNotFoundError. */
  abstract setLowStockThreshold(
    variantId: string,
    threshold: number | null,
    now: Date,
  ): Promise<Variant>;

  // ── Cart holds and extension (docs/architecture.md, "Cart holds") ───────────────────────────

  /**
   * Holds a cart in one atomic step: every held line is an ordinary reservation with the group's
   * id. Checks, in order, for the whole cart before any stock: duplicate and cap (I3) over all
   * lines, the idempotency key, unknown variants, purchase limits (I6); then stock per line under
   * the policy. CartRefusedError when nothing is held. Inventory changes in ascending variantId.
   */
  abstract reserveCart(command: ReserveCartCommand): Promise<CartHoldResult>;

  abstract findCartGroup(groupId: string): Promise<CartGroupView | null>;

  abstract findCartGroupByIdempotencyKey(
    userId: string,
    key: string,
  ): Promise<CartGroupView | null>;

  /**
   * Commits every active line, all or none: a line expired (or active past expiresAt) refuses the
   * whole commit with ReservationExpiredError. Released lines are skipped. A group with nothing
   * active left is returned unchanged if a line is committed, else ReservationNotActiveError.
   * CartGroupNotFoundError (unknown or another shopper's).
   */
  abstract commitGroup(command: GroupCommand): Promise<GroupChange>;

  /** Releases every active line; committed lines stay. Repeating it changes nothing. */
  abstract releaseGroup(command: GroupCommand): Promise<GroupChange>;

  /**
   * Moves an active hold's expiresAt to min(now + ttl, createdAt + maxLifetime) and counts the
   * extension: a conditional transition, so it either lands before the sweeper expires the hold or
   * fails cleanly. ReservationNotFoundError, ReservationExpiredError, ReservationNotActiveError,
   * HoldLifetimeExceededError (maxExtensions used, or no later expiry possible).
   */
  abstract extendReservation(command: ExtendCommand): Promise<Reservation>;

  /** Extends every active line of a group, all or none, with the rules of extendReservation. */
  abstract extendGroup(command: ExtendGroupCommand): Promise<CartGroupView>;

  /**
   * A variant's ledger movements with seq > afterSeq, ascending, at most limit (I7: every change
   * of its figures, in the atomic step that made it). An unknown variant has none.
   */
  abstract listMovements(query: ListMovementsQuery): Promise<StockMovement[]>;

  // ── Waitlist (docs/architecture.md §14) ───────────────────────────────────────────────────────
  //
  // Every operation above that frees units (release, expiry, group release, a restock) hands
  // them, in the same atomic step, to the variant's waiting entries in line order: each waiter
  // whose quantity fits gets an offer (a hold with source `waitlist`, WaitlistPolicy.offerTtlMs),
  // a waiter at a cap is skipped; what fits no waiter stays available (invariant I8).

  /**
   * Puts the shopper in line for `quantity` units: in join order, or — joined before the
   * variant's saleStartsAt — unnumbered until the opening lottery. VariantNotFoundError,
   * StockAvailableError (the variant can serve the quantity now), AlreadyWaitingError (a waiting
   * entry exists; an ended one is replaced).
   */
  abstract joinWaitlist(command: JoinWaitlistCommand): Promise<WaitlistEntryView>;

  /** The shopper's entry for the variant with its position, or null. */
  abstract getWaitlistEntry(
    userId: string,
    variantId: string,
    now: Date,
  ): Promise<WaitlistEntryView | null>;

  /** Deletes the shopper's entry for the variant, whatever its status; false when there was none. */
  abstract leaveWaitlist(userId: string, variantId: string): Promise<boolean>;

  /** Waiting entries with expiresAt ≤ now become `expired` (at most limit); returns them. */
  abstract expireWaitlistEntries(now: Date, limit: number): Promise<WaitlistEntry[]>;

  private readonly waitlistListeners: WaitlistListener[] = [];
  private policy: WaitlistPolicy = DEFAULT_WAITLIST_POLICY;

  /** How hand-over makes offers; called once at boot (tests: a seeded random source). */
  configureWaitlist(policy: Partial<WaitlistPolicy>): void {
    this.policy = { ...this.policy, ...policy };
  }

  get waitlistPolicy(): WaitlistPolicy {
    return this.policy;
  }

  /** Calls the listener with what happened to entries (offers, skips, expiries) after each commit. */
  onWaitlistNotices(listener: WaitlistListener): void {
    this.waitlistListeners.push(listener);
  }

  /** For the adapters: after the change that made them is committed. A listener never fails it. */
  protected notifyWaitlist(notices: WaitlistNotice[]): void {
    if (notices.length === 0) return;
    for (const listener of this.waitlistListeners) {
      try {
        listener(notices);
      } catch {
        // A listener only publishes what is already committed; its failure changes nothing here.
      }
    }
  }

  /** Checks I1–I3, I6, I7, I8 (and that each shopper's hold list matches their active reservations). */
  abstract reconcile(maxActiveReservations: number): Promise<ReconcileReport>;

  // ── Webhooks (architecture §13, docs/webhooks.md) ────────────────────────────────────────────

  abstract createWebhookSubscription(input: NewWebhookSubscription): Promise<WebhookSubscription>;

  /** Every subscription, oldest first. */
  abstract listWebhookSubscriptions(): Promise<WebhookSubscription[]>;

  abstract getWebhookSubscription(id: string): Promise<WebhookSubscription | null>;

  /** Deletes the subscription with its lanes and dead letters; false when there was none. */
  abstract deleteWebhookSubscription(id: string): Promise<boolean>;

  /**
   * Variants whose inventory version is past the publisher's progress (`variantIds`: only these),
   * at most limit. The ledger is gap-free per variant (I7), so the movements with seq in
   * (publishedSeq, version] are exactly the ones not yet published, whatever order concurrent
   * transactions committed in.
   */
  abstract findVariantsToPublish(limit: number, variantIds?: string[]): Promise<VariantToPublish[]>;

  /** Moves the variant's progress forward to seq (never back). */
  abstract savePublishedSeq(variantId: string, seq: number): Promise<void>;

  abstract getWebhookLane(subscriptionId: string, variantId: string): Promise<WebhookLane | null>;

  /**
   * Records that the publisher found events first…last (positions) for the lane: a new lane
   * starts settled at first − 1; published only moves forward.
   */
  abstract publishToWebhookLane(
    subscriptionId: string,
    variantId: string,
    first: number,
    last: number,
  ): Promise<void>;

  /** Moves the lane's settled position forward to position (never back). */
  abstract settleWebhookLane(
    subscriptionId: string,
    variantId: string,
    position: number,
  ): Promise<void>;

  /** Lanes with published events not yet settled (the backstop after a loss of queued jobs). */
  abstract findWebhookLanesBehind(limit: number): Promise<WebhookLane[]>;

  /** Dead-letters an event: one record per (subscription, event), kept until re-driven. */
  abstract recordWebhookDeadLetter(input: DeadLetterInput): Promise<WebhookDelivery>;

  /** A subscription's dead letters (and replays of them), newest first. */
  abstract listWebhookDeliveries(
    subscriptionId: string,
    status: DeliveryStatus | undefined,
    limit: number,
  ): Promise<WebhookDelivery[]>;

  abstract getWebhookDelivery(deliveryId: string): Promise<WebhookDelivery | null>;

  /** A conditional change of a dead letter's status; null when it is not in one of `from`. */
  abstract transitionWebhookDelivery(
    transition: DeliveryTransition,
  ): Promise<WebhookDelivery | null>;

  // ── Search sync (architecture §5) ──────────────────────────────────────────────────────────────

  /** Variants with their inventory, by id ascending, strictly after `afterId` (a range query, never skip). */
  abstract listVariants(afterId: string | null, limit: number): Promise<VariantWithInventory[]>;

  /** How many variants exist; may be an estimate (for progress bars, never for logic). */
  abstract countVariants(): Promise<number>;

  /** Inventory flagged needsSync, oldest change first. */
  abstract findPendingSyncs(limit: number): Promise<PendingSync[]>;

  /**
   * Writes each document unless the stored one already shows the same or a newer syncedVersion.
   * Returns how many were written.
   */
  abstract upsertSearchDocuments(documents: SearchDocument[]): Promise<number>;

  /** Clears needsSync only if the inventory is still at `version`; true when cleared. */
  abstract clearNeedsSync(variantId: string, version: number): Promise<boolean>;

  abstract getSearchDocument(variantId: string): Promise<SearchDocument | null>;

  abstract searchDocuments(query: SearchQuery): Promise<SearchPage>;

  /** Throws when the backing database cannot be reached. */
  abstract ping(): Promise<void>;

  abstract close(): Promise<void>;
}
