import type { Db } from 'mongodb';
import { createConnection, type Connection } from 'mongoose';
import { VariantNotFoundError } from '../../common/errors/domain-errors';
import { Store } from '../store';
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
} from '../store.types';
import {
  DEFAULT_CONNECTION_LIMITS,
  mongoConnectionOptions,
  type MongoConnectionLimits,
} from './connection-options';
import { MongoCatalog } from './mongo.catalog';
import { parseObjectId } from './mongo.mappers';
import { MongoReconcile } from './mongo.reconcile';
import { MongoReservations } from './mongo.reservations';
import { MongoReserve } from './mongo.reserve';
import { createStoreModels, type StoreModels } from './mongo.schemas';
import { MongoSearchSync } from './mongo.search';
import {
  expectedSchema,
  findSchemaGaps,
  readObservedSchema,
  SchemaNotMigratedError,
  verifySchema,
} from './schema-check';
import { TransactionRunner } from './transactions';
import type {
  CartGroupView,
  CartHoldResult,
  ExtendCommand,
  ExtendGroupCommand,
  GroupChange,
  GroupCommand,
  ReserveCartCommand,
} from '../cart.types';
import { MongoCarts } from './mongo.carts';
import { MongoExtension } from './mongo.extension';
import { MongoWaitlist } from './mongo.waitlist';
import type { JoinWaitlistCommand, WaitlistEntry, WaitlistEntryView } from '../waitlist.types';
import { setPurchaseLimit } from './mongo.purchase-limits';
import { listMovements } from './mongo.ledger';
import type { ListMovementsQuery, MovementContext, StockMovement } from '../ledger';
import { applyRetention } from '../../migrate/retention-index';
import { MongoWebhooks } from './mongo.webhooks';
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

export interface MongoStoreOptions {
  /** Build collections and indexes at startup (development, tests). Default true. */
  autoIndex?: boolean;
  /** Database to use instead of the one named in the URI. */
  dbName?: string;
  /** Pool size and timeouts other than the defaults (tests shorten the waits). */
  limits?: Partial<MongoConnectionLimits>;
  /**
   * Refuse to open (and report not-ready later) unless every collection, index and validator the
   * migrations make is there. Default: on exactly when autoIndex is off (production).
   */
  verifySchema?: boolean;
  /**
   * RETENTION_DAYS: the lifetime the TTL index on ended reservations must have (verified), or is
   * given (autoIndex). Default 0: ended reservations are kept, and no such index may exist.
   */
  retentionDays?: number;
}

/** How long a schema check's finding stands before readiness looks again. */
const SCHEMA_RECHECK_MS = 30_000;

/**
 * The MongoDB adapter of the store port. Multi-document changes run in
 * transactions (snapshot / majority / primary); single-document changes are conditional updates
 * on indexed fields. Records returned are plain objects built by the mappers.
 *
 * The work is split by concern — catalog, reserve, reservations, ledger, reconcile, search sync — into parts that
 * share the connection, the models and the transaction runner; this class only wires them to the port.
 */
export class MongoStore extends Store {
  readonly kind = 'mongodb';

  private readonly transactions: TransactionRunner;
  private readonly catalog: MongoCatalog;
  private readonly reserver: MongoReserve;
  private readonly reservations: MongoReservations;
  private readonly reconciler: MongoReconcile;
  private readonly search: MongoSearchSync;
  private readonly carts: MongoCarts;
  private readonly extension: MongoExtension;
  private readonly waitlist: MongoWaitlist;
  private readonly webhooks: MongoWebhooks;

  private schemaCheckedAt = Number.NEGATIVE_INFINITY;
  private schemaGaps: string[] = [];

  private constructor(
    private readonly connection: Connection,
    private readonly models: StoreModels,
    private readonly verifiesSchema: boolean,
    private readonly retentionDays: number,
  ) {
    super();
    this.transactions = new TransactionRunner(connection);
    this.waitlist = new MongoWaitlist(
      models,
      this.transactions,
      () => this.waitlistPolicy,
      (notices) => this.notifyWaitlist(notices),
    );
    this.catalog = new MongoCatalog(models, this.transactions, this.waitlist);
    this.reserver = new MongoReserve(models, this.transactions);
    this.reservations = new MongoReservations(models, this.transactions, this.waitlist);
    this.reconciler = new MongoReconcile(connection, models, this.waitlist);
    this.search = new MongoSearchSync(models);
    this.carts = new MongoCarts(models, this.transactions, this.waitlist);
    this.extension = new MongoExtension(models, this.transactions);
    this.webhooks = new MongoWebhooks(models);
  }

