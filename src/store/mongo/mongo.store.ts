import { MongoBulkWriteError, type AnyBulkWriteOperation, type ClientSession } from 'mongodb';
import { createConnection, Types, type Connection } from 'mongoose';
import {
  DuplicateReservationError,
  InsufficientStockError,
  MaxReservationsExceededError,
  OutOfStockError,
  ReservationExpiredError,
  ReservationNotActiveError,
  ReservationNotFoundError,
  ServiceUnavailableError,
  SkuExistsError,
  VariantNotFoundError,
  VersionConflictError,
} from '../../common/errors/domain-errors';
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
import { searchWords, textSearchString } from '../search-text';
import {
  holdDocKey,
  idToString,
  parseObjectId,
  searchDocumentFromDoc,
  searchDocumentUpdate,
  toInventory,
  toReservation,
  toVariant,
} from './mongo.mappers';
import {
  createStoreModels,
  STORE_INDEXES,
  type InventoryDoc,
  type ReservationDoc,
  type SearchDocumentDoc,
  type StoreIndexSpec,
  type StoreModels,
  type VariantDoc,
} from './mongo.schemas';
import { TransactionRunner } from './transactions';
import { MongoCarts } from './mongo.carts';
import {
  countPurchase,
  givePurchaseBack,
  PurchaseCountRaced,
  purchaseLimitViolations,
  setPurchaseLimit,
} from './mongo.purchase-limits';
import type {
  CartGroupView,
  CartHoldResult,
  ExtendCommand,
  ExtendGroupCommand,
  GroupChange,
  GroupCommand,
  ReserveCartCommand,
} from '../cart.types';

export interface MongoStoreOptions {
  /** Build collections and indexes at startup (development, tests). Default true. */
  autoIndex?: boolean;
  /** Database to use instead of the one named in the URI. */
  dbName?: string;
}

/**
 * How often a whole operation is re-run when the state it was refused on changed before we could
 * explain the refusal (see `reserve` and `adjustStock`). Needing even a second round is rare.
 */
const MAX_ROUNDS = 5;

/**
 * Thrown inside the reserve transaction when the shopper's hold list refused the new hold. The
 * refusal is an E11000 that has already aborted the transaction on the server, so the reason is
 * looked up after the transaction, outside it (see `explainRefusedHold`).
 */
class HoldRefused extends Error {}

/**
 * The MongoDB adapter of the store port (DESIGN §4, §9). Multi-document changes run in
 * transactions (snapshot / majority / primary); single-document changes are conditional updates
 * on indexed fields. Records returned are plain objects built by the mappers.
 */
export class MongoStore extends Store {
  readonly kind = 'mongodb';

  private readonly transactions: TransactionRunner;
  private readonly carts: MongoCarts;

  private constructor(
    private readonly connection: Connection,
    private readonly models: StoreModels,
  ) {
    super();
    this.transactions = new TransactionRunner(connection);
    this.carts = new MongoCarts(models, this.transactions);
  }

  /**
   * Opens a dedicated connection (never mongoose's global default one, so several stores — tests,
   * the backfill CLI — can coexist) and, with autoIndex, waits until collections and indexes exist.
   */
  static async connect(uri: string, options: MongoStoreOptions = {}): Promise<MongoStore> {
    const autoIndex = options.autoIndex ?? true;
    const connection = createConnection(uri, {
      ...(options.dbName !== undefined && { dbName: options.dbName }),
      autoIndex,
      autoCreate: autoIndex,
      // No mongoose-side queue while disconnected: an outage surfaces as the driver's own
      // server-selection error (mapped to a retryable 503) after its timeout, which also rides out
      // a primary election, instead of a generic mongoose buffering timeout (a 500).
      bufferCommands: false,
    });
    try {
      await connection.asPromise();
      const models = createStoreModels(connection, { autoIndex });
      if (autoIndex) {
        // Unique indexes carry invariants (SKU, one active hold per variant, idempotency keys):
        // no operation may run before they exist.
        for (const model of Object.values(models)) await model.init();
      }
      return new MongoStore(connection, models);
    } catch (error) {
      // The connection error is the one worth reporting; a failure to close after it adds nothing.
      await connection.close().catch(() => undefined);
      throw error;
    }
  }

  /** Transaction callbacks re-run after a transient error (write conflicts), since connect. */
  get transactionRetries(): number {
    return this.transactions.retries;
  }

