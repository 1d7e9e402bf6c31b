import type { SchemaObject } from '@nestjs/swagger';
import { CART_POLICIES } from '../store/cart.types';
import { MOVEMENT_TYPES } from '../store/ledger';
import { RESERVATION_STATUSES } from '../store/store.types';
import { SKIP_REASONS, WAITLIST_STATUSES } from '../store/waitlist.types';
import { STOCK_EVENT_TYPES } from '../events/stock-event-rules';
import { DELIVERY_STATUSES } from '../store/webhooks';

/**
 * JSON schemas of every response body, as the presenters (src/**\/*.presenter.ts) build them and
 * the error filter answers them. They become `components.schemas` of the served document; the e2e
 * suite checks every response it receives against them, so a presenter that drifts fails a test.
 */

/** Ids the service creates: lower-case 24-hex MongoDB ObjectIds. */
export const OBJECT_ID_PATTERN = '^[0-9a-f]{24}$';

const objectId = (description: string): SchemaObject => ({
  type: 'string',
  pattern: OBJECT_ID_PATTERN,
  description,
});
const dateTime = (description?: string): SchemaObject => ({
  type: 'string',
  format: 'date-time',
  ...(description ? { description } : {}),
});
const count = (description?: string): SchemaObject => ({
  type: 'integer',
  minimum: 0,
  ...(description ? { description } : {}),
});
const price = (description: string): SchemaObject => ({
  type: 'integer',
  minimum: 0,
  description,
});
const attributes: SchemaObject = {
  type: 'object',
  additionalProperties: { type: 'string' },
  description: 'Free-form string attributes (colour, size, …)',
};

/** Every stable code an error body can carry; clients branch on these, never on messages. */
export const ERROR_CODES = [
  'VALIDATION_FAILED',
  'UNAUTHORIZED',
  'FORBIDDEN',
  'NOT_FOUND',
  'METHOD_NOT_ALLOWED',
  'REQUEST_TIMEOUT',
  'PAYLOAD_TOO_LARGE',
  'URI_TOO_LONG',
  'UNSUPPORTED_MEDIA_TYPE',
  'HEADERS_TOO_LARGE',
  'RATE_LIMIT_EXCEEDED',
  'VARIANT_NOT_FOUND',
  'RESERVATION_NOT_FOUND',
  'OUT_OF_STOCK',
  'DUPLICATE_RESERVATION',
  'MAX_RESERVATIONS_EXCEEDED',
  'PURCHASE_LIMIT_EXCEEDED',
  'RESERVATION_NOT_ACTIVE',
  'RESERVATION_EXPIRED',
  'HOLD_LIFETIME_EXCEEDED',
  'STOCK_AVAILABLE',
  'ALREADY_WAITING',
  'WAITLIST_ENTRY_NOT_FOUND',
  'VERSION_CONFLICT',
  'INSUFFICIENT_STOCK',
  'SKU_EXISTS',
  'IDEMPOTENCY_KEY_REUSED',
  'WEBHOOK_NOT_FOUND',
  'DELIVERY_NOT_FOUND',
  'DELIVERY_NOT_FAILED',
  'SERVICE_UNAVAILABLE',
  'INTERNAL_ERROR',
  'HTTP_ERROR',
] as const;

const stock: SchemaObject = {
  type: 'object',
  required: ['total', 'reserved', 'available', 'version'],
  additionalProperties: false,
  properties: {
    total: count('Units owned: available + reserved'),
    reserved: count('Units held by active reservations'),
    available: count('Units that can be held now'),
    version: count('Bumped by every change; pass as expectedVersion to adjust safely'),
  },
};

const reservation: SchemaObject = {
  type: 'object',
  required: [
    'id',
    'userId',
    'variantId',
    'quantity',
    'status',
    'expiresAt',
    'extensions',
    'source',
    'createdAt',
    'updatedAt',
  ],
  additionalProperties: false,
  properties: {
    id: objectId('Reservation id'),
    userId: { type: 'string', description: "The shopper (the token's sub)" },
    variantId: objectId('Variant id'),
    quantity: { type: 'integer', minimum: 1 },
    status: { type: 'string', enum: [...RESERVATION_STATUSES] },
    expiresAt: dateTime('When an active hold lapses and its units return to stock'),
    extensions: count('Times the hold was extended'),
    groupId: objectId('The cart hold this is a line of'),
    source: {
      type: 'string',
      enum: ['direct', 'waitlist'],
      description: '`waitlist` for an offer made from freed units to a waiting shopper',
    },
    createdAt: dateTime(),
    updatedAt: dateTime(),
    endedAt: dateTime('When it was committed, released or expired'),
  },
};