  /**
   * Opens a dedicated connection (never mongoose's global default one, so several stores — tests,
   * the backfill CLI — can coexist) and, with autoIndex, waits until collections and indexes exist.
   */
  static async connect(uri: string, options: MongoStoreOptions = {}): Promise<MongoStore> {
    const autoIndex = options.autoIndex ?? true;
    const verifiesSchema = options.verifySchema ?? !autoIndex;
    const connection = createConnection(
      uri,
      mongoConnectionOptions({
        autoIndex,
        dbName: options.dbName,
        limits: { ...DEFAULT_CONNECTION_LIMITS, ...options.limits },
      }),
    );
    try {
      await connection.asPromise();
      return await MongoStore.open(connection, createStoreModels(connection, { autoIndex }), {
        autoIndex,
        verifySchema: verifiesSchema,
        retentionDays: options.retentionDays ?? 0,
      });
    } catch (error) {
      // The connection error is the one worth reporting; a failure to close after it adds nothing.
      await connection.close().catch(() => undefined);
      throw error;
    }
  }

  /**
   * The store over an open connection and its models — built here (`connect`) or by
   * `MongooseModule` (mongo-store.module.ts), which then owns the connection.
   */
  static async open(
    connection: Connection,
    models: StoreModels,
    options: { autoIndex: boolean; verifySchema: boolean; retentionDays: number },
  ): Promise<MongoStore> {
    // In production the migrations own collections, indexes and validators: without them
    // uniqueness (SKUs, idempotency keys) is silently off and search fails, so refuse to start.
    if (options.verifySchema) await verifySchema(openDb(connection), options.retentionDays);
    if (options.autoIndex) {
      // Unique indexes carry invariants (SKU, one active hold per variant, idempotency keys):
      // no operation may run before they exist.
      for (const model of Object.values(models)) await model.init();
      // The retention TTL index depends on configuration, so it is not a schema index: made
      // (or retimed, or dropped) here in development as `npm run migrate` does in production.
      await applyRetention(openDb(connection), options.retentionDays);
    }
    return new MongoStore(connection, models, options.verifySchema, options.retentionDays);
  }

  /** Transaction callbacks re-run after a transient error (write conflicts), since connect. */
  get transactionRetries(): number {
    return this.transactions.retries;
  }

  createVariant(
    input: NewVariant,
    now: Date,
    context?: MovementContext,
  ): Promise<VariantWithInventory> {
    return this.catalog.createVariant(input, now, context);
  }

  getVariant(variantId: string): Promise<Variant | null> {
    return this.catalog.getVariant(variantId);
  }

  getInventory(variantId: string): Promise<Inventory | null> {
    return this.catalog.getInventory(variantId);
  }

  adjustStock(command: AdjustStockCommand): Promise<Inventory> {
    return this.catalog.adjustStock(command);
  }

  reserve(command: ReserveCommand): Promise<{ reservation: Reservation; inventory: Inventory }> {
    return this.reserver.reserve(command);
  }

  setPurchaseLimit(variantId: string, limit: number | null, now: Date): Promise<Variant> {
    return setPurchaseLimit(this.models, variantId, limit, now);
  }

  setLowStockThreshold(variantId: string, threshold: number | null, now: Date): Promise<Variant> {
    return this.catalog.setLowStockThreshold(variantId, threshold, now);
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
    return this.extension.extendReservation(command);
  }

  extendGroup(command: ExtendGroupCommand): Promise<CartGroupView> {
    return this.extension.extendGroup(command);
  }

  findReservation(reservationId: string): Promise<Reservation | null> {
    return this.reservations.findReservation(reservationId);
  }

  findReservationByIdempotencyKey(userId: string, key: string): Promise<Reservation | null> {
    return this.reservations.findReservationByIdempotencyKey(userId, key);
  }

  listReservations(query: ListReservationsQuery): Promise<Reservation[]> {
    return this.reservations.listReservations(query);
  }

  commitReservation(command: CommitCommand): Promise<ReservationChange> {
    return this.reservations.commitReservation(command);
  }

  releaseReservation(command: ReleaseCommand): Promise<ReservationChange> {
    return this.reservations.releaseReservation(command);
  }

  findDueReservations(now: Date, limit: number): Promise<Reservation[]> {
    return this.reservations.findDueReservations(now, limit);
  }

  joinWaitlist(command: JoinWaitlistCommand): Promise<WaitlistEntryView> {
    return this.waitlist.join(command);
  }

  getWaitlistEntry(
    userId: string,
    variantId: string,
    now: Date,
  ): Promise<WaitlistEntryView | null> {
    return this.waitlist.get(userId, variantId, now);
  }

