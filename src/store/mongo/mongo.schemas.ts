import { Schema, Types, type Connection, type Model } from 'mongoose';
import { CART_POLICIES, type CartPolicy } from '../cart.types';
import { MOVEMENT_TYPES, type MovementType, type StockFigures } from '../ledger';
import { RESERVATION_STATUSES, type ReservationStatus } from '../store.types';
import {
  SKIP_REASONS,
  WAITLIST_STATUSES,
  type SkipReason,
  type WaitlistStatus,
} from '../waitlist.types';
import {
  buildWebhookDeliverySchema,
  buildWebhookLaneSchema,
  buildWebhookProgressSchema,
  buildWebhookSubscriptionSchema,
  type WebhookDeliveryDoc,
  type WebhookLaneDoc,
  type WebhookProgressDoc,
  type WebhookSubscriptionDoc,
} from './mongo.webhook-schemas';

/** Collection names that hold the stock (searchdocuments is in SEARCH_COLLECTIONS). */
export const STORE_COLLECTIONS = {
  variants: 'variants',
  inventory: 'inventory',
  reservations: 'reservations',
  userholds: 'userholds',
  cartgroups: 'cartgroups',
  purchasecounts: 'purchasecounts',
  stockmovements: 'stockmovements',
  waitlistentries: 'waitlistentries',
  webhooksubscriptions: 'webhooksubscriptions',
  webhookprogress: 'webhookprogress',
  webhooklanes: 'webhooklanes',
  webhookdeliveries: 'webhookdeliveries',
} as const;

/** The search feature's collection (searchdocuments), kept apart from the stock ones. */
export const SEARCH_COLLECTIONS = {
  searchdocuments: 'searchdocuments',
} as const;

export type StoreCollection = (typeof STORE_COLLECTIONS)[keyof typeof STORE_COLLECTIONS];
export type SearchCollection = (typeof SEARCH_COLLECTIONS)[keyof typeof SEARCH_COLLECTIONS];

export interface StoreIndexSpec {
  collection: StoreCollection | SearchCollection;
  keys: Record<string, 1 | -1 | 'text'>;
  /** Passed as-is to createIndex; every index is named so migrations and E11000 messages agree. */
  options: {
    name: string;
    unique?: boolean;
    partialFilterExpression?: Record<string, unknown>;
    /** Text indexes only: `none` means no stemming and no stop words. */
    default_language?: string;
    /** Compare keys under this collation; strength 2 ignores case (SKUs are unique in any case). */
    collation?: { locale: string; strength: number };
    /** A TTL index: MongoDB deletes a document this many seconds after the indexed date. */
    expireAfterSeconds?: number;
  };
}

/**
 * Every secondary index of the stock collections — the single source of truth: the schemas below declare
 * exactly these (autoIndex in development and tests) and the migrations create exactly these
 * (production, where autoIndex is off).
 */
/**
 * SKUs are unique whatever their case ("abc-1" and "ABC-1" are one SKU), as in the memory store.
 * A unique index with a case-insensitive collation enforces that on every insert, whatever
 * collation the insert itself uses (mongodb lib/operations/indexes.js passes `collation` through
 * to createIndexes unchanged).
 */
export const SKU_COLLATION = { locale: 'en', strength: 2 };