  async createVariant(input: NewVariant, now: Date): Promise<VariantWithInventory> {
    return this.transactions.run(async (session) => {
      const id = new Types.ObjectId();
      const variant: VariantDoc = {
        _id: id,
        sku: input.sku,
        // A variant created without a product stands for a product of its own (as the memory store).
        productId: input.productId ?? idToString(id),
        title: input.title,
        attributes: { ...(input.attributes ?? {}) },
        price: input.price,
        ...(input.salePrice !== undefined && { salePrice: input.salePrice }),
        ...(input.saleStartsAt !== undefined && { saleStartsAt: input.saleStartsAt }),
        ...(input.saleEndsAt !== undefined && { saleEndsAt: input.saleEndsAt }),
        ...(input.purchaseLimit !== undefined && { purchaseLimit: input.purchaseLimit }),
        createdAt: now,
        updatedAt: now,
      };
      try {
        await this.models.variants.insertOne(variant, { session });
      } catch (error) {
        if (isDuplicateKeyOn(error, indexNamed('sku_unique'))) throw new SkuExistsError(input.sku);
        throw error;
      }
      // Creation is the first stock change: version 1, waiting for its first search sync.
      const inventory: InventoryDoc = {
        _id: new Types.ObjectId(),
        variantId: id,
        totalStock: input.stock,
        reservedStock: 0,
        availableStock: input.stock,
        version: 1,
        needsSync: true,
        updatedAt: now,
      };
      await this.models.inventory.insertOne(inventory, { session });
      return { variant: toVariant(variant), inventory: toInventory(inventory) };
    });
  }

  async getVariant(variantId: string): Promise<Variant | null> {
    const id = parseObjectId(variantId);
    if (!id) return null;
    const doc = await this.models.variants.findOne({ _id: id }).read('primary').lean();
    return doc ? toVariant(doc) : null;
  }

  async getInventory(variantId: string): Promise<Inventory | null> {
    const id = parseObjectId(variantId);
    if (!id) return null;
    const doc = await this.models.inventory.findOne({ variantId: id }).read('primary').lean();
    return doc ? toInventory(doc) : null;
  }

  /**
   * One conditional update, no transaction. "total + delta ≥ 0 and ≥ reserved" reduces to
   * "available + delta ≥ 0": with I1 (available = total − reserved) the second condition is exactly
   * that, and it implies the first because reserved ≥ 0. So the filter is `availableStock ≥ −delta`
   * on the stored, indexed field — no `$expr`. On no match one read tells which condition failed.
   */
  async adjustStock(command: AdjustStockCommand): Promise<Inventory> {
    const { delta, expectedVersion, now } = command;
    const variantId = parseObjectId(command.variantId);
    if (!variantId) throw new VariantNotFoundError(command.variantId);
    for (let round = 1; round <= MAX_ROUNDS; round++) {
      const updated = await this.models.inventory.findOneAndUpdate(
        {
          variantId,
          availableStock: { $gte: -delta },
          ...(expectedVersion !== undefined && { version: expectedVersion }),
        },
        {
          $inc: { totalStock: delta, availableStock: delta, version: 1 },
          $set: { needsSync: true, updatedAt: now },
        },
        { returnDocument: 'after', lean: true },
      );
      if (updated) return toInventory(updated);

      const current = await this.models.inventory.findOne({ variantId }).read('primary').lean();
      if (!current) throw new VariantNotFoundError(command.variantId);
      if (expectedVersion !== undefined && current.version !== expectedVersion) {
        throw new VersionConflictError(expectedVersion, current.version);
      }
      if (current.availableStock + delta < 0) {
        throw new InsufficientStockError(
          `Cannot change total stock of ${command.variantId} by ${delta}: ` +
            `${current.totalStock} in stock, ${current.reservedStock} reserved`,
        );
      }
      // Stock came back between the update and the read, so the update would now apply: go again.
    }
    throw new ServiceUnavailableError(
      `Stock of ${command.variantId} kept changing; try the adjustment again`,
    );
  }

