import { Schema, Types } from 'mongoose';
import { STOCK_EVENT_TYPES, type StockEventType } from '../../events/stock-event-rules';
import { DELIVERY_STATUSES, type DeliveryStatus } from '../webhooks';
import type { StockFigures, MovementType } from '../ledger';
import type { StoreIndexSpec, StoreSchemaOptions } from './mongo.schemas';

/**
 * The webhook collections (docs/webhooks.md): their indexes, declared once like STORE_INDEXES —
 * the schemas use them with autoIndex, the webhooks migration creates them in production.
 */
export const WEBHOOK_INDEXES: StoreIndexSpec[] = [
  {
    // One lane per (subscription, variant): the publisher and the delivery worker upsert it.
    collection: 'webhooklanes',
    keys: { subscriptionId: 1, variantId: 1 },
    options: { name: 'subscriptionId_variantId_unique', unique: true },
  },
  {
    // One dead letter per (subscription, event): dead-lettering again after a failed replay
    // updates it instead of adding a second.
    collection: 'webhookdeliveries',
    keys: { subscriptionId: 1, eventId: 1 },
    options: { name: 'subscriptionId_eventId_unique', unique: true },
  },
  {
    // GET /v1/admin/webhooks/:id/deliveries?status=failed, newest first.
    collection: 'webhookdeliveries',
    keys: { subscriptionId: 1, status: 1, failedAt: -1 },
    options: { name: 'subscriptionId_status_failedAt' },
  },
];

export interface WebhookSubscriptionDoc {
  _id: Types.ObjectId;
  url: string;
  events: StockEventType[];
  secret: string;
  createdAt: Date;
}

/** The publisher's progress: `_id` is the variant id, seq the last movement handed on. */
export interface WebhookProgressDoc {
  _id: Types.ObjectId;
  seq: number;
}

export interface WebhookLaneDoc {
  _id: Types.ObjectId;
  subscriptionId: Types.ObjectId;
  variantId: Types.ObjectId;
  settled: number;
  published: number;
}

export interface StockEventDoc {
  id: string;
  type: StockEventType;
  variantId: string;
  seq: number;
  movement: MovementType;
  stock: StockFigures;
  lowStockThreshold?: number;
  at: Date;
}

export interface WebhookDeliveryDoc {
  _id: Types.ObjectId;
  subscriptionId: Types.ObjectId;
  eventId: string;
  event: StockEventDoc;
  status: DeliveryStatus;
  attempts: number;
  lastError: string;
  failedAt: Date;
  redrivenAt?: Date;
  deliveredAt?: Date;
}

const { ObjectId, Mixed } = Schema.Types;
const integer = { validator: Number.isInteger, message: '{PATH} must be an integer' };
const position = { type: Number, required: true, min: 0, validate: integer };

function options(collection: string, schemaOptions: StoreSchemaOptions) {
  return {
    collection,
    strict: true,
    versionKey: false as const,
    autoIndex: schemaOptions.autoIndex,
    autoCreate: schemaOptions.autoIndex,
  };
}

function declare(schema: Schema, collection: string): Schema {
  for (const spec of WEBHOOK_INDEXES) {
    if (spec.collection === collection) schema.index(spec.keys, spec.options);
  }
  return schema;
}

export function buildWebhookSubscriptionSchema(
  schemaOptions: StoreSchemaOptions,
): Schema<WebhookSubscriptionDoc> {
  const schema = new Schema<WebhookSubscriptionDoc>(
    {
      url: { type: String, required: true },
      events: { type: [{ type: String, enum: STOCK_EVENT_TYPES }], required: true },
      secret: { type: String, required: true },
      createdAt: { type: Date, required: true },
    },
    options('webhooksubscriptions', schemaOptions),
  );
  return declare(schema, 'webhooksubscriptions') as Schema<WebhookSubscriptionDoc>;
}

export function buildWebhookProgressSchema(
  schemaOptions: StoreSchemaOptions,
): Schema<WebhookProgressDoc> {
  const schema = new Schema<WebhookProgressDoc>(
    { _id: { type: ObjectId, required: true }, seq: position },
    options('webhookprogress', schemaOptions),
  );
  return declare(schema, 'webhookprogress') as Schema<WebhookProgressDoc>;
}

export function buildWebhookLaneSchema(schemaOptions: StoreSchemaOptions): Schema<WebhookLaneDoc> {
  const schema = new Schema<WebhookLaneDoc>(
    {
      subscriptionId: { type: ObjectId, required: true },
      variantId: { type: ObjectId, required: true },
      settled: position,
      published: position,
    },
    options('webhooklanes', schemaOptions),
  );
  return declare(schema, 'webhooklanes') as Schema<WebhookLaneDoc>;
}

export function buildWebhookDeliverySchema(
  schemaOptions: StoreSchemaOptions,
): Schema<WebhookDeliveryDoc> {
  const schema = new Schema<WebhookDeliveryDoc>(
    {
      subscriptionId: { type: ObjectId, required: true },
      eventId: { type: String, required: true },
      // The event as it was dead-lettered, replayed as-is (same id, same figures).
      event: { type: Mixed, required: true },
      status: { type: String, required: true, enum: DELIVERY_STATUSES },
      attempts: position,
      lastError: { type: String, default: '' },
      failedAt: { type: Date, required: true },
      redrivenAt: { type: Date },
      deliveredAt: { type: Date },
    },
    options('webhookdeliveries', schemaOptions),
  );
  return declare(schema, 'webhookdeliveries') as Schema<WebhookDeliveryDoc>;
}
