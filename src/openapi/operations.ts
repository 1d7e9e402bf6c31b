/**
 * What each operation answers: its success status and body, and the error statuses only it gives
 * (complete-document.ts adds those every operation of a kind gives). Keyed by `METHOD /path/{param}`
 * as the document names paths; a route missing here stops the app at boot, so none ships
 * undocumented. The e2e suite holds every answer it receives to this (test/helpers/openapi-validator.ts).
 */
export interface OperationAnswers {
  /** `schema` absent: no body (204). */
  success: { status: number; schema?: string; description: string; contentType?: string };
  /** Extra success statuses with their own body (readiness answers 503 with its report). */
  alsoSuccess?: { status: number; schema: string; description: string }[];
  /** Error statuses, each with the codes it carries; the generic ones are added by kind below. */
  errors: Record<number, string>;
  /** The route has an id in its path (400 for a malformed one). */
  idParam?: boolean;
  /** Authenticated and rate limited (401, 429); false for probes and the scrape. */
  guarded?: boolean;
  /** Answers Idempotent-Replayed on a replay. */
  idempotent?: boolean;
}

const RESERVATION_NOT_FOUND = 'RESERVATION_NOT_FOUND: unknown, or another shopper’s';
const CART_NOT_FOUND = 'RESERVATION_NOT_FOUND: unknown cart hold, or another shopper’s';
const HOLD_STATE = 'RESERVATION_EXPIRED, RESERVATION_NOT_ACTIVE';

