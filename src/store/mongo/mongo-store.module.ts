import { DynamicModule, Injectable, Module } from '@nestjs/common';
import { InjectConnection, InjectModel, MongooseModule } from '@nestjs/mongoose';
import type { Connection, Model } from 'mongoose';
import { Store } from '../store';
import { mongoConnectionOptions } from './connection-options';
import {
  STORE_MODEL_NAMES,
  storeModelDefinitions,
  type CartGroupDoc,
  type PurchaseCountDoc,
  type InventoryDoc,
  type ReservationDoc,
  type SearchDocumentDoc,
  type StockMovementDoc,
  type StoreModels,
  type UserHoldsDoc,
  type VariantDoc,
  type WaitlistEntryDoc,
} from './mongo.schemas';
import type {
  WebhookDeliveryDoc,
  WebhookLaneDoc,
  WebhookProgressDoc,
  WebhookSubscriptionDoc,
} from './mongo.webhook-schemas';
import { MongoStore } from './mongo.store';

/** Where the service's MongoDB is and how it is used; decided at boot (open-store.ts). */
export interface MongoStoreSettings {
  uri: string;
  /** Build collections and indexes at start-up (development); off in production. */
  autoIndex: boolean;
  /** Refuse to start unless the database is fully migrated (production). */
  verifySchema: boolean;
  /** Database to use instead of the one named in the URI (tests). */
  dbName?: string;
  /** RETENTION_DAYS, for the TTL index on ended reservations; default 0 (kept forever). */
  retentionDays?: number;
}

/** The connection and the models, as MongooseModule provides them. */
@Injectable()
export class MongoStoreModels {
  constructor(
    @InjectConnection() readonly connection: Connection,
    @InjectModel(STORE_MODEL_NAMES.variants) private readonly variants: Model<VariantDoc>,
    @InjectModel(STORE_MODEL_NAMES.inventory) private readonly inventory: Model<InventoryDoc>,
    @InjectModel(STORE_MODEL_NAMES.reservations)
    private readonly reservations: Model<ReservationDoc>,
    @InjectModel(STORE_MODEL_NAMES.userholds) private readonly userholds: Model<UserHoldsDoc>,
    @InjectModel(STORE_MODEL_NAMES.searchDocuments)
    private readonly searchDocuments: Model<SearchDocumentDoc>,
    @InjectModel(STORE_MODEL_NAMES.cartGroups) private readonly cartGroups: Model<CartGroupDoc>,
    @InjectModel(STORE_MODEL_NAMES.purchaseCounts)
    private readonly purchaseCounts: Model<PurchaseCountDoc>,
    @InjectModel(STORE_MODEL_NAMES.stockMovements)
    private readonly stockMovements: Model<StockMovementDoc>,
    @InjectModel(STORE_MODEL_NAMES.waitlistEntries)
    private readonly waitlistEntries: Model<WaitlistEntryDoc>,
    @InjectModel(STORE_MODEL_NAMES.webhookSubscriptions)
    private readonly webhookSubscriptions: Model<WebhookSubscriptionDoc>,
    @InjectModel(STORE_MODEL_NAMES.webhookProgress)
    private readonly webhookProgress: Model<WebhookProgressDoc>,
    @InjectModel(STORE_MODEL_NAMES.webhookLanes)
    private readonly webhookLanes: Model<WebhookLaneDoc>,
    @InjectModel(STORE_MODEL_NAMES.webhookDeliveries)
    private readonly webhookDeliveries: Model<WebhookDeliveryDoc>,
  ) {}

  get models(): StoreModels {
    const { variants, inventory, reservations, userholds, searchDocuments } = this;
    const { cartGroups, purchaseCounts, stockMovements, waitlistEntries } = this;
    const { webhookSubscriptions, webhookProgress, webhookLanes, webhookDeliveries } = this;
    return {
      variants,
      inventory,
      reservations,
      userholds,
      searchDocuments,
      cartGroups,
      purchaseCounts,
      stockMovements,
      waitlistEntries,
      webhookSubscriptions,
      webhookProgress,
      webhookLanes,
      webhookDeliveries,
    };
  }
}

/**
 * The MongoDB store, wired the Nest way: `MongooseModule` owns the connection (opened with the
 * options of connection-options.ts, closed on application shutdown) and the models; the store is
 * built over them and provided as the `Store` port. Transactions still go through the store's
 * TransactionRunner, on sessions of this same connection.
 */
@Module({})
export class MongoStoreModule {
  static forRoot(settings: MongoStoreSettings): DynamicModule {
    const { uri, autoIndex, verifySchema, dbName, retentionDays = 0 } = settings;
    return {
      module: MongoStoreModule,
      imports: [
        MongooseModule.forRootAsync({
          useFactory: () => ({
            uri,
            ...mongoConnectionOptions({ autoIndex, dbName }),
            // One attempt: the server was reached at boot (open-store.ts), and the driver itself
            // waits serverSelectionTimeoutMS for it; the module's default is 9 retries 3 s apart.
            retryAttempts: 1,
          }),
        }),
        MongooseModule.forFeature(storeModelDefinitions({ autoIndex })),
      ],
      providers: [
        MongoStoreModels,
        {
          provide: MongoStore,
          useFactory: (wiring: MongoStoreModels) =>
            MongoStore.open(wiring.connection, wiring.models, {
              autoIndex,
              verifySchema,
              retentionDays,
            }),
          inject: [MongoStoreModels],
        },
        { provide: Store, useExisting: MongoStore },
      ],
      exports: [Store],
    };
  }
}