  async reserve(
    command: ReserveCommand,
  ): Promise<{ reservation: Reservation; inventory: Inventory }> {
    const variantId = parseObjectId(command.variantId);
    if (!variantId) throw new VariantNotFoundError(command.variantId);
    for (let round = 1; ; round++) {
      try {
        return await this.transactions.run((session) =>
          this.reserveAttempt(command, variantId, session),
        );
      } catch (error) {
        // The purchase counter changed under its guard: the next round sees the new count.
        if (error instanceof PurchaseCountRaced) {
          if (round < MAX_ROUNDS) continue;
          throw new ServiceUnavailableError('Your purchases kept changing; try again');
        }
        if (!(error instanceof HoldRefused)) throw error;
        const refusal = await this.explainRefusedHold(command, variantId);
        if (refusal) throw refusal;
        // The blocking hold ended in between: the shopper may hold it now after all.
        if (round >= MAX_ROUNDS) {
          throw new ServiceUnavailableError('Your holds kept changing; try again');
        }
      }
    }
  }

  /** DESIGN §4 reserve steps 1–3, in that order, inside one transaction attempt. */
  private async reserveAttempt(
    command: ReserveCommand,
    variantId: Types.ObjectId,
    session: ClientSession,
  ): Promise<{ reservation: Reservation; inventory: Inventory }> {
    const { userId, quantity, now, maxActiveReservations: max } = command;
    // A fresh id per attempt: nothing of an aborted attempt survives into the next one.
    const reservationId = new Types.ObjectId();

    // 1. The hold list: one conditional $push is both the per-variant rule and the cap (I3).
    if (max < 1) throw new HoldRefused();
    try {
      await this.models.userholds.updateOne(
        {
          _id: userId,
          'holds.variantId': { $ne: variantId },
          // Fewer than max holds ⇔ no element at index max − 1.
          [`holds.${max - 1}`]: { $exists: false },
        },
        { $push: { holds: { reservationId, variantId, quantity } } },
        { session, upsert: true, setDefaultsOnInsert: false },
      );
    } catch (error) {
      // No match on an existing document makes the upsert insert a second `_id: userId`.
      if (isDuplicateKeyOn(error, ID_INDEX)) throw new HoldRefused();
      throw error;
    }

    // 2. The reservation. Its unique indexes catch a reused idempotency key (and, as a backstop
    // for I3, a second active hold on the variant).
    const reservation: ReservationDoc = {
      _id: reservationId,
      userId,
      variantId,
      quantity,
      status: 'active',
      expiresAt: command.expiresAt,
      ...(command.idempotencyKey !== undefined && { idempotencyKey: command.idempotencyKey }),
      ...(command.requestHash !== undefined && { requestHash: command.requestHash }),
      extensions: 0,
      createdAt: now,
      updatedAt: now,
    };
    try {
      await this.models.reservations.insertOne(reservation, { session });
    } catch (error) {
      if (
        isDuplicateKeyOn(error, indexNamed('userId_idempotencyKey_unique')) ||
        isDuplicateKeyOn(error, indexNamed('one_active_per_user_variant'))
      ) {
        throw new DuplicateReservationError(command.variantId);
      }
      throw error;
    }

    // The shopper's purchase counter (I6): unknown variant and purchase limit are refused here.
    await countPurchase(this.models, session, userId, variantId, quantity);

    // 3. LAST, the hot document, so its write lock is held for the shortest time.
    const inventory = await this.models.inventory.findOneAndUpdate(
      { variantId, availableStock: { $gte: quantity } },
      {
        $inc: { availableStock: -quantity, reservedStock: quantity, version: 1 },
        $set: { needsSync: true, updatedAt: now },
      },
      { session, returnDocument: 'after', lean: true },
    );
    if (!inventory) {
      const current = await this.models.inventory.findOne({ variantId }).session(session).lean();
      if (!current) throw new VariantNotFoundError(command.variantId);
      throw new OutOfStockError(command.variantId, current.availableStock);
    }
    return { reservation: toReservation(reservation), inventory: toInventory(inventory) };
  }

  /**
   * Why the hold list refused, read after the aborted transaction (a read with its session would
   * fail with NoSuchTransaction, labelled transient, and the driver would re-run the callback,
   * hitting the same E11000 again). Same order as the reference model: duplicate, then the cap.
   * Null when neither holds any more (a hold ended meanwhile): the caller tries again.
   */
  private async explainRefusedHold(
    command: ReserveCommand,
    variantId: Types.ObjectId,
  ): Promise<DuplicateReservationError | MaxReservationsExceededError | null> {
    const doc = await this.models.userholds.findOne({ _id: command.userId }).read('primary').lean();
    const holds = doc?.holds ?? [];
    if (holds.some((hold) => hold.variantId.equals(variantId))) {
      return new DuplicateReservationError(command.variantId);
    }
    if (holds.length >= command.maxActiveReservations) {
      return new MaxReservationsExceededError(command.maxActiveReservations);
    }
    return null;
  }