export const STORE_INDEXES: StoreIndexSpec[] = [
  {
    collection: 'variants',
    keys: { sku: 1 },
    options: { name: 'sku_unique', unique: true, collation: SKU_COLLATION },
  },
  {
    collection: 'inventory',
    keys: { variantId: 1 },
    options: { name: 'variantId_unique', unique: true },
  },
  {
    collection: 'inventory',
    keys: { availableStock: 1 },
    options: { name: 'availableStock' },
  },
  {
    // Only the few documents waiting for a search sync are indexed, so the sweeper's scan stays small.
    collection: 'inventory',
    keys: { needsSync: 1 },
    options: { name: 'needsSync_pending', partialFilterExpression: { needsSync: true } },
  },
  {
    collection: 'reservations',
    keys: { userId: 1, status: 1 },
    options: { name: 'userId_status' },
  },
  {
    // The expiry sweeper's query; ended reservations (the vast majority) stay out of it.
    collection: 'reservations',
    keys: { status: 1, expiresAt: 1 },
    options: { name: 'active_by_expiry', partialFilterExpression: { status: 'active' } },
  },
  {
    // Backs invariant I3's one-active-hold-per-variant rule even if userholds were ever wrong.
    collection: 'reservations',
    keys: { userId: 1, variantId: 1 },
    options: {
      name: 'one_active_per_user_variant',
      unique: true,
      partialFilterExpression: { status: 'active' },
    },
  },
  {
    // Reservations without a key leave the field out entirely, so they never collide.
    collection: 'reservations',
    keys: { userId: 1, idempotencyKey: 1 },
    options: {
      name: 'userId_idempotencyKey_unique',
      unique: true,
      partialFilterExpression: { idempotencyKey: { $exists: true } },
    },
  },
];

/** The statuses retention may delete: a committed hold still counts toward purchase limits (I6). */
export const PURGEABLE_STATUSES = ['released', 'expired'] as const;

export const RETENTION_INDEX_NAME = 'ended_retention';

/**
 * The TTL index that deletes released and expired reservations RETENTION_DAYS after they ended, or
 * null when RETENTION_DAYS is 0 (kept forever). Not in STORE_INDEXES: its expireAfterSeconds comes
 * from the configuration, so the retention migration and `npm run migrate` own it
 * (src/migrate/retention-index.ts), and the start-up check compares it with the configured value.
 * `$in` in a partial filter: the manual's partial-index page for MongoDB 7.1 and 7.2 lists `$in`
 * and `$or` among the accepted operators; its 4.4 and 5.2 versions do not (equality, `$exists:
 * true`, comparisons, `$type`, a top-level `$and` only). The service requires MongoDB ≥ 7.
 */
export function retentionIndex(retentionDays: number): StoreIndexSpec | null {
  if (retentionDays <= 0) return null;
  return {
    collection: 'reservations',
    keys: { endedAt: 1 },
    options: {
      name: RETENTION_INDEX_NAME,
      expireAfterSeconds: retentionDays * 86_400,
      partialFilterExpression: { status: { $in: [...PURGEABLE_STATUSES] } },
    },
  };
}

/**
 * The indexes of the searchdocuments collection, declared like STORE_INDEXES: the
 * schema below uses them with autoIndex, the search-indexes migration creates them in production.
 */
export const SEARCH_INDEXES: StoreIndexSpec[] = [
  {
    // One document per variant; also the order of search results and of their cursor.
    collection: 'searchdocuments',
    keys: { variantId: 1 },
    options: { name: 'variantId_unique', unique: true },
  },
  {
    // Language `none`: SKUs and product names are not English prose, so no stemming (a search for
    // "pro" must not find "pros") and no stop words (a title word like "the" stays searchable).
    collection: 'searchdocuments',
    keys: { title: 'text', sku: 'text' },
    options: { name: 'title_sku_text', default_language: 'none' },
  },
];

/**
 * The indexes of cart holds and purchase limits, declared like STORE_INDEXES: the schemas use them
 * with autoIndex, the cart-indexes migration creates them in production.
 */
export const CART_INDEXES: StoreIndexSpec[] = [
  {
    // Group commit, release and read find a cart's lines by groupId; single holds have none.
    collection: 'reservations',
    keys: { groupId: 1 },
    options: { name: 'groupId', partialFilterExpression: { groupId: { $exists: true } } },
  },
  {
    // Replays of a cart hold: one group per (shopper, Idempotency-Key).
    collection: 'cartgroups',
    keys: { userId: 1, idempotencyKey: 1 },
    options: {
      name: 'userId_idempotencyKey_unique',
      unique: true,
      partialFilterExpression: { idempotencyKey: { $exists: true } },
    },
  },
  {
    // One purchase counter per (shopper, variant): a refused conditional upsert surfaces as E11000.
    collection: 'purchasecounts',
    keys: { userId: 1, variantId: 1 },
    options: { name: 'userId_variantId_unique', unique: true },
  },
];

