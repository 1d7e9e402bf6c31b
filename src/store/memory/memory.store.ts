import {
  DuplicateReservationError,
  InsufficientStockError,
  OutOfStockError,
  ReservationExpiredError,
  ReservationNotActiveError,
  SkuExistsError,
  VariantNotFoundError,
  VersionConflictError,
} from '../../common/errors/domain-errors';
import { isObjectId, newObjectId } from '../object-id';
import { MemoryCarts } from './memory.carts';
import { MemoryWaitlist } from './memory.waitlist';
import type { JoinWaitlistCommand, WaitlistEntry, WaitlistEntryView } from '../waitlist.types';
import { copy, MemoryState, pairKey } from './memory.state';
import { purgeEndedReservations } from './memory.retention';
import {
  adminContext,
  ledgerViolations,
  MOVEMENT_DELTAS,
  shopperContext,
  type ListMovementsQuery,
  type MovementContext,
  type StockMovement,
} from '../ledger';
import { ledgerPage, ledgerSummary } from './memory.ledger';
import { MemoryWebhooks } from './memory.webhooks';
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
import { matchesWords, searchWords } from '../search-text';
import { Store } from '../store';
import type {
  AdjustStockCommand,
  CommitCommand,
  Inventory,
  InvariantViolation,
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
} from '../store.types';
import type {
  CartGroupView,
  CartHoldResult,
  ExtendCommand,
  ExtendGroupCommand,
  GroupChange,
  GroupCommand,
  ReserveCartCommand,
} from '../cart.types';

/**
 * The in-memory reference model of the store port (architecture §9). Every method does all of its reads
 * and writes synchronously, with no `await` in between, so on Node's single thread each operation
 * is atomic by construction. It mirrors the MongoDB collections and the order of the checks in the
 * reserve algorithm (architecture §4) so both adapters answer the same way. Not durable: demo and tests.
 */
export class MemoryStore extends Store {
  readonly kind = 'memory';
  /** Nothing here ever retries; kept so metrics read the same field from both adapters. */
  readonly transactionRetries = 0;

  private readonly state = new MemoryState();
  private readonly waitlist = new MemoryWaitlist(
    this.state,
    () => this.waitlistPolicy,
    (notices) => this.notifyWaitlist(notices),
  );
  private readonly carts = new MemoryCarts(this.state, (variantId, now) =>
    this.waitlist.handOver(variantId, now),
  );
  private readonly webhooks = new MemoryWebhooks(this.state);
  /** The `searchdocuments` collection, by variantId. */
  private readonly searchDocumentsByVariant = new Map<string, SearchDocument>();

  async createVariant(
    input: NewVariant,
    now: Date,
    context?: MovementContext,
  ): Promise<VariantWithInventory> {
    if (this.state.variantIdBySku.has(input.sku.toLowerCase())) throw new SkuExistsError(input.sku);
    const id = newObjectId(now);
    const variant: Variant = copy({
      id,
      sku: input.sku,
      // A variant created without a product stands for a product of its own.
      productId: input.productId ?? id,
      title: input.title,
      attributes: input.attributes ?? {},
      price: input.price,
      ...(input.salePrice !== undefined && { salePrice: input.salePrice }),
      ...(input.saleStartsAt !== undefined && { saleStartsAt: input.saleStartsAt }),
      ...(input.saleEndsAt !== undefined && { saleEndsAt: input.saleEndsAt }),
      ...(input.purchaseLimit !== undefined && { purchaseLimit: input.purchaseLimit }),
      ...(input.lowStockThreshold !== undefined && {
        lowStockThreshold: input.lowStockThreshold,
      }),
      createdAt: now,
      updatedAt: now,
    });
    // Creation is the first stock change, so the inventory starts at version 1, needing a sync.
    const inventory: Inventory = {
      variantId: id,
      totalStock: input.stock,
      reservedStock: 0,
      availableStock: input.stock,
      version: 1,
      needsSync: true,
      updatedAt: new Date(now),
    };
    this.state.variants.set(id, variant);
    this.state.variantIdBySku.set(input.sku.toLowerCase(), id);
    this.state.inventory.set(id, inventory);
    const delta = { total: input.stock, reserved: 0, available: input.stock };
    this.state.recordMovement(inventory, now, 'created', delta, { context: adminContext(context) });
    return { variant: copy(variant), inventory: copy(inventory) };
  }

  async getVariant(variantId: string): Promise<Variant | null> {
    const variant = this.state.variants.get(variantId);
    return variant ? copy(variant) : null;
  }