export const RESPONSE_SCHEMAS: Record<string, SchemaObject> = {
  ErrorBody: {
    type: 'object',
    description: 'The one shape of every error answer',
    required: ['statusCode', 'code', 'message', 'requestId'],
    additionalProperties: false,
    properties: {
      statusCode: { type: 'integer', minimum: 400, maximum: 599 },
      code: { type: 'string', enum: [...ERROR_CODES] },
      message: { type: 'string', description: 'For people; may change between versions' },
      requestId: { type: 'string', description: 'Same as the X-Request-Id header' },
      details: {
        description:
          'VALIDATION_FAILED: one message per problem. A refused cart hold (OUT_OF_STOCK): each line and why',
        anyOf: [
          { type: 'array', items: { type: 'string' } },
          { type: 'array', items: { $ref: '#/components/schemas/RefusedCartLine' } },
        ],
      },
    },
  },
  RefusedCartLine: {
    type: 'object',
    required: ['variantId', 'quantity', 'status', 'code'],
    additionalProperties: false,
    properties: {
      variantId: objectId('Variant id'),
      quantity: { type: 'integer', minimum: 1 },
      status: { type: 'string', enum: ['refused'] },
      code: { type: 'string', enum: ['OUT_OF_STOCK', 'NOT_ATTEMPTED'] },
    },
  },
  Variant: {
    type: 'object',
    required: [
      'id',
      'sku',
      'productId',
      'title',
      'attributes',
      'price',
      'effectivePrice',
      'createdAt',
      'updatedAt',
      'stock',
    ],
    additionalProperties: false,
    properties: {
      id: objectId('Variant id'),
      sku: { type: 'string' },
      productId: { type: 'string' },
      title: { type: 'string' },
      attributes,
      price: price('List price, integer minor units (cents)'),
      salePrice: price('Sale price, integer minor units'),
      saleStartsAt: dateTime(),
      saleEndsAt: dateTime(),
      effectivePrice: price('salePrice inside the sale window, else price'),
      purchaseLimit: {
        type: 'integer',
        minimum: 1,
        description: 'Units one shopper may hold and buy in total; absent when unlimited',
      },
      lowStockThreshold: {
        type: 'integer',
        minimum: 0,
        description: 'Available stock at or below which stock.low is sent; absent when not set',
      },
      createdAt: dateTime(),
      updatedAt: dateTime(),
      stock,
    },
  },
  Inventory: {
    type: 'object',
    required: ['variantId', 'totalStock', 'reservedStock', 'availableStock', 'version'],
    additionalProperties: false,
    properties: {
      variantId: objectId('Variant id'),
      totalStock: count(),
      reservedStock: count(),
      availableStock: count(),
      version: count('Pass as expectedVersion to adjust safely'),
    },
  },
  Reservation: reservation,
  ReservationList: {
    type: 'object',
    required: ['items'],
    additionalProperties: false,
    properties: {
      items: { type: 'array', items: { $ref: '#/components/schemas/Reservation' } },
    },
  },
  Cart: {
    type: 'object',
    required: ['groupId', 'policy', 'lines'],
    additionalProperties: false,
    properties: {
      groupId: objectId('Cart hold id'),
      policy: { type: 'string', enum: [...CART_POLICIES] },
      lines: { type: 'array', items: { $ref: '#/components/schemas/CartLine' } },
    },
  },
  CartLine: {
    type: 'object',
    required: ['variantId', 'quantity', 'status'],
    additionalProperties: false,
    properties: {
      variantId: objectId('Variant id'),
      quantity: { type: 'integer', minimum: 1 },
      status: { type: 'string', enum: ['held', 'refused'] },
      reservation: { $ref: '#/components/schemas/Reservation' },
      code: { type: 'string', enum: ['OUT_OF_STOCK'], description: 'Why the line was refused' },
    },
  },
  StockFigures: {
    type: 'object',
    required: ['total', 'reserved', 'available'],
    additionalProperties: false,
    properties: {
      total: { type: 'integer' },
      reserved: { type: 'integer' },
      available: { type: 'integer' },
    },
  },
  Movement: {
    type: 'object',
    required: ['variantId', 'seq', 'type', 'delta', 'after', 'actor', 'at'],
    additionalProperties: false,
    properties: {
      variantId: objectId('Variant id'),
      seq: {
        type: 'integer',
        minimum: 1,
        description: 'The inventory version this change produced',
      },
      type: { type: 'string', enum: [...MOVEMENT_TYPES] },
      delta: { $ref: '#/components/schemas/StockFigures' },
      after: { $ref: '#/components/schemas/StockFigures' },
      reservationId: objectId('The hold that moved the stock'),
      groupId: objectId('The cart hold it belongs to'),
      userId: { type: 'string' },
      actor: { type: 'string', description: 'The shopper, the admin, or "sweeper"' },
      requestId: { type: 'string' },
      at: dateTime(),
    },
  },
  MovementPage: {
    type: 'object',
    required: ['items', 'nextAfter'],
    additionalProperties: false,
    properties: {
      items: { type: 'array', items: { $ref: '#/components/schemas/Movement' } },
      nextAfter: {
        type: 'integer',
        nullable: true,
        description: 'Pass as `after` for the next page; null on the last page',
      },
    },
  },
  Webhook: {
    type: 'object',
    required: ['id', 'url', 'events', 'createdAt'],
    additionalProperties: false,
    properties: {
      id: objectId('Subscription id'),
      url: { type: 'string', description: 'Where events are POSTed' },
      events: { type: 'array', items: { type: 'string', enum: [...STOCK_EVENT_TYPES] } },
      createdAt: dateTime('Events of movements made before this are not delivered'),
    },
  },
  CreatedWebhook: {
    type: 'object',
    required: ['id', 'url', 'events', 'createdAt', 'secret'],
    additionalProperties: false,
    properties: {
      id: objectId('Subscription id'),
      url: { type: 'string' },
      events: { type: 'array', items: { type: 'string', enum: [...STOCK_EVENT_TYPES] } },
      createdAt: dateTime(),
      secret: {
        type: 'string',
        description: 'The HMAC-SHA256 key of Stockhold-Signature; never shown again',
      },
    },
  },
  WebhookList: { type: 'array', items: { $ref: '#/components/schemas/Webhook' } },
  WebhookPayload: {
    type: 'object',
    description: 'The JSON body of a webhook request',
    required: ['id', 'type', 'variantId', 'seq', 'data', 'occurredAt'],
    additionalProperties: false,
    properties: {
      id: { type: 'string', description: '`<variantId>:<seq>:<type>`, stable: deduplicate on it' },
      type: { type: 'string', enum: [...STOCK_EVENT_TYPES] },
      variantId: objectId('Variant id'),
      seq: { type: 'integer', minimum: 1, description: 'The ledger movement it comes from' },
      data: {
        type: 'object',
        required: ['movement', 'stock'],
        additionalProperties: false,
        properties: {
          movement: { type: 'string', enum: [...MOVEMENT_TYPES] },
          stock: { $ref: '#/components/schemas/StockFigures' },
          lowStockThreshold: { type: 'integer', minimum: 0 },
        },
      },
      occurredAt: dateTime('When the movement was made'),
    },
  },
  Delivery: {
    type: 'object',
    required: [
      'id',
      'subscriptionId',
      'eventId',
      'status',
      'attempts',
      'lastError',
      'failedAt',
      'payload',
    ],
    additionalProperties: false,
    properties: {
      id: objectId('Delivery (dead letter) id'),
      subscriptionId: objectId('Subscription id'),
      eventId: { type: 'string' },
      status: { type: 'string', enum: [...DELIVERY_STATUSES] },
      attempts: count('Requests made for this event, over every run'),
      lastError: { type: 'string', description: 'Why the last request failed' },
      failedAt: dateTime('When it was (last) dead-lettered'),
      redrivenAt: dateTime('When a replay was last asked for'),
      deliveredAt: dateTime('When a replay was delivered'),
      payload: { $ref: '#/components/schemas/WebhookPayload' },
    },
  },
  DeliveryList: { type: 'array', items: { $ref: '#/components/schemas/Delivery' } },
  SearchPage: {
    type: 'object',
    required: ['items', 'nextCursor'],
    additionalProperties: false,
    properties: {
      items: { type: 'array', items: { $ref: '#/components/schemas/SearchItem' } },
      nextCursor: {
        type: 'string',
        nullable: true,
        pattern: OBJECT_ID_PATTERN,
        description: 'Pass as `cursor` for the next page; null on the last one',
      },
    },
  },
  SearchItem: {
    type: 'object',
    required: [
      'variantId',
      'sku',
      'productId',
      'title',
      'attributes',
      'price',
      'effectivePrice',
      'inStock',
      'availableStock',
      'syncedVersion',
      'syncedAt',
    ],
    additionalProperties: false,
    properties: {
      variantId: objectId('Variant id'),
      sku: { type: 'string' },
      productId: { type: 'string' },
      title: { type: 'string' },
      attributes,
      price: price('List price, integer minor units (cents)'),
      salePrice: price('Sale price, integer minor units'),
      saleStartsAt: dateTime(),
      saleEndsAt: dateTime(),
      effectivePrice: price('salePrice inside the sale window at the time of the request'),
      inStock: { type: 'boolean' },
      availableStock: count(),
      syncedVersion: count('The inventory version the document shows'),
      syncedAt: dateTime(),
    },
  },
  WaitlistEntry: {
    type: 'object',
    required: [
      'id',
      'variantId',
      'quantity',
      'status',
      'position',
      'lottery',
      'joinedAt',
      'expiresAt',
    ],
    additionalProperties: false,
    properties: {
      id: objectId('Entry id'),
      variantId: objectId('Variant id'),
      quantity: { type: 'integer', minimum: 1 },
      status: { type: 'string', enum: [...WAITLIST_STATUSES] },
      position: {
        type: 'integer',
        nullable: true,
        minimum: 1,
        description: '1 = next in line; null when not waiting or waiting for the opening lottery',
      },
      lottery: {
        type: 'boolean',
        description: 'Joined before saleStartsAt: waits for the opening lottery to get a place',
      },
      joinedAt: dateTime(),
      expiresAt: dateTime('When a waiting entry expires'),
      reservationId: objectId('The offer (status offered): a hold with source waitlist'),
      skipReason: {
        type: 'string',
        enum: [...SKIP_REASONS],
        description: 'Why units passed this entry by (status skipped)',
      },
    },
  },
  WaitlistEventStream: {
    type: 'string',
    description:
      'Server-Sent Events: `event: offer|skipped|expired` with a JSON `data:` line, comment ' +
      'lines as heartbeats',
  },
  ReconcileReport: {
    type: 'object',
    required: ['ok', 'checked', 'violations'],
    additionalProperties: false,
    properties: {
      ok: { type: 'boolean' },
      checked: count('Inventory documents checked'),
      violations: {
        type: 'array',
        items: {
          type: 'object',
          required: ['invariant', 'subject', 'message'],
          additionalProperties: false,
          properties: {
            invariant: { type: 'string', description: 'Invariant name (docs/architecture.md §3)' },
            subject: { type: 'string', description: 'The variant or shopper it is about' },
            message: { type: 'string' },
          },
        },
      },
    },
  },
  Liveness: {
    type: 'object',
    required: ['status'],
    additionalProperties: false,
    properties: { status: { type: 'string', enum: ['ok'] } },
  },
  Readiness: {
    type: 'object',
    required: ['status', 'checks'],
    additionalProperties: false,
    properties: {
      status: { type: 'string', enum: ['ok', 'degraded', 'unavailable'] },
      checks: {
        type: 'object',
        additionalProperties: {
          type: 'object',
          required: ['ok'],
          additionalProperties: false,
          properties: {
            ok: { type: 'boolean' },
            degraded: { type: 'boolean' },
            detail: { type: 'string' },
          },
        },
      },
    },
  },
};