/**
 * The ledger's index, declared like STORE_INDEXES: the schema uses it with autoIndex, the
 * stock-ledger migration creates it in production. It is the ledger's whole guarantee of order:
 * two changes can never both claim the same seq of a variant, and a variant's page of movements
 * is a range scan on it.
 */
export const LEDGER_INDEXES: StoreIndexSpec[] = [
  {
    collection: 'stockmovements',
    keys: { variantId: 1, seq: 1 },
    options: { name: 'variantId_seq_unique', unique: true },
  },
];

/**
 * The waitlist's indexes (architecture §14), declared like STORE_INDEXES: the schema uses them
 * with autoIndex, the waitlist migration creates them in production.
 */
export const WAITLIST_INDEXES: StoreIndexSpec[] = [
  {
    // One entry per shopper and variant: a second join is refused (or replaces an ended entry).
    collection: 'waitlistentries',
    keys: { userId: 1, variantId: 1 },
    options: { name: 'userId_variantId_unique', unique: true },
  },
  {
    // The line: a variant's waiting entries in order (hand-over, positions).
    collection: 'waitlistentries',
    keys: { variantId: 1, status: 1, order: 1 },
    options: { name: 'variantId_status_order' },
  },
  {
    // The expiry sweep's query; ended entries stay out of it.
    collection: 'waitlistentries',
    keys: { status: 1, expiresAt: 1 },
    options: { name: 'waiting_by_expiry', partialFilterExpression: { status: 'waiting' } },
  },
];

/** Persistence shapes, as `.lean()` returns them. */
export interface VariantDoc {
  _id: Types.ObjectId;
  sku: string;
  productId: string;
  title: string;
  attributes: Record<string, string>;
  price: number;
  salePrice?: number;
  saleStartsAt?: Date;
  saleEndsAt?: Date;
  purchaseLimit?: number;
  lowStockThreshold?: number;
  createdAt: Date;
  updatedAt: Date;
}

export interface InventoryDoc {
  _id: Types.ObjectId;
  variantId: Types.ObjectId;
  totalStock: number;
  reservedStock: number;
  availableStock: number;
  version: number;
  needsSync: boolean;
  /** Required since the inventory-updated-at migration; a legacy document may still lack it. */
  updatedAt: Date | undefined;
  /**
   * The last place in the variant's waitlist given out. Every join writes it, so a join and a
   * change of the stock write one document and cannot both commit on stale figures (I8).
   */
  waitlistOrder?: number;
}

export interface ReservationDoc {
  _id: Types.ObjectId;
  userId: string;
  variantId: Types.ObjectId;
  quantity: number;
  status: ReservationStatus;
  expiresAt: Date;
  idempotencyKey?: string;
  requestHash?: string;
  groupId?: Types.ObjectId;
  /** Absent on reservations written before hold extension existed: read as 0. */
  extensions?: number;
  /** `waitlist` on an offer; absent on a direct hold. */
  source?: 'waitlist';
  createdAt: Date;
  updatedAt: Date;
  endedAt?: Date;
}

export interface CartLineDoc {
  variantId: Types.ObjectId;
  quantity: number;
  status: 'held' | 'refused';
  reservationId?: Types.ObjectId;
  code?: 'OUT_OF_STOCK' | 'NOT_ATTEMPTED';
}

/** One cart hold: the request's outcome per line; the lines' state lives in their reservations. */
export interface CartGroupDoc {
  _id: Types.ObjectId;
  userId: string;
  policy: CartPolicy;
  lines: CartLineDoc[];
  idempotencyKey?: string;
  requestHash?: string;
  createdAt: Date;
}

/** Active + committed units of one variant held or bought by one shopper (invariant I6). */
export interface PurchaseCountDoc {
  _id: Types.ObjectId;
  userId: string;
  variantId: Types.ObjectId;
  units: number;
}