  leaveWaitlist(userId: string, variantId: string): Promise<boolean> {
    return this.waitlist.leave(userId, variantId);
  }

  expireWaitlistEntries(now: Date, limit: number): Promise<WaitlistEntry[]> {
    return this.waitlist.expire(now, limit);
  }

  listMovements(query: ListMovementsQuery): Promise<StockMovement[]> {
    return listMovements(this.models, query);
  }

  reconcile(maxActiveReservations: number): Promise<ReconcileReport> {
    return this.reconciler.reconcile(maxActiveReservations);
  }

  createWebhookSubscription(input: NewWebhookSubscription): Promise<WebhookSubscription> {
    return this.webhooks.createSubscription(input);
  }

  listWebhookSubscriptions(): Promise<WebhookSubscription[]> {
    return this.webhooks.listSubscriptions();
  }

  getWebhookSubscription(id: string): Promise<WebhookSubscription | null> {
    return this.webhooks.getSubscription(id);
  }

  deleteWebhookSubscription(id: string): Promise<boolean> {
    return this.webhooks.deleteSubscription(id);
  }

  findVariantsToPublish(limit: number, variantIds?: string[]): Promise<VariantToPublish[]> {
    return this.webhooks.variantsToPublish(limit, variantIds);
  }

  savePublishedSeq(variantId: string, seq: number): Promise<void> {
    return this.webhooks.savePublishedSeq(variantId, seq);
  }

  getWebhookLane(subscriptionId: string, variantId: string): Promise<WebhookLane | null> {
    return this.webhooks.getLane(subscriptionId, variantId);
  }

  publishToWebhookLane(
    subscriptionId: string,
    variantId: string,
    first: number,
    last: number,
  ): Promise<void> {
    return this.webhooks.publishToLane(subscriptionId, variantId, first, last);
  }

  settleWebhookLane(subscriptionId: string, variantId: string, position: number): Promise<void> {
    return this.webhooks.settleLane(subscriptionId, variantId, position);
  }

  findWebhookLanesBehind(limit: number): Promise<WebhookLane[]> {
    return this.webhooks.lanesBehind(limit);
  }

  recordWebhookDeadLetter(input: DeadLetterInput): Promise<WebhookDelivery> {
    return this.webhooks.recordDeadLetter(input);
  }

  listWebhookDeliveries(
    subscriptionId: string,
    status: DeliveryStatus | undefined,
    limit: number,
  ): Promise<WebhookDelivery[]> {
    return this.webhooks.listDeliveries(subscriptionId, status, limit);
  }

  getWebhookDelivery(deliveryId: string): Promise<WebhookDelivery | null> {
    return this.webhooks.getDelivery(deliveryId);
  }

  transitionWebhookDelivery(transition: DeliveryTransition): Promise<WebhookDelivery | null> {
    return this.webhooks.transitionDelivery(transition);
  }

  countVariants(): Promise<number> {
    return this.search.countVariants();
  }

  listVariants(afterId: string | null, limit: number): Promise<VariantWithInventory[]> {
    return this.search.listVariants(afterId, limit);
  }

  findPendingSyncs(limit: number): Promise<PendingSync[]> {
    return this.search.findPendingSyncs(limit);
  }

  upsertSearchDocuments(documents: SearchDocument[]): Promise<number> {
    return this.search.upsertSearchDocuments(documents);
  }

  clearNeedsSync(variantId: string, version: number): Promise<boolean> {
    return this.search.clearNeedsSync(variantId, version);
  }

  getSearchDocument(variantId: string): Promise<SearchDocument | null> {
    return this.search.getSearchDocument(variantId);
  }

  searchDocuments(query: SearchQuery): Promise<SearchPage> {
    return this.search.searchDocuments(query);
  }

  /** Readiness: the server answers and (where verified) the database is still fully migrated. */
  async ping(): Promise<void> {
    const db = openDb(this.connection);
    await db.command({ ping: 1 });
    if (!this.verifiesSchema) return;
    if (performance.now() - this.schemaCheckedAt >= SCHEMA_RECHECK_MS) {
      this.schemaGaps = findSchemaGaps(
        await readObservedSchema(db),
        expectedSchema(this.retentionDays),
      );
      this.schemaCheckedAt = performance.now();
    }
    if (this.schemaGaps.length > 0) throw new SchemaNotMigratedError(this.schemaGaps);
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
}

function openDb(connection: Connection): Db {
  const db = connection.db;
  if (!db) throw new Error('MongoDB connection is not open');
  return db;
}