  async getInventory(variantId: string): Promise<Inventory | null> {
    const inventory = this.state.inventory.get(variantId);
    return inventory ? copy(inventory) : null;
  }

  async adjustStock(command: AdjustStockCommand): Promise<Inventory> {
    const inventory = this.state.inventory.get(command.variantId);
    if (!inventory) throw new VariantNotFoundError(command.variantId);
    if (command.expectedVersion !== undefined && command.expectedVersion !== inventory.version) {
      throw new VersionConflictError(command.expectedVersion, inventory.version);
    }
    const totalStock = inventory.totalStock + command.delta;
    if (totalStock < 0 || totalStock < inventory.reservedStock) {
      throw new InsufficientStockError(
        `Cannot change total stock of ${command.variantId} by ${command.delta}: ` +
          `${inventory.totalStock} in stock, ${inventory.reservedStock} reserved`,
      );
    }
    inventory.totalStock = totalStock;
    inventory.availableStock += command.delta;
    this.state.markChanged(
      inventory,
      command.now,
      'adjusted',
      MOVEMENT_DELTAS.adjusted(command.delta),
      {
        context: adminContext(command),
      },
    );
    // A restock frees units: the waitlist has them first (I8).
    if (command.delta > 0) this.waitlist.handOver(command.variantId, command.now);
    return copy(inventory);
  }

  async reserve(
    command: ReserveCommand,
  ): Promise<{ reservation: Reservation; inventory: Inventory }> {
    const { userId, variantId, quantity } = command;
    // Same order as the MongoDB transaction: hold list, reservation insert, purchase counter, hot
    // inventory last.
    this.state.checkHoldsAllowed(userId, [variantId], command.maxActiveReservations);
    // A taken key is the unique-index violation on insert; the caller tells replay from conflict.
    if (
      command.idempotencyKey !== undefined &&
      this.state.reservationIdByIdempotencyKey.has(pairKey(userId, command.idempotencyKey))
    ) {
      throw new DuplicateReservationError(variantId);
    }
    const { variant, inventory } = this.state.variantOrThrow(variantId);
    this.state.checkPurchaseLimit(userId, variant, quantity);
    if (inventory.availableStock < quantity) {
      throw new OutOfStockError(variantId, inventory.availableStock);
    }
    const reservation = this.state.placeHold(
      { ...command, context: shopperContext(command) },
      inventory,
    );
    return { reservation: copy(reservation), inventory: copy(inventory) };
  }

  async setPurchaseLimit(variantId: string, limit: number | null, now: Date): Promise<Variant> {
    const { variant } = this.state.variantOrThrow(variantId);
    if (limit === null) delete variant.purchaseLimit;
    else variant.purchaseLimit = limit;
    variant.updatedAt = new Date(now);
    return copy(variant);
  }

  async setLowStockThreshold(
    variantId: string,
    threshold: number | null,
    now: Date,
  ): Promise<Variant> {
    const { variant } = this.state.variantOrThrow(variantId);
    if (threshold === null) delete variant.lowStockThreshold;
    else variant.lowStockThreshold = threshold;
    variant.updatedAt = new Date(now);
    return copy(variant);
  }

  reserveCart(command: ReserveCartCommand): Promise<CartHoldResult> {
    return this.carts.reserveCart(command);
  }

  findCartGroup(groupId: string): Promise<CartGroupView | null> {
    return this.carts.findGroup(groupId);
  }

  findCartGroupByIdempotencyKey(userId: string, key: string): Promise<CartGroupView | null> {
    return this.carts.findGroupByIdempotencyKey(userId, key);
  }

  commitGroup(command: GroupCommand): Promise<GroupChange> {
    return this.carts.commitGroup(command);
  }

  releaseGroup(command: GroupCommand): Promise<GroupChange> {
    return this.carts.releaseGroup(command);
  }

  extendReservation(command: ExtendCommand): Promise<Reservation> {
    return this.carts.extendReservation(command);
  }

  extendGroup(command: ExtendGroupCommand): Promise<CartGroupView> {
    return this.carts.extendGroup(command);
  }

  async findReservation(reservationId: string): Promise<Reservation | null> {
    const reservation = this.state.reservations.get(reservationId);
    return reservation ? copy(reservation) : null;
  }

  async findReservationByIdempotencyKey(userId: string, key: string): Promise<Reservation | null> {
    const reservationId = this.state.reservationIdByIdempotencyKey.get(pairKey(userId, key));
    return reservationId === undefined ? null : this.findReservation(reservationId);
  }