/** One ledger movement (invariant I7): the change that took a variant's inventory to version seq. */
export interface StockMovementDoc {
  _id: Types.ObjectId;
  variantId: Types.ObjectId;
  seq: number;
  type: MovementType;
  delta: StockFigures;
  after: StockFigures;
  reservationId?: Types.ObjectId;
  groupId?: Types.ObjectId;
  userId?: string;
  actor: string;
  requestId?: string;
  at: Date;
}

/** One shopper waiting for one variant (architecture §14). */
export interface WaitlistEntryDoc {
  _id: Types.ObjectId;
  userId: string;
  variantId: Types.ObjectId;
  quantity: number;
  status: WaitlistStatus;
  joinedAt: Date;
  expiresAt: Date;
  /** Null until the opening lottery for an entry made before saleStartsAt. */
  order: number | null;
  reservationId?: Types.ObjectId;
  skipReason?: SkipReason;
  updatedAt: Date;
}

export interface HoldDoc {
  reservationId: Types.ObjectId;
  variantId: Types.ObjectId;
  quantity: number;
}

export interface UserHoldsDoc {
  /** The shopper's user id (JWT sub). */
  _id: string;
  holds: HoldDoc[];
}

export interface SearchDocumentDoc {
  _id: Types.ObjectId;
  variantId: Types.ObjectId;
  sku: string;
  productId: string;
  title: string;
  attributes: Record<string, string>;
  price: number;
  salePrice?: number;
  saleStartsAt?: Date;
  saleEndsAt?: Date;
  inStock: boolean;
  availableStock: number;
  syncedVersion: number;
  syncedAt: Date;
}

export interface StoreModels {
  variants: Model<VariantDoc>;
  inventory: Model<InventoryDoc>;
  reservations: Model<ReservationDoc>;
  userholds: Model<UserHoldsDoc>;
  searchDocuments: Model<SearchDocumentDoc>;
  cartGroups: Model<CartGroupDoc>;
  purchaseCounts: Model<PurchaseCountDoc>;
  stockMovements: Model<StockMovementDoc>;
  waitlistEntries: Model<WaitlistEntryDoc>;
  webhookSubscriptions: Model<WebhookSubscriptionDoc>;
  webhookProgress: Model<WebhookProgressDoc>;
  webhookLanes: Model<WebhookLaneDoc>;
  webhookDeliveries: Model<WebhookDeliveryDoc>;
}

export interface StoreSchemaOptions {
  /**
   * Build the indexes (and create the collections) when the models are compiled. On in
   * development and tests; off in production, where migrations own indexes and validators.
   */
  autoIndex: boolean;
}

const { ObjectId } = Schema.Types;
const integer = { validator: Number.isInteger, message: '{PATH} must be an integer' };

/**
 * Options shared by every schema. No mongoose `timestamps`: createdAt/updatedAt come from the
 * injected clock (the `now` every command carries), so tests can move time and both stores agree.
 * No `__v`: inventory has its own `version`, and nothing here uses document versioning.
 */
function baseOptions(collection: StoreCollection | SearchCollection, options: StoreSchemaOptions) {
  return {
    collection,
    strict: true,
    versionKey: false as const,
    autoIndex: options.autoIndex,
    // Collections are created together with their indexes; in production migrations create both.
    autoCreate: options.autoIndex,
  };
}

function declareIndexes(
  schema: Schema,
  collection: StoreCollection | SearchCollection,
  indexes: StoreIndexSpec[] = [
    ...STORE_INDEXES,
    ...CART_INDEXES,
    ...LEDGER_INDEXES,
    ...WAITLIST_INDEXES,
  ],
): void {
  for (const spec of indexes) {
    if (spec.collection === collection) schema.index(spec.keys, spec.options);
  }
}