  setPurchaseLimit(variantId: string, limit: number | null, now: Date): Promise<Variant> {
    return setPurchaseLimit(this.models, variantId, limit, now);
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
    const id = parseObjectId(reservationId);
    if (!id) return null;
    const doc = await this.models.reservations.findOne({ _id: id }).read('primary').lean();
    return doc ? toReservation(doc) : null;
  }

  async findReservationByIdempotencyKey(userId: string, key: string): Promise<Reservation | null> {
    const doc = await this.models.reservations
      .findOne({ userId, idempotencyKey: key })
      .read('primary')
      .lean();
    return doc ? toReservation(doc) : null;
  }

  async listReservations(query: ListReservationsQuery): Promise<Reservation[]> {
    // MongoDB reads limit 0 as "no limit"; the port means "none".
    if (query.limit <= 0) return [];
    const docs = await this.models.reservations
      .find({ userId: query.userId, ...(query.status !== undefined && { status: query.status }) })
      .sort({ createdAt: -1, _id: -1 })
      .limit(query.limit)
      .read('primary')
      .lean();
    return docs.map(toReservation);
  }

  async commitReservation(command: CommitCommand): Promise<ReservationChange> {
    const { userId, now } = command;
    const id = parseObjectId(command.reservationId);
    if (!id) throw new ReservationNotFoundError(command.reservationId);
    return this.transactions.run(async (session) => {
      const committed = await this.models.reservations.findOneAndUpdate(
        { _id: id, userId, status: 'active', expiresAt: { $gt: now } },
        { $set: { status: 'committed', updatedAt: now, endedAt: now } },
        { session, returnDocument: 'after', lean: true },
      );
      if (!committed) {
        // Same snapshot as the refused update, so this read explains exactly that refusal.
        const current = await this.models.reservations.findOne({ _id: id }).session(session).lean();
        // Another shopper's reservation looks unknown, so existence never leaks.
        if (!current || current.userId !== userId) {
          throw new ReservationNotFoundError(command.reservationId);
        }
        if (current.status === 'committed') return unchanged(current);
        if (current.status === 'released') {
          throw new ReservationNotActiveError(idToString(current._id), current.status);
        }
        // Expired, or still active but past its expiresAt (the sweeper has not got to it yet).
        throw new ReservationExpiredError(idToString(current._id));
      }
      const q = committed.quantity;
      const inventory = await this.changeStock(
        session,
        committed,
        { reservedStock: -q, totalStock: -q },
        now,
      );
      await this.pullHold(session, committed);
      return { reservation: toReservation(committed), inventory, changed: true };
    });
  }

  async releaseReservation(command: ReleaseCommand): Promise<ReservationChange> {
    const { userId, reason, now } = command;
    const id = parseObjectId(command.reservationId);
    if (!id) throw new ReservationNotFoundError(command.reservationId);
    return this.transactions.run(async (session) => {
      const ended = await this.models.reservations.findOneAndUpdate(
        {
          _id: id,
          status: 'active',
          ...(userId !== undefined && { userId }),
          // The sweeper may race a clock skew: only a hold that is really due expires.
          ...(reason === 'expired' && { expiresAt: { $lte: now } }),
        },
        { $set: { status: reason, updatedAt: now, endedAt: now } },
        { session, returnDocument: 'after', lean: true },
      );
      if (!ended) {
        const current = await this.models.reservations.findOne({ _id: id }).session(session).lean();
        if (!current || (userId !== undefined && current.userId !== userId)) {
          throw new ReservationNotFoundError(command.reservationId);
        }
        if (current.status === 'committed') {
          throw new ReservationNotActiveError(idToString(current._id), current.status);
        }
        // Already released or expired (a repeat), or — reason `expired` — not due yet: left alone.
        return unchanged(current);
      }
      const q = ended.quantity;
      await givePurchaseBack(this.models, session, ended);
      const inventory = await this.changeStock(
        session,
        ended,
        { reservedStock: -q, availableStock: q },
        now,
      );
      await this.pullHold(session, ended);
      return { reservation: toReservation(ended), inventory, changed: true };
    });
  }