  async listReservations(query: ListReservationsQuery): Promise<Reservation[]> {
    return (this.state.reservationIdsByUser.get(query.userId) ?? [])
      .map((id) => this.state.reservations.get(id)!)
      .filter((r) => query.status === undefined || r.status === query.status)
      .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || compareIds(b.id, a.id))
      .slice(0, Math.max(0, query.limit))
      .map(copy);
  }

  async commitReservation(command: CommitCommand): Promise<ReservationChange> {
    const reservation = this.state.ownedReservation(command.reservationId, command.userId);
    if (reservation.status === 'committed') {
      return { reservation: copy(reservation), inventory: null, changed: false };
    }
    if (reservation.status === 'released') {
      throw new ReservationNotActiveError(reservation.id, reservation.status);
    }
    // Past expiresAt the hold is expired even before the sweeper has got to it.
    if (reservation.status === 'expired' || reservation.expiresAt <= command.now) {
      throw new ReservationExpiredError(reservation.id);
    }
    const inventory = this.state.commit(reservation, command.now, shopperContext(command));
    return { reservation: copy(reservation), inventory: copy(inventory), changed: true };
  }

  async releaseReservation(command: ReleaseCommand): Promise<ReservationChange> {
    const reservation = this.state.ownedReservation(command.reservationId, command.userId);
    const unchanged = { reservation: copy(reservation), inventory: null, changed: false };
    if (reservation.status === 'released' || reservation.status === 'expired') return unchanged;
    if (reservation.status === 'committed') {
      throw new ReservationNotActiveError(reservation.id, reservation.status);
    }
    // The sweeper may race a TTL change or a clock skew: only a hold that is really due expires.
    if (command.reason === 'expired' && reservation.expiresAt > command.now) return unchanged;
    const inventory = this.state.release(
      reservation,
      command.reason,
      command.now,
      shopperContext(command),
    );
    // The freed units go to the variant's waiters first, in this same step (I8).
    this.waitlist.handOver(reservation.variantId, command.now);
    return { reservation: copy(reservation), inventory: copy(inventory), changed: true };
  }

  async joinWaitlist(command: JoinWaitlistCommand): Promise<WaitlistEntryView> {
    return this.waitlist.join(command);
  }

  async getWaitlistEntry(
    userId: string,
    variantId: string,
    now: Date,
  ): Promise<WaitlistEntryView | null> {
    return this.waitlist.get(userId, variantId, now);
  }

  async leaveWaitlist(userId: string, variantId: string): Promise<boolean> {
    return this.waitlist.leave(userId, variantId);
  }

  async expireWaitlistEntries(now: Date, limit: number): Promise<WaitlistEntry[]> {
    return this.waitlist.expire(now, limit);
  }

  async findDueReservations(now: Date, limit: number): Promise<Reservation[]> {
    return [...this.state.activeReservationIds]
      .map((id) => this.state.reservations.get(id)!)
      .filter((r) => r.expiresAt <= now)
      .sort((a, b) => a.expiresAt.getTime() - b.expiresAt.getTime() || compareIds(a.id, b.id))
      .slice(0, Math.max(0, limit))
      .map(copy);
  }

  override async purgeEndedReservations(endedBefore: Date): Promise<number> {
    return purgeEndedReservations(this.state, endedBefore);
  }

  async listMovements(query: ListMovementsQuery): Promise<StockMovement[]> {
    return ledgerPage(this.state, query);
  }

  async reconcile(maxActiveReservations: number): Promise<ReconcileReport> {
    const violations: InvariantViolation[] = [];
    const active = [...this.state.reservations.values()].filter((r) => r.status === 'active');

    const reservedByVariant = new Map<string, number>();
    for (const r of active) {
      reservedByVariant.set(r.variantId, (reservedByVariant.get(r.variantId) ?? 0) + r.quantity);
    }
    for (const inv of this.state.inventory.values()) {
      const figures = [inv.totalStock, inv.reservedStock, inv.availableStock];
      if (!figures.every((n) => Number.isInteger(n) && n >= 0)) {
        violations.push(i1(inv, 'has a stock figure that is not an integer ≥ 0'));
      } else if (inv.availableStock !== inv.totalStock - inv.reservedStock) {
        violations.push(i1(inv, 'availableStock is not totalStock − reservedStock'));
      }
      violations.push(...ledgerViolations(inv, ledgerSummary(this.state, inv.variantId)));
      const expected = reservedByVariant.get(inv.variantId) ?? 0;
      if (inv.reservedStock !== expected) {
        violations.push({
          invariant: 'I2',
          subject: inv.variantId,
          message: `reservedStock is ${inv.reservedStock} but active reservations hold ${expected}`,
        });
      }
    }
    for (const variantId of reservedByVariant.keys()) {
      if (!this.state.inventory.has(variantId)) {
        violations.push({
          invariant: 'I2',
          subject: variantId,
          message: 'active reservations exist for a variant with no inventory',
        });
      }
    }

    const activeByUser = groupBy(active, (r) => r.userId);
    for (const [userId, reservations] of activeByUser) {
      if (reservations.length > maxActiveReservations) {
        violations.push({
          invariant: 'I3',
          subject: userId,
          message: `${reservations.length} active reservations, more than ${maxActiveReservations}`,
        });
      }
      for (const [variantId, sameVariant] of groupBy(reservations, (r) => r.variantId)) {
        if (sameVariant.length > 1) {
          violations.push({
            invariant: 'I3',
            subject: userId,
            message: `${sameVariant.length} active reservations for variant ${variantId}`,
          });
        }
      }
    }

    const users = new Set([...activeByUser.keys(), ...this.state.userholds.keys()]);
    for (const userId of users) {
      const expected = (activeByUser.get(userId) ?? []).map((r) =>
        holdKey(r.id, r.variantId, r.quantity),
      );
      const actual = (this.state.userholds.get(userId) ?? []).map((h) =>
        holdKey(h.reservationId, h.variantId, h.quantity),
      );
      if (expected.sort().join() !== actual.sort().join()) {
        violations.push({
          invariant: 'HOLDS',
          subject: userId,
          message: `hold list [${actual.join(', ')}] differs from active reservations [${expected.join(', ')}]`,
        });
      }
    }

    violations.push(...this.carts.purchaseLimitViolations());
    violations.push(...this.waitlist.violations());
    return { ok: violations.length === 0, checked: this.state.inventory.size, violations };
  }

  async countVariants(): Promise<number> {
    return this.state.variants.size;
  }

  async listVariants(afterId: string | null, limit: number): Promise<VariantWithInventory[]> {
    const after = afterId === null ? null : normalizedId(afterId, 'afterId');
    return [...this.state.variants.keys()]
      .filter((id) => after === null || id > after)
      .sort(compareIds)
      .slice(0, Math.max(0, limit))
      .map((id) => ({
        variant: copy(this.state.variants.get(id)!),
        inventory: copy(this.inventoryOfVariant(id)),
      }));
  }

  async findPendingSyncs(limit: number): Promise<PendingSync[]> {
    return [...this.state.inventory.values()]
      .filter((inventory) => inventory.needsSync)
      .sort(
        (a, b) =>
          a.updatedAt.getTime() - b.updatedAt.getTime() || compareIds(a.variantId, b.variantId),
      )
      .slice(0, Math.max(0, limit))
      .map((inventory) => ({
        variantId: inventory.variantId,
        version: inventory.version,
        changedAt: new Date(inventory.updatedAt),
      }));
  }

  async upsertSearchDocuments(documents: SearchDocument[]): Promise<number> {
    let written = 0;
    for (const document of documents) {
      const stored = this.searchDocumentsByVariant.get(document.variantId);
      if (stored && stored.syncedVersion >= document.syncedVersion) continue;
      this.searchDocumentsByVariant.set(document.variantId, copy(document));
      written += 1;
    }
    return written;
  }

  async clearNeedsSync(variantId: string, version: number): Promise<boolean> {
    const inventory = this.state.inventory.get(variantId);
    if (!inventory || inventory.version !== version) return false;
    inventory.needsSync = false;
    return true;
  }

  async getSearchDocument(variantId: string): Promise<SearchDocument | null> {
    const document = this.searchDocumentsByVariant.get(variantId);
    return document ? copy(document) : null;
  }

  async searchDocuments(query: SearchQuery): Promise<SearchPage> {
    if (query.limit <= 0) return { items: [], nextCursor: null };
    const cursor = query.cursor === undefined ? null : normalizedId(query.cursor, 'cursor');
    const words = query.q === undefined ? null : searchWords(query.q);
    // A query of nothing but punctuation has no word to match.
    if (words !== null && words.length === 0) return { items: [], nextCursor: null };
    const matching = [...this.searchDocumentsByVariant.values()]
      .filter((document) => cursor === null || document.variantId > cursor)
      .filter((document) => query.inStock === undefined || document.inStock === query.inStock)
      .filter((document) => words === null || matchesWords(document, words))
      .sort((a, b) => compareIds(a.variantId, b.variantId));
    const items = matching.slice(0, query.limit).map(copy);
    const more = matching.length > query.limit;
    return { items, nextCursor: more ? items[items.length - 1].variantId : null };
  }

  async createWebhookSubscription(input: NewWebhookSubscription): Promise<WebhookSubscription> {
    return this.webhooks.createSubscription(input);
  }

  async listWebhookSubscriptions(): Promise<WebhookSubscription[]> {
    return this.webhooks.listSubscriptions();
  }

  async getWebhookSubscription(id: string): Promise<WebhookSubscription | null> {
    return this.webhooks.getSubscription(id);
  }

  async deleteWebhookSubscription(id: string): Promise<boolean> {
    return this.webhooks.deleteSubscription(id);
  }

  async findVariantsToPublish(limit: number, variantIds?: string[]): Promise<VariantToPublish[]> {
    return this.webhooks.variantsToPublish(variantIds, limit);
  }

  async savePublishedSeq(variantId: string, seq: number): Promise<void> {
    this.webhooks.savePublishedSeq(variantId, seq);
  }

  async getWebhookLane(subscriptionId: string, variantId: string): Promise<WebhookLane | null> {
    return this.webhooks.getLane(subscriptionId, variantId);
  }

  async publishToWebhookLane(
    subscriptionId: string,
    variantId: string,
    first: number,
    last: number,
  ): Promise<void> {
    this.webhooks.publishToLane(subscriptionId, variantId, first, last);
  }

  async settleWebhookLane(subscriptionId: string, variantId: string, position: number) {
    this.webhooks.settleLane(subscriptionId, variantId, position);
  }

  async findWebhookLanesBehind(limit: number): Promise<WebhookLane[]> {
    return this.webhooks.lanesBehind(limit);
  }

  async recordWebhookDeadLetter(input: DeadLetterInput): Promise<WebhookDelivery> {
    return this.webhooks.recordDeadLetter(input);
  }

  async listWebhookDeliveries(
    subscriptionId: string,
    status: DeliveryStatus | undefined,
    limit: number,
  ): Promise<WebhookDelivery[]> {
    return this.webhooks.listDeliveries(subscriptionId, status, limit);
  }

  async getWebhookDelivery(deliveryId: string): Promise<WebhookDelivery | null> {
    return this.webhooks.getDelivery(deliveryId);
  }

  async transitionWebhookDelivery(transition: DeliveryTransition): Promise<WebhookDelivery | null> {
    return this.webhooks.transitionDelivery(transition);
  }

  async ping(): Promise<void> {}

  async close(): Promise<void> {}

  /**
   * TEST-ONLY. Overwrites inventory fields without any of the invariants, so the contract suite
   * can show that reconcile detects broken data. Nothing in src/ may call this.
   */
  corruptInventoryForTest(variantId: string, patch: Partial<Inventory>): void {
    const inventory = this.state.inventory.get(variantId);
    if (!inventory) throw new VariantNotFoundError(variantId);
    Object.assign(inventory, copy(patch));
  }

  private inventoryOfVariant(variantId: string): Inventory {
    const inventory = this.state.inventory.get(variantId);
    // Unreachable: a variant and its inventory are created together and never removed.
    if (!inventory) throw new Error(`variant ${variantId} has no inventory`);
    return inventory;
  }
}

function holdKey(reservationId: string, variantId: string, quantity: number): string {
  return `${reservationId}/${variantId}×${quantity}`;
}

/** Ids compare as lower-case hex, the order MongoDB gives ObjectIds. */
function normalizedId(id: string, name: string): string {
  if (!isObjectId(id)) throw new Error(`${name} must be a 24-hex id`);
  return id.toLowerCase();
}

function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function i1(inventory: Inventory, problem: string): InvariantViolation {
  const { totalStock, reservedStock, availableStock } = inventory;
  return {
    invariant: 'I1',
    subject: inventory.variantId,
    message: `${problem} (total ${totalStock}, reserved ${reservedStock}, available ${availableStock})`,
  };
}

function groupBy<T>(items: T[], keyOf: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const group = groups.get(key);
    if (group) group.push(item);
    else groups.set(key, [item]);
  }
  return groups;
}
