/**
 * Typed domain errors. Services and stores throw these; the single global exception filter maps
 * them to the one error shape `{ statusCode, code, message, requestId }`.
 */
export abstract class DomainError extends Error {
  abstract readonly code: string;
  abstract readonly statusCode: number;
  /** Extra response headers (e.g. Retry-After). */
  readonly headers: Record<string, string> = {};

  /**
   * Domain errors are expected outcomes (a sold-out variant, a bad token), answered by code and
   * message; a stack trace would say nothing and costs microseconds on every refusal, which under
   * a sold-out stampede is every request. So none is captured.
   */
  constructor(message: string) {
    const stackTraceLimit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(message);
    Error.stackTraceLimit = stackTraceLimit;
    this.name = new.target.name;
  }
}

export class ValidationFailedError extends DomainError {
  readonly code = 'VALIDATION_FAILED';
  readonly statusCode = 400;
  constructor(
    message: string,
    readonly details: string[] = [],
  ) {
    super(message);
  }
}

export class UnauthorizedError extends DomainError {
  readonly code = 'UNAUTHORIZED';
  readonly statusCode = 401;
}

export class ForbiddenError extends DomainError {
  readonly code = 'FORBIDDEN';
  readonly statusCode = 403;
}

export class VariantNotFoundError extends DomainError {
  readonly code = 'VARIANT_NOT_FOUND';
  readonly statusCode = 404;
  constructor(variantId: string) {
    super(`Variant ${variantId} does not exist`);
  }
}

export class ReservationNotFoundError extends DomainError {
  readonly code = 'RESERVATION_NOT_FOUND';
  readonly statusCode = 404;
  constructor(reservationId: string) {
    super(`Reservation ${reservationId} does not exist`);
  }
}

export class OutOfStockError extends DomainError {
  readonly code = 'OUT_OF_STOCK';
  readonly statusCode = 409;
  /**
   * @param available units left when the store refused, when it knows; lets the sold-out gate
   * answer the next requests without a store round trip.
   */
  constructor(
    variantId: string,
    readonly available?: number,
  ) {
    super(`Not enough stock left for variant ${variantId}`);
  }
}

export class DuplicateReservationError extends DomainError {
  readonly code = 'DUPLICATE_RESERVATION';
  readonly statusCode = 409;
  constructor(variantId: string) {
    super(`You already hold variant ${variantId}`);
  }
}

export class MaxReservationsExceededError extends DomainError {
  readonly code = 'MAX_RESERVATIONS_EXCEEDED';
  readonly statusCode = 409;
  constructor(max: number) {
    super(`You already have the maximum of ${max} active reservations`);
  }
}

export class ReservationNotActiveError extends DomainError {
  readonly code = 'RESERVATION_NOT_ACTIVE';
  readonly statusCode = 409;
  constructor(reservationId: string, status: string) {
    super(`Reservation ${reservationId} is ${status}, not active`);
  }
}

export class ReservationExpiredError extends DomainError {
  readonly code = 'RESERVATION_EXPIRED';
  readonly statusCode = 409;
  constructor(reservationId: string) {
    super(`Reservation ${reservationId} has expired`);
  }
}

export class VersionConflictError extends DomainError {
  readonly code = 'VERSION_CONFLICT';
  readonly statusCode = 409;
  constructor(expected: number, actual: number) {
    super(`Inventory is at version ${actual}, not the expected ${expected}`);
  }
}

/** A stock adjustment that would leave total stock below zero or below what is reserved. */
export class InsufficientStockError extends DomainError {
  readonly code = 'INSUFFICIENT_STOCK';
  readonly statusCode = 409;
}

export class SkuExistsError extends DomainError {
  readonly code = 'SKU_EXISTS';
  readonly statusCode = 409;
  constructor(sku: string) {
    super(`A variant with SKU ${sku} already exists`);
  }
}

export class PayloadTooLargeError extends DomainError {
  readonly code = 'PAYLOAD_TOO_LARGE';
  readonly statusCode = 413;
}

export class IdempotencyKeyReusedError extends DomainError {
  readonly code = 'IDEMPOTENCY_KEY_REUSED';
  readonly statusCode = 422;
  constructor() {
    super('This Idempotency-Key was already used for a different request');
  }
}

export class RateLimitExceededError extends DomainError {
  readonly code = 'RATE_LIMIT_EXCEEDED';
  readonly statusCode = 429;
  constructor(retryAfterSeconds: number) {
    super(`Too many requests; retry in ${retryAfterSeconds} s`);
    this.headers['Retry-After'] = String(retryAfterSeconds);
  }
}