export function buildVariantSchema(options: StoreSchemaOptions): Schema<VariantDoc> {
  const schema = new Schema<VariantDoc>(
    {
      sku: { type: String, required: true },
      productId: { type: String, required: true },
      title: { type: String, required: true },
      attributes: { type: Map, of: String, default: () => ({}) },
      price: { type: Number, required: true, min: 0, validate: integer },
      salePrice: { type: Number, min: 0, validate: integer },
      saleStartsAt: { type: Date },
      saleEndsAt: { type: Date },
      purchaseLimit: { type: Number, min: 1, validate: integer },
      lowStockThreshold: { type: Number, min: 0, validate: integer },
      createdAt: { type: Date, required: true },
      updatedAt: { type: Date, required: true },
    },
    // minimize off: a variant without attributes keeps `{}` rather than losing the field.
    { ...baseOptions('variants', options), minimize: false },
  );
  declareIndexes(schema, 'variants');
  return schema;
}

export function buildInventorySchema(options: StoreSchemaOptions): Schema<InventoryDoc> {
  const stock = { type: Number, required: true, min: 0, validate: integer };
  const schema = new Schema<InventoryDoc>(
    {
      variantId: { type: ObjectId, required: true },
      totalStock: stock,
      reservedStock: stock,
      availableStock: stock,
      version: { type: Number, required: true, min: 0, validate: integer },
      needsSync: { type: Boolean, required: true },
      updatedAt: { type: Date, required: true },
      waitlistOrder: { type: Number, min: 0, validate: integer },
    },
    baseOptions('inventory', options),
  );
  declareIndexes(schema, 'inventory');
  return schema;
}

export function buildReservationSchema(options: StoreSchemaOptions): Schema<ReservationDoc> {
  const schema = new Schema<ReservationDoc>(
    {
      userId: { type: String, required: true },
      variantId: { type: ObjectId, required: true },
      quantity: { type: Number, required: true, min: 1, validate: integer },
      status: { type: String, required: true, enum: RESERVATION_STATUSES },
      expiresAt: { type: Date, required: true },
      idempotencyKey: { type: String },
      requestHash: { type: String },
      groupId: { type: ObjectId },
      extensions: { type: Number, min: 0, validate: integer },
      source: { type: String, enum: ['waitlist'] },
      createdAt: { type: Date, required: true },
      updatedAt: { type: Date, required: true },
      endedAt: { type: Date },
    },
    baseOptions('reservations', options),
  );
  declareIndexes(schema, 'reservations');
  return schema;
}

export function buildUserHoldsSchema(options: StoreSchemaOptions): Schema<UserHoldsDoc> {
  const hold = new Schema<HoldDoc>(
    {
      reservationId: { type: ObjectId, required: true },
      variantId: { type: ObjectId, required: true },
      quantity: { type: Number, required: true, min: 1, validate: integer },
    },
    { _id: false, strict: true },
  );
  const schema = new Schema<UserHoldsDoc>(
    {
      _id: { type: String, required: true },
      // No default: an upsert's `$push` must be the only writer of `holds` (a `$setOnInsert: []`
      // default would collide with it).
      holds: { type: [hold], default: undefined },
    },
    baseOptions('userholds', options),
  );
  declareIndexes(schema, 'userholds');
  return schema;
}

export function buildCartGroupSchema(options: StoreSchemaOptions): Schema<CartGroupDoc> {
  const line = new Schema<CartLineDoc>(
    {
      variantId: { type: ObjectId, required: true },
      quantity: { type: Number, required: true, min: 1, validate: integer },
      status: { type: String, required: true, enum: ['held', 'refused'] },
      reservationId: { type: ObjectId },
      code: { type: String, enum: ['OUT_OF_STOCK', 'NOT_ATTEMPTED'] },
    },
    { _id: false, strict: true },
  );
  const schema = new Schema<CartGroupDoc>(
    {
      userId: { type: String, required: true },
      policy: { type: String, required: true, enum: CART_POLICIES },
      lines: { type: [line], required: true },
      idempotencyKey: { type: String },
      requestHash: { type: String },
      createdAt: { type: Date, required: true },
    },
    baseOptions('cartgroups', options),
  );
  declareIndexes(schema, 'cartgroups');
  return schema;
}