  /**
   * Active holds due at `now`, oldest expiry first. Sorted on expiresAt alone so the query walks
   * the partial {status, expiresAt} index and stops at `limit`; holds expiring in the same
   * millisecond come in index order (the sweeper does not care which goes first).
   */
  async findDueReservations(now: Date, limit: number): Promise<Reservation[]> {
    if (limit <= 0) return [];
    const docs = await this.models.reservations
      .find({ status: 'active', expiresAt: { $lte: now } })
      .sort({ expiresAt: 1 })
      .limit(limit)
      .read('primary')
      .lean();
    return docs.map(toReservation);
  }

  /**
   * Checks I1–I3 and the hold lists, with the same findings (and words) as the reference model.
   * Admin-only and off the hot path, so aggregations are fine here. All reads share one snapshot
   * (a snapshot session, no transaction: no 60 s transaction limit, no locks), so holds changing
   * during the check never show up as false violations.
   */
  async reconcile(maxActiveReservations: number): Promise<ReconcileReport> {
    for (let round = 1; ; round++) {
      try {
        return await this.reconcileInSnapshot(maxActiveReservations);
      } catch (error) {
        // A snapshot taken just before a collection or index change cannot read that collection
        // (SnapshotUnavailable). Transactions retry it as transient; a snapshot session must do so
        // itself, with a new snapshot. Anything else, or a third failure, propagates.
        if (errorCode(error) !== SNAPSHOT_UNAVAILABLE || round >= 3) throw error;
      }
    }
  }

  private async reconcileInSnapshot(maxActiveReservations: number): Promise<ReconcileReport> {
    const session = await this.connection.startSession({ snapshot: true });
    try {
      const violations: InvariantViolation[] = [];
      const active = { status: 'active' };

      const reservedByVariant = new Map<string, number>();
      const byVariant = await this.models.reservations
        .aggregate<{ _id: Types.ObjectId; reserved: number }>([
          { $match: active },
          { $group: { _id: '$variantId', reserved: { $sum: '$quantity' } } },
        ])
        .session(session);
      for (const row of byVariant) reservedByVariant.set(idToString(row._id), row.reserved);

      let checked = 0;
      const inventoryCursor = this.models.inventory.find({}).session(session).lean().cursor();
      for await (const doc of inventoryCursor) {
        checked += 1;
        // Raw figures, not the mapper: a damaged document must be reported, not crash the check.
        const variantId = idToString(doc.variantId);
        const figures = {
          variantId,
          totalStock: doc.totalStock,
          reservedStock: doc.reservedStock,
          availableStock: doc.availableStock,
        };
        violations.push(...stockViolations(figures, reservedByVariant.get(variantId) ?? 0));
        reservedByVariant.delete(variantId);
      }
      for (const variantId of reservedByVariant.keys()) {
        violations.push({
          invariant: 'I2',
          subject: variantId,
          message: 'active reservations exist for a variant with no inventory',
        });
      }

      type ActiveHold = {
        reservationId: Types.ObjectId;
        variantId: Types.ObjectId;
        quantity: number;
      };
      const byUser = await this.models.reservations
        .aggregate<{ _id: string; holds: ActiveHold[] }>([
          { $match: active },
          {
            $group: {
              _id: '$userId',
              holds: {
                $push: { reservationId: '$_id', variantId: '$variantId', quantity: '$quantity' },
              },
            },
          },
        ])
        .session(session);
      const expectedHolds = new Map<string, string[]>();
      for (const { _id: userId, holds } of byUser) {
        violations.push(...capViolations(userId, holds, maxActiveReservations));
        expectedHolds.set(userId, holds.map(holdDocKey));
      }

      const holdsCursor = this.models.userholds.find({}).session(session).lean().cursor();
      for await (const doc of holdsCursor) {
        const actual = (doc.holds ?? []).map(holdDocKey);
        const violation = holdsViolation(doc._id, expectedHolds.get(doc._id) ?? [], actual);
        if (violation) violations.push(violation);
        expectedHolds.delete(doc._id);
      }
      // Shoppers with active reservations but no hold list at all.
      for (const [userId, expected] of expectedHolds) {
        const violation = holdsViolation(userId, expected, []);
        if (violation) violations.push(violation);
      }

      violations.push(...(await purchaseLimitViolations(this.models, session)));
      return { ok: violations.length === 0, checked, violations };
    } finally {
      await session.endSession();
    }
  }