export const OPERATIONS: Record<string, OperationAnswers> = {
  'GET /health/live': {
    success: { status: 200, schema: 'Liveness', description: 'The process runs' },
    errors: {},
  },
  'GET /health/ready': {
    success: {
      status: 200,
      schema: 'Readiness',
      description: 'Ready for traffic (status ok, or degraded: Redis down, per-process limits)',
    },
    alsoSuccess: [
      {
        status: 503,
        schema: 'Readiness',
        description: 'Not ready: the store does not answer, or the process is shutting down',
      },
    ],
    errors: {},
  },
  'GET /metrics': {
    success: {
      status: 200,
      schema: 'PrometheusText',
      contentType: 'text/plain',
      description: 'Prometheus text exposition format',
    },
    errors: { 401: 'UNAUTHORIZED: METRICS_TOKEN is set and the bearer token is not it' },
  },
  'POST /v1/admin/variants': {
    success: { status: 201, schema: 'Variant', description: 'The variant with its stock' },
    errors: { 403: 'FORBIDDEN: not an admin', 409: 'SKU_EXISTS' },
    guarded: true,
  },
  'PATCH /v1/admin/variants/{id}': {
    success: { status: 200, schema: 'Variant', description: 'The updated variant' },
    errors: { 403: 'FORBIDDEN: not an admin', 404: 'VARIANT_NOT_FOUND' },
    idParam: true,
    guarded: true,
  },
  'PATCH /v1/admin/variants/{id}/stock': {
    success: { status: 200, schema: 'Inventory', description: 'The stock after the adjustment' },
    errors: {
      403: 'FORBIDDEN: not an admin',
      404: 'VARIANT_NOT_FOUND',
      409: 'VERSION_CONFLICT, INSUFFICIENT_STOCK (removing more than is available)',
    },
    idParam: true,
    guarded: true,
  },
  'GET /v1/variants/{id}': {
    success: { status: 200, schema: 'Variant', description: 'The variant with its stock' },
    errors: { 404: 'VARIANT_NOT_FOUND' },
    idParam: true,
    guarded: true,
  },
  'GET /v1/inventory/{variantId}': {
    success: { status: 200, schema: 'Inventory', description: 'Stock figures' },
    errors: { 404: 'VARIANT_NOT_FOUND' },
    idParam: true,
    guarded: true,
  },
  'GET /v1/admin/variants/{id}/movements': {
    success: {
      status: 200,
      schema: 'MovementPage',
      description: "One page of the variant's stock ledger, oldest first",
    },
    errors: {
      400: 'VALIDATION_FAILED: after or limit out of range',
      403: 'FORBIDDEN: not an admin',
      404: 'VARIANT_NOT_FOUND',
    },
    idParam: true,
    guarded: true,
  },
  'GET /v1/inventory/{variantId}/stream': {
    success: {
      status: 200,
      schema: 'AvailabilityEventStream',
      contentType: 'text/event-stream',
      description: 'Live availability; resumes after Last-Event-ID',
    },
    errors: {
      404: 'VARIANT_NOT_FOUND',
      503: 'SERVICE_UNAVAILABLE: this process already serves LIVE_MAX_STREAMS streams',
    },
    idParam: true,
    guarded: true,
  },
  'POST /v1/admin/webhooks': {
    success: {
      status: 201,
      schema: 'CreatedWebhook',
      description: 'The subscription with its secret (shown only here)',
    },
    errors: {
      400: 'VALIDATION_FAILED: not an http(s) URL, unknown event type, or a URL resolving to a private address',
      403: 'FORBIDDEN: not an admin',
    },
    guarded: true,
  },
  'GET /v1/admin/webhooks': {
    success: { status: 200, schema: 'WebhookList', description: 'Every subscription, no secrets' },
    errors: { 403: 'FORBIDDEN: not an admin' },
    guarded: true,
  },
  'GET /v1/admin/webhooks/{id}': {
    success: { status: 200, schema: 'Webhook', description: 'The subscription, no secret' },
    errors: { 403: 'FORBIDDEN: not an admin', 404: 'WEBHOOK_NOT_FOUND' },
    idParam: true,
    guarded: true,
  },
  'DELETE /v1/admin/webhooks/{id}': {
    success: { status: 200, schema: 'Webhook', description: 'The deleted subscription' },
    errors: { 403: 'FORBIDDEN: not an admin', 404: 'WEBHOOK_NOT_FOUND' },
    idParam: true,
    guarded: true,
  },
  'GET /v1/admin/webhooks/{id}/deliveries': {
    success: {
      status: 200,
      schema: 'DeliveryList',
      description: 'Dead letters and their replays, newest first',
    },
    errors: {
      400: 'VALIDATION_FAILED: status or limit out of range',
      403: 'FORBIDDEN: not an admin',
      404: 'WEBHOOK_NOT_FOUND',
    },
    idParam: true,
    guarded: true,
  },
  'POST /v1/admin/webhooks/{id}/deliveries/{deliveryId}/redrive': {
    success: {
      status: 202,
      schema: 'Delivery',
      description: 'The replay is queued (status redriving)',
    },
    errors: {
      403: 'FORBIDDEN: not an admin',
      404: 'WEBHOOK_NOT_FOUND, DELIVERY_NOT_FOUND',
      409: 'DELIVERY_NOT_FAILED: already delivered by an earlier replay',
      503: 'SERVICE_UNAVAILABLE: the queue (Redis) is not available',
    },
    idParam: true,
    guarded: true,
  },
  'GET /v1/admin/reconcile': {
    success: {
      status: 200,
      schema: 'ReconcileReport',
      description: 'ok is false when any invariant is violated',
    },
    errors: { 403: 'FORBIDDEN: not an admin' },
    guarded: true,
  },
  'GET /v1/search': {
    success: { status: 200, schema: 'SearchPage', description: 'One page of matches' },
    errors: { 400: 'VALIDATION_FAILED: a query parameter breaks a rule' },
    guarded: true,
  },
  'POST /v1/reservations': {
    success: {
      status: 201,
      schema: 'Reservation',
      description: 'The hold (a replay of the same Idempotency-Key answers the same hold)',
    },
    errors: {
      404: 'VARIANT_NOT_FOUND',
      409: 'OUT_OF_STOCK, DUPLICATE_RESERVATION, MAX_RESERVATIONS_EXCEEDED, PURCHASE_LIMIT_EXCEEDED',
      422: 'IDEMPOTENCY_KEY_REUSED: the key was used with another body',
    },
    guarded: true,
    idempotent: true,
  },
  'GET /v1/reservations': {
    success: { status: 200, schema: 'ReservationList', description: 'Newest first' },
    errors: { 400: 'VALIDATION_FAILED: a query parameter breaks a rule' },
    guarded: true,
  },
  'GET /v1/reservations/{id}': {
    success: { status: 200, schema: 'Reservation', description: 'The reservation' },
    errors: { 404: RESERVATION_NOT_FOUND },
    idParam: true,
    guarded: true,
  },
  'POST /v1/reservations/{id}/commit': {
    success: { status: 200, schema: 'Reservation', description: 'Committed (sold)' },
    errors: { 404: RESERVATION_NOT_FOUND, 409: HOLD_STATE },
    idParam: true,
    guarded: true,
  },
  'POST /v1/reservations/{id}/extend': {
    success: { status: 200, schema: 'Reservation', description: 'The hold with its new expiresAt' },
    errors: { 404: RESERVATION_NOT_FOUND, 409: `HOLD_LIFETIME_EXCEEDED, ${HOLD_STATE}` },
    idParam: true,
    guarded: true,
  },
  'DELETE /v1/reservations/{id}': {
    success: { status: 200, schema: 'Reservation', description: 'Released (or already released)' },
    errors: { 404: RESERVATION_NOT_FOUND, 409: HOLD_STATE },
    idParam: true,
    guarded: true,
  },
  'POST /v1/reservations/batch': {
    success: {
      status: 201,
      schema: 'Cart',
      description: 'At least one line held (a replay answers the same cart)',
    },
    errors: {
      404: 'VARIANT_NOT_FOUND',
      409:
        'OUT_OF_STOCK with each line in `details` (nothing held), DUPLICATE_RESERVATION, ' +
        'MAX_RESERVATIONS_EXCEEDED, PURCHASE_LIMIT_EXCEEDED',
      422: 'IDEMPOTENCY_KEY_REUSED: the key was used with another body',
    },
    guarded: true,
    idempotent: true,
  },
  'GET /v1/reservations/groups/{groupId}': {
    success: { status: 200, schema: 'Cart', description: 'Each line as it is now' },
    errors: { 404: CART_NOT_FOUND },
    idParam: true,
    guarded: true,
  },
  'POST /v1/reservations/groups/{groupId}/commit': {
    success: { status: 200, schema: 'Cart', description: 'Every active line committed' },
    errors: { 404: CART_NOT_FOUND, 409: HOLD_STATE },
    idParam: true,
    guarded: true,
  },
  'DELETE /v1/reservations/groups/{groupId}': {
    success: { status: 200, schema: 'Cart', description: 'Every active line released' },
    errors: { 404: CART_NOT_FOUND },
    idParam: true,
    guarded: true,
  },
  'POST /v1/reservations/groups/{groupId}/extend': {
    success: { status: 200, schema: 'Cart', description: 'Every active line extended' },
    errors: { 404: CART_NOT_FOUND, 409: `HOLD_LIFETIME_EXCEEDED, ${HOLD_STATE}` },
    idParam: true,
    guarded: true,
  },
  'POST /v1/variants/{id}/waitlist': {
    success: {
      status: 201,
      schema: 'WaitlistEntry',
      description: 'In line, with the position (null while waiting for the opening lottery)',
    },
    errors: {
      404: 'VARIANT_NOT_FOUND',
      409:
        'STOCK_AVAILABLE: the variant can serve the quantity now (reserve it); ' +
        'ALREADY_WAITING: the caller is in this line already',
    },
    idParam: true,
    guarded: true,
  },
  'GET /v1/variants/{id}/waitlist': {
    success: { status: 200, schema: 'WaitlistEntry', description: "The caller's entry" },
    errors: { 404: 'WAITLIST_ENTRY_NOT_FOUND: the caller has no entry for this variant' },
    idParam: true,
    guarded: true,
  },
  'DELETE /v1/variants/{id}/waitlist': {
    success: { status: 204, description: 'Left the line (the entry is deleted)' },
    errors: { 404: 'WAITLIST_ENTRY_NOT_FOUND: the caller has no entry for this variant' },
    idParam: true,
    guarded: true,
  },
  'GET /v1/waitlist/stream': {
    success: {
      status: 200,
      schema: 'WaitlistEventStream',
      contentType: 'text/event-stream',
      description: "The caller's offers, skips and expiries, as they happen",
    },
    errors: { 503: 'SERVICE_UNAVAILABLE: this process already serves LIVE_MAX_STREAMS streams' },
    guarded: true,
  },
};