export function buildPurchaseCountSchema(options: StoreSchemaOptions): Schema<PurchaseCountDoc> {
  const schema = new Schema<PurchaseCountDoc>(
    {
      userId: { type: String, required: true },
      variantId: { type: ObjectId, required: true },
      units: { type: Number, required: true, min: 0, validate: integer },
    },
    baseOptions('purchasecounts', options),
  );
  declareIndexes(schema, 'purchasecounts');
  return schema;
}

export function buildStockMovementSchema(options: StoreSchemaOptions): Schema<StockMovementDoc> {
  const figure = { type: Number, required: true, validate: integer };
  const figures = new Schema<StockFigures>(
    { total: figure, reserved: figure, available: figure },
    { _id: false, strict: true },
  );
  const schema = new Schema<StockMovementDoc>(
    {
      variantId: { type: ObjectId, required: true },
      seq: { type: Number, required: true, min: 1, validate: integer },
      type: { type: String, required: true, enum: MOVEMENT_TYPES },
      delta: { type: figures, required: true },
      after: { type: figures, required: true },
      reservationId: { type: ObjectId },
      groupId: { type: ObjectId },
      userId: { type: String },
      actor: { type: String, required: true },
      requestId: { type: String },
      at: { type: Date, required: true },
    },
    baseOptions('stockmovements', options),
  );
  declareIndexes(schema, 'stockmovements');
  return schema;
}

export function buildWaitlistEntrySchema(options: StoreSchemaOptions): Schema<WaitlistEntryDoc> {
  const schema = new Schema<WaitlistEntryDoc>(
    {
      userId: { type: String, required: true },
      variantId: { type: ObjectId, required: true },
      quantity: { type: Number, required: true, min: 1, validate: integer },
      status: { type: String, required: true, enum: WAITLIST_STATUSES },
      joinedAt: { type: Date, required: true },
      expiresAt: { type: Date, required: true },
      // Null until the opening lottery; then an integer.
      order: {
        type: Number,
        default: null,
        validate: {
          validator: (value: unknown) => value === null || Number.isInteger(value),
          message: '{PATH} must be an integer or null',
        },
      },
      reservationId: { type: ObjectId },
      skipReason: { type: String, enum: SKIP_REASONS },
      updatedAt: { type: Date, required: true },
    },
    baseOptions('waitlistentries', options),
  );
  declareIndexes(schema, 'waitlistentries');
  return schema;
}

/**
 * The adapter writes search documents with the driver's bulkWrite (version-guarded upserts), so
 * this schema mostly documents the shape and carries the indexes for autoIndex.
 */
export function buildSearchDocumentSchema(options: StoreSchemaOptions): Schema<SearchDocumentDoc> {
  const count = { type: Number, required: true, min: 0, validate: integer };
  const schema = new Schema<SearchDocumentDoc>(
    {
      variantId: { type: ObjectId, required: true },
      sku: { type: String, required: true },
      productId: { type: String, required: true },
      title: { type: String, required: true },
      attributes: { type: Map, of: String, default: () => ({}) },
      price: count,
      salePrice: { type: Number, min: 0, validate: integer },
      saleStartsAt: { type: Date },
      saleEndsAt: { type: Date },
      inStock: { type: Boolean, required: true },
      availableStock: count,
      syncedVersion: count,
      syncedAt: { type: Date, required: true },
    },
    { ...baseOptions('searchdocuments', options), minimize: false },
  );
  declareIndexes(schema, 'searchdocuments', SEARCH_INDEXES);
  return schema;
}

/** The mongoose model names, one per collection. */
export const STORE_MODEL_NAMES = {
  variants: 'Variant',
  inventory: 'Inventory',
  reservations: 'Reservation',
  userholds: 'UserHolds',
  searchDocuments: 'SearchDocument',
  cartGroups: 'CartGroup',
  purchaseCounts: 'PurchaseCount',
  stockMovements: 'StockMovement',
  waitlistEntries: 'WaitlistEntry',
  webhookSubscriptions: 'WebhookSubscription',
  webhookProgress: 'WebhookProgress',
  webhookLanes: 'WebhookLane',
  webhookDeliveries: 'WebhookDelivery',
} as const satisfies Record<keyof StoreModels, string>;