  // ── Search sync (DESIGN §5) ──────────────────────────────────────────────────────────────

  /** A range query on `_id` (never skip), then the page's inventory in one `$in` query. */
  async countVariants(): Promise<number> {
    // The collection's metadata count: instant at any size, and exact enough for a progress bar.
    return this.models.variants.estimatedDocumentCount();
  }

  async listVariants(afterId: string | null, limit: number): Promise<VariantWithInventory[]> {
    if (limit <= 0) return [];
    const after = afterId === null ? null : requiredObjectId(afterId, 'afterId');
    const variants = await this.models.variants
      .find(after === null ? {} : { _id: { $gt: after } })
      .sort({ _id: 1 })
      .limit(limit)
      .read('primary')
      .lean();
    if (variants.length === 0) return [];
    const inventories = await this.models.inventory
      .find({ variantId: { $in: variants.map((variant) => variant._id) } })
      .read('primary')
      .lean();
    const byVariant = new Map(inventories.map((doc) => [idToString(doc.variantId), doc]));
    return variants.map((doc) => {
      const inventory = byVariant.get(idToString(doc._id));
      // Unreachable while both are created in one transaction. Skipping the variant instead would
      // shorten the page, and a walker would take a short page for the last one and stop early.
      if (!inventory) throw new Error(`variant ${idToString(doc._id)} has no inventory`);
      return { variant: toVariant(doc), inventory: toInventory(inventory) };
    });
  }

  /**
   * `needsSync: true` matches the partial needsSync index, which holds only the pending few, so
   * the sort by change time happens on that small set.
   */
  async findPendingSyncs(limit: number): Promise<PendingSync[]> {
    if (limit <= 0) return [];
    const docs = await this.models.inventory
      .find({ needsSync: true }, { variantId: 1, version: 1, updatedAt: 1 })
      .sort({ updatedAt: 1, variantId: 1 })
      .limit(limit)
      .read('primary')
      .lean<Array<Pick<InventoryDoc, 'variantId' | 'version' | 'updatedAt'>>>();
    return docs.map((doc) => ({
      variantId: idToString(doc.variantId),
      version: doc.version,
      changedAt: new Date(doc.updatedAt.getTime()),
    }));
  }

  /**
   * One unordered bulkWrite of version-guarded upserts: each matches the stored document only if
   * it is older, and otherwise tries to insert, which the unique variantId index refuses (E11000).
   * That refusal means "not newer" — except when no document existed yet and a concurrent writer
   * inserted one between our match and our insert: then ours may well be the newer one. So the
   * refused documents get one more round, in which a document certainly exists and the filter
   * alone decides; an E11000 there really is "the stored one is the same or newer".
   */
  async upsertSearchDocuments(documents: SearchDocument[]): Promise<number> {
    let written = 0;
    let pending = documents;
    for (let round = 1; round <= 2 && pending.length > 0; round++) {
      const outcome = await this.upsertSearchRound(pending);
      written += outcome.written;
      pending = outcome.refused;
    }
    return written;
  }

  private async upsertSearchRound(
    documents: SearchDocument[],
  ): Promise<{ written: number; refused: SearchDocument[] }> {
    const operations: AnyBulkWriteOperation<SearchDocumentDoc>[] = documents.map((document) => ({
      updateOne: {
        filter: {
          variantId: requiredObjectId(document.variantId, 'variantId'),
          syncedVersion: { $lt: document.syncedVersion },
        },
        update: searchDocumentUpdate(document),
        upsert: true,
      },
    }));
    const collection = this.models.searchDocuments.collection;
    try {
      const result = await collection.bulkWrite(operations as AnyBulkWriteOperation[], {
        ordered: false,
      });
      return { written: result.upsertedCount + result.modifiedCount, refused: [] };
    } catch (error) {
      if (!(error instanceof MongoBulkWriteError)) throw error;
      const writeErrors = Array.isArray(error.writeErrors)
        ? error.writeErrors
        : [error.writeErrors];
      // Anything but "not newer" — a driver error, another write error, a write concern not met
      // (the driver reports write errors first, so that one is looked up on the result) — is a
      // real failure: the caller retries the whole batch, safe since every write is version-guarded.
      if (
        error.err !== undefined ||
        error.result?.getWriteConcernError() !== undefined ||
        writeErrors.length === 0 ||
        writeErrors.some((e) => e.code !== DUPLICATE_KEY)
      ) {
        throw error;
      }
      return {
        written: error.upsertedCount + error.modifiedCount,
        refused: writeErrors.map((e) => documents[e.index]),
      };
    }
  }