/** Retryable: the answer says when to come back (Retry-After, in seconds). */
export class ServiceUnavailableError extends DomainError {
  readonly code = 'SERVICE_UNAVAILABLE';
  readonly statusCode = 503;
  constructor(message: string, retryAfterSeconds = 1) {
    super(message);
    this.headers['Retry-After'] = String(retryAfterSeconds);
  }
}

/** The request's deadline passed before its work could finish; nothing of it was written. */
export class RequestDeadlineExceededError extends ServiceUnavailableError {
  constructor(what = 'The request') {
    super(`${what} could not finish in time; nothing was changed, retry shortly`);
  }
}

/** The variant's admission queue in this process is full; nothing was tried. */
export class AdmissionQueueFullError extends ServiceUnavailableError {
  constructor(variantId: string) {
    super(
      `Too many requests are waiting for variant ${variantId}; nothing was changed, retry shortly`,
    );
  }
}

/** A shopper would hold and buy more units of a variant than its purchaseLimit allows (I6). */
export class PurchaseLimitExceededError extends DomainError {
  readonly code = 'PURCHASE_LIMIT_EXCEEDED';
  readonly statusCode = 409;
  constructor(
    variantId: string,
    readonly limit: number,
    readonly unitsLeft: number,
  ) {
    super(
      `Variant ${variantId} is limited to ${limit} units per shopper; you may add ${unitsLeft} more`,
    );
  }
}

/** An extension refused: MAX_HOLD_EXTENSIONS used, or MAX_HOLD_LIFETIME_SECONDS leaves no time. */
export class HoldLifetimeExceededError extends DomainError {
  readonly code = 'HOLD_LIFETIME_EXCEEDED';
  readonly statusCode = 409;
}

/** An unknown cart hold, or another shopper's (answered alike, so existence never leaks). */
export class CartGroupNotFoundError extends DomainError {
  readonly code = 'RESERVATION_NOT_FOUND';
  readonly statusCode = 404;
  constructor(groupId: string) {
    super(`Cart hold ${groupId} does not exist`);
  }
}

/** One line of a refused cart, as the error body's `details` lists it. */
export interface RefusedCartLine {
  variantId: string;
  quantity: number;
  status: 'refused';
  code: 'OUT_OF_STOCK' | 'NOT_ATTEMPTED';
}

/**
 * A cart hold that held nothing: all_or_nothing with a line short of stock, or best_effort with
 * every line short. `details` gives each line's reason.
 */
export class CartRefusedError extends DomainError {
  readonly code = 'OUT_OF_STOCK';
  readonly statusCode = 409;
  constructor(
    message: string,
    readonly details: RefusedCartLine[],
  ) {
    super(message);
  }
}

/** A waitlist join while the variant can serve the quantity now: reserve it instead. */
export class StockAvailableError extends DomainError {
  readonly code = 'STOCK_AVAILABLE';
  readonly statusCode = 409;
  constructor(variantId: string, quantity: number) {
    super(`Variant ${variantId} can serve ${quantity} now: reserve it instead of waiting`);
  }
}

/** The shopper already waits for this variant (one entry per shopper and variant). */
export class AlreadyWaitingError extends DomainError {
  readonly code = 'ALREADY_WAITING';
  readonly statusCode = 409;
  constructor(variantId: string) {
    super(`You are already on the waitlist of variant ${variantId}`);
  }
}

/** The shopper has no waitlist entry for this variant. */
export class WaitlistEntryNotFoundError extends DomainError {
  readonly code = 'WAITLIST_ENTRY_NOT_FOUND';
  readonly statusCode = 404;
  constructor(variantId: string) {
    super(`You have no waitlist entry for variant ${variantId}`);
  }
}

export class WebhookNotFoundError extends DomainError {
  readonly code = 'WEBHOOK_NOT_FOUND';
  readonly statusCode = 404;
  constructor(id: string) {
    super(`Webhook subscription ${id} does not exist`);
  }
}

export class DeliveryNotFoundError extends DomainError {
  readonly code = 'DELIVERY_NOT_FOUND';
  readonly statusCode = 404;
  constructor(id: string) {
    super(`Delivery ${id} does not exist for this subscription`);
  }
}

/** Only a dead letter (status failed) can be re-driven; one already queued or delivered cannot. */
export class DeliveryNotFailedError extends DomainError {
  readonly code = 'DELIVERY_NOT_FAILED';
  readonly statusCode = 409;
  constructor(id: string, status: string) {
    super(`Delivery ${id} is ${status}; only a failed delivery can be re-driven`);
  }
}