/** Every model's name and schema, as `MongooseModule.forFeature` takes them. */
export function storeModelDefinitions(
  options: StoreSchemaOptions,
): Array<{ name: string; schema: Schema }> {
  return [
    { name: STORE_MODEL_NAMES.variants, schema: buildVariantSchema(options) },
    { name: STORE_MODEL_NAMES.inventory, schema: buildInventorySchema(options) },
    { name: STORE_MODEL_NAMES.reservations, schema: buildReservationSchema(options) },
    { name: STORE_MODEL_NAMES.userholds, schema: buildUserHoldsSchema(options) },
    { name: STORE_MODEL_NAMES.searchDocuments, schema: buildSearchDocumentSchema(options) },
    { name: STORE_MODEL_NAMES.cartGroups, schema: buildCartGroupSchema(options) },
    { name: STORE_MODEL_NAMES.purchaseCounts, schema: buildPurchaseCountSchema(options) },
    { name: STORE_MODEL_NAMES.stockMovements, schema: buildStockMovementSchema(options) },
    { name: STORE_MODEL_NAMES.waitlistEntries, schema: buildWaitlistEntrySchema(options) },
    {
      name: STORE_MODEL_NAMES.webhookSubscriptions,
      schema: buildWebhookSubscriptionSchema(options),
    },
    { name: STORE_MODEL_NAMES.webhookProgress, schema: buildWebhookProgressSchema(options) },
    { name: STORE_MODEL_NAMES.webhookLanes, schema: buildWebhookLaneSchema(options) },
    { name: STORE_MODEL_NAMES.webhookDeliveries, schema: buildWebhookDeliverySchema(options) },
  ];
}

/**
 * Compiles the models on the given connection (never on mongoose's global default one): the
 * stand-alone path (the backfill CLI, tests). The service gets the same models from
 * `MongooseModule.forFeature` (mongo-store.module.ts).
 */
export function createStoreModels(
  connection: Connection,
  options: StoreSchemaOptions,
): StoreModels {
  const names = STORE_MODEL_NAMES;
  return {
    variants: connection.model<VariantDoc>(names.variants, buildVariantSchema(options)),
    inventory: connection.model<InventoryDoc>(names.inventory, buildInventorySchema(options)),
    reservations: connection.model<ReservationDoc>(
      names.reservations,
      buildReservationSchema(options),
    ),
    userholds: connection.model<UserHoldsDoc>(names.userholds, buildUserHoldsSchema(options)),
    searchDocuments: connection.model<SearchDocumentDoc>(
      names.searchDocuments,
      buildSearchDocumentSchema(options),
    ),
    cartGroups: connection.model<CartGroupDoc>(names.cartGroups, buildCartGroupSchema(options)),
    purchaseCounts: connection.model<PurchaseCountDoc>(
      names.purchaseCounts,
      buildPurchaseCountSchema(options),
    ),
    stockMovements: connection.model<StockMovementDoc>(
      names.stockMovements,
      buildStockMovementSchema(options),
    ),
    waitlistEntries: connection.model<WaitlistEntryDoc>(
      names.waitlistEntries,
      buildWaitlistEntrySchema(options),
    ),
    webhookSubscriptions: connection.model<WebhookSubscriptionDoc>(
      names.webhookSubscriptions,
      buildWebhookSubscriptionSchema(options),
    ),
    webhookProgress: connection.model<WebhookProgressDoc>(
      names.webhookProgress,
      buildWebhookProgressSchema(options),
    ),
    webhookLanes: connection.model<WebhookLaneDoc>(
      names.webhookLanes,
      buildWebhookLaneSchema(options),
    ),
    webhookDeliveries: connection.model<WebhookDeliveryDoc>(
      names.webhookDeliveries,
      buildWebhookDeliverySchema(options),
    ),
  };
}