  /** Leaves updatedAt alone: it is when the change happened, which the sync lag is measured from. */
  async clearNeedsSync(variantId: string, version: number): Promise<boolean> {
    const id = parseObjectId(variantId);
    if (!id) return false;
    const result = await this.models.inventory.updateOne(
      { variantId: id, version },
      { $set: { needsSync: false } },
    );
    return result.matchedCount === 1;
  }

  async getSearchDocument(variantId: string): Promise<SearchDocument | null> {
    const id = parseObjectId(variantId);
    if (!id) return null;
    const doc = await this.models.searchDocuments
      .findOne({ variantId: id })
      .read('primary')
      .lean<SearchDocumentDoc>();
    return doc ? searchDocumentFromDoc(doc) : null;
  }

  /**
   * `$text` with one quoted phrase per word (phrases are ANDed; see search-text.ts), the in-stock
   * flag and `variantId > cursor`, sorted by variantId. One extra document tells whether another
   * page follows.
   */
  async searchDocuments(query: SearchQuery): Promise<SearchPage> {
    if (query.limit <= 0) return { items: [], nextCursor: null };
    const filter: Record<string, unknown> = {};
    if (query.q !== undefined) {
      const words = searchWords(query.q);
      if (words.length === 0) return { items: [], nextCursor: null };
      filter.$text = { $search: textSearchString(words), $language: 'none' };
    }
    if (query.inStock !== undefined) filter.inStock = query.inStock;
    if (query.cursor !== undefined) {
      filter.variantId = { $gt: requiredObjectId(query.cursor, 'cursor') };
    }
    const docs = await this.models.searchDocuments
      .find(filter)
      .sort({ variantId: 1 })
      .limit(query.limit + 1)
      .read('primary')
      .lean<SearchDocumentDoc[]>();
    const items = docs.slice(0, query.limit).map(searchDocumentFromDoc);
    const more = docs.length > query.limit;
    return { items, nextCursor: more ? items[items.length - 1].variantId : null };
  }

  async ping(): Promise<void> {
    const db = this.connection.db;
    if (!db) throw new Error('MongoDB connection is not open');
    await db.command({ ping: 1 });
  }

  async close(): Promise<void> {
    await this.connection.close();
  }

  /**
   * TEST-ONLY. Overwrites inventory fields with a plain update that bypasses every invariant, so
   * the contract suite can show that reconcile detects broken data. Nothing in src/ may call this.
   */
  async corruptInventoryForTest(variantId: string, patch: Partial<Inventory>): Promise<void> {
    const id = parseObjectId(variantId);
    if (!id) throw new VariantNotFoundError(variantId);
    // The key is not a field to corrupt (the contract passes a whole Inventory back to restore it).
    const { variantId: _key, ...fields } = patch;
    const result = await this.models.inventory.updateOne({ variantId: id }, { $set: fields });
    if (result.matchedCount === 0) throw new VariantNotFoundError(variantId);
  }

  /** Applies a stock delta for an ended reservation (I5: version +1, needsSync). */
  private async changeStock(
    session: ClientSession,
    reservation: ReservationDoc,
    delta: Partial<Record<'totalStock' | 'reservedStock' | 'availableStock', number>>,
    now: Date,
  ): Promise<Inventory> {
    const inventory = await this.models.inventory.findOneAndUpdate(
      { variantId: reservation.variantId },
      { $inc: { ...delta, version: 1 }, $set: { needsSync: true, updatedAt: now } },
      { session, returnDocument: 'after', lean: true },
    );
    // Unreachable while I2 holds: an active reservation always has its inventory.
    if (!inventory) throw new VariantNotFoundError(idToString(reservation.variantId));
    return toInventory(inventory);
  }

  private async pullHold(session: ClientSession, reservation: ReservationDoc): Promise<void> {
    await this.models.userholds.updateOne(
      { _id: reservation.userId },
      { $pull: { holds: { reservationId: reservation._id } } },
      { session },
    );
  }
}

const DUPLICATE_KEY = 11000;
const SNAPSHOT_UNAVAILABLE = 246;

function errorCode(error: unknown): unknown {
  return typeof error === 'object' && error !== null
    ? (error as { code?: unknown }).code
    : undefined;
}

/** Ids handed back by callers of the walk and the search; a malformed one is a programming error. */
function requiredObjectId(id: string, name: string): Types.ObjectId {
  const parsed = parseObjectId(id);
  if (!parsed) throw new Error(`${name} must be a 24-hex id`);
  return parsed;
}

function unchanged(doc: ReservationDoc): ReservationChange {
  return { reservation: toReservation(doc), inventory: null, changed: false };
}

const ID_INDEX: Pick<StoreIndexSpec, 'keys'> & { options: { name: string } } = {
  keys: { _id: 1 },
  options: { name: '_id_' },
};

function indexNamed(name: string): StoreIndexSpec {
  const spec = STORE_INDEXES.find((index) => index.options.name === name);
  if (!spec) throw new Error(`No store index named ${name}`);
  return spec;
}

/**
 * True for an E11000 on the given index. Servers report the index's key pattern (`keyPattern`);
 * the message names the index too, which covers errors re-wrapped without the extra fields.
 */
function isDuplicateKeyOn(
  error: unknown,
  index: Pick<StoreIndexSpec, 'keys'> & { options: { name: string } },
): boolean {
  if (errorCode(error) !== DUPLICATE_KEY) return false;
  const { keyPattern, message } = error as { keyPattern?: unknown; message?: unknown };
  if (typeof keyPattern === 'object' && keyPattern !== null) {
    const reported = Object.keys(keyPattern);
    const expected = Object.keys(index.keys);
    return reported.length === expected.length && expected.every((key, i) => reported[i] === key);
  }
  return typeof message === 'string' && message.includes(` index: ${index.options.name} `);
}

function stockViolations(
  inventory: Pick<Inventory, 'variantId' | 'totalStock' | 'reservedStock' | 'availableStock'>,
  activeReserved: number,
): InvariantViolation[] {
  const violations: InvariantViolation[] = [];
  const { variantId, totalStock, reservedStock, availableStock } = inventory;
  const figures = `(total ${totalStock}, reserved ${reservedStock}, available ${availableStock})`;
  if (![totalStock, reservedStock, availableStock].every((n) => Number.isInteger(n) && n >= 0)) {
    violations.push({
      invariant: 'I1',
      subject: variantId,
      message: `has a stock figure that is not an integer ≥ 0 ${figures}`,
    });
  } else if (availableStock !== totalStock - reservedStock) {
    violations.push({
      invariant: 'I1',
      subject: variantId,
      message: `availableStock is not totalStock − reservedStock ${figures}`,
    });
  }
  if (reservedStock !== activeReserved) {
    violations.push({
      invariant: 'I2',
      subject: variantId,
      message: `reservedStock is ${reservedStock} but active reservations hold ${activeReserved}`,
    });
  }
  return violations;
}

function capViolations(
  userId: string,
  holds: Array<{ variantId: Types.ObjectId }>,
  max: number,
): InvariantViolation[] {
  const violations: InvariantViolation[] = [];
  if (holds.length > max) {
    violations.push({
      invariant: 'I3',
      subject: userId,
      message: `${holds.length} active reservations, more than ${max}`,
    });
  }
  const perVariant = new Map<string, number>();
  for (const hold of holds) {
    const variantId = idToString(hold.variantId);
    perVariant.set(variantId, (perVariant.get(variantId) ?? 0) + 1);
  }
  for (const [variantId, count] of perVariant) {
    if (count > 1) {
      violations.push({
        invariant: 'I3',
        subject: userId,
        message: `${count} active reservations for variant ${variantId}`,
      });
    }
  }
  return violations;
}

function holdsViolation(
  userId: string,
  expected: string[],
  actual: string[],
): InvariantViolation | null {
  const wanted = [...expected].sort();
  const held = [...actual].sort();
  if (wanted.join() === held.join()) return null;
  return {
    invariant: 'HOLDS',
    subject: userId,
    message: `hold list [${held.join(', ')}] differs from active reservations [${wanted.join(', ')}]`,
  };
}
