import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { Clock } from '../common/clock';
import {
  DomainError,
  IdempotencyKeyReusedError,
  OutOfStockError,
  ReservationNotFoundError,
  ServiceUnavailableError,
  ValidationFailedError,
} from '../common/errors/domain-errors';
import { AppConfig } from '../config/app-config';
import { StockEvents } from '../events/stock-events';
import { MetricsService } from '../metrics/metrics.service';
import { Store } from '../store/store';
import type {
  Inventory,
  Reservation,
  ReservationChange,
  ReservationStatus,
} from '../store/store.types';
import { AdmissionControl } from './admission-control';
import { SoldOutGate } from './sold-out-gate';

export interface ReserveRequest {
  userId: string;
  variantId: string;
  quantity: number;
  idempotencyKey?: string;
  /** The HTTP request's id, recorded on the ledger movement. */
  requestId?: string;
}

export interface ReserveOutcome {
  reservation: Reservation;
  /** True when an Idempotency-Key replay returned the reservation made by an earlier request. */
  replayed: boolean;
}

/** What an Idempotency-Key may be: 1–255 printable ASCII characters. */
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

/** Refuses a malformed Idempotency-Key (single and cart holds alike); absent is fine. */
export function checkIdempotencyKey(key: string | undefined): void {
  if (key !== undefined && !IDEMPOTENCY_KEY.test(key)) {
    throw new ValidationFailedError('Idempotency-Key must be 1–255 printable ASCII characters');
  }
}

/** The hold lifecycle: reserve, commit, release, expire (docs/architecture.md for the rush). */
@Injectable()
export class ReservationsService {
  constructor(
    private readonly store: Store,
    private readonly config: AppConfig,
    private readonly clock: Clock,
    private readonly soldOutGate: SoldOutGate,
    private readonly admission: AdmissionControl,
    private readonly stockEvents: StockEvents,
    private readonly metrics: MetricsService,
  ) {}

  /**
   * Holds stock for a shopper; every attempt is counted and timed by result. The whole attempt —
   * the wait for a write slot, then the transaction and its retries — must end within
   * REQUEST_DEADLINE_MS of arrival, else 503 with Retry-After.
   */
  async reserve(request: ReserveRequest): Promise<ReserveOutcome> {
    const startedAt = performance.now();
    try {
      const outcome = await this.attemptReserve(request, startedAt + this.config.requestDeadlineMs);
      this.metrics.recordReservation('created', startedAt);
      return outcome;
    } catch (error) {
      this.metrics.recordReservation(
        error instanceof DomainError ? error.code : 'INTERNAL_ERROR',
        startedAt,
      );
      throw error;
    }
  }

  /** @param deadline a `performance.now()` time by which the store write must have ended. */
  private async attemptReserve(request: ReserveRequest, deadline: number): Promise<ReserveOutcome> {
    const { userId, variantId, quantity, idempotencyKey } = request;
    if (quantity > this.config.maxQuantityPerReservation) {
      throw new ValidationFailedError(
        `quantity must be at most ${this.config.maxQuantityPerReservation}`,
      );
    }
    checkIdempotencyKey(idempotencyKey);
    const requestHash = idempotencyKey ? hashRequest(variantId, quantity) : undefined;

    // A replay is answered before the sold-out gate: a shopper retrying a hold that succeeded
    // must get that hold back, even after the variant sold out.
    if (idempotencyKey) {
      const replay = await this.replay(userId, idempotencyKey, requestHash!);
      if (replay) return replay;
    }
    if (this.soldOutGate.blocks(variantId, quantity)) throw new OutOfStockError(variantId);

    try {
      const { reservation, inventory } = await this.admission.run(variantId, deadline, () =>
        this.reserveInSlot(request, requestHash, deadline),
      );
      this.stockEvents.emit(variantId, inventory);
      return { reservation, replayed: false };
    } catch (error) {
      // Two requests with one key can race past the replay check; the loser lands here. A 503
      // (queue full, deadline passed) wrote nothing and gains nothing from another store read.
      if (
        idempotencyKey &&
        error instanceof DomainError &&
        !(error instanceof ServiceUnavailableError)
      ) {
        const replay = await this.replay(userId, idempotencyKey, requestHash!);
        if (replay) return replay;
      }
      throw error;
    }
  }

  /** The store write, run while holding one of the variant's write slots. */
  private async reserveInSlot(
    request: ReserveRequest,
    requestHash: string | undefined,
    deadline: number,
  ): Promise<{ reservation: Reservation; inventory: Inventory }> {
    const { userId, variantId, quantity, idempotencyKey } = request;
    // Asked again now the slot is granted: requests that queued before a sell-out are answered
    // here, one after another, without running a transaction that would only abort.
    if (this.soldOutGate.blocks(variantId, quantity)) throw new OutOfStockError(variantId);
    const now = this.clock.now();
    // What the sold-out gate and the stock bus exist to save (the two-instance bench counts it).
    this.metrics.storeReserveAttempts.inc();
    try {
      const { reservation, inventory } = await this.store.reserve({
        userId,
        variantId,
        quantity,
        idempotencyKey,
        requestHash,
        expiresAt: new Date(now.getTime() + this.config.reservationTtlSeconds * 1000),
        maxActiveReservations: this.config.maxActiveReservations,
        now,
        deadline,
        requestId: request.requestId,
      });
      // Recorded before the slot passes on, so the next waiter already sees a sell-out.
      this.soldOutGate.record(variantId, inventory.availableStock, inventory.version);
      return { reservation, inventory };
    } catch (error) {
      if (error instanceof OutOfStockError && error.available !== undefined) {
        this.soldOutGate.record(variantId, error.available);
      }
      throw error;
    }
  }

  async get(userId: string, reservationId: string): Promise<Reservation> {
    const reservation = await this.store.findReservation(reservationId);
    // Another shopper's reservation is answered exactly like a missing one.
    if (!reservation || reservation.userId !== userId) {
      throw new ReservationNotFoundError(reservationId);
    }
    return reservation;
  }

  list(userId: string, status: ReservationStatus | undefined, limit = 50): Promise<Reservation[]> {
    return this.store.listReservations({ userId, status, limit });
  }

  async commit(userId: string, reservationId: string, requestId?: string): Promise<Reservation> {
    const change = await this.store.commitReservation({
      reservationId,
      userId,
      now: this.clock.now(),
      requestId,
    });
    return this.afterChange(change, false);
  }

  async release(userId: string, reservationId: string, requestId?: string): Promise<Reservation> {
    const change = await this.store.releaseReservation({
      reservationId,
      userId,
      reason: 'released',
      now: this.clock.now(),
      requestId,
    });
    return this.afterChange(change, true);
  }

  /** Expires one due reservation; safe to race with other sweepers (the transition is conditional). */
  async expire(reservationId: string): Promise<boolean> {
    const change = await this.store.releaseReservation({
      reservationId,
      reason: 'expired',
      now: this.clock.now(),
    });
    this.afterChange(change, true);
    return change.changed;
  }

  private afterChange(change: ReservationChange, stockFreed: boolean): Reservation {
    if (change.changed) {
      // The figures are after any waitlist hand-over: a release whose units all became offers
      // leaves the variant sold out, and the gate stays closed.
      const { inventory } = change;
      if (stockFreed && inventory) {
        this.soldOutGate.record(
          change.reservation.variantId,
          inventory.availableStock,
          inventory.version,
        );
      } else if (stockFreed) this.soldOutGate.clear(change.reservation.variantId);
      this.stockEvents.emit(change.reservation.variantId, change.inventory ?? undefined);
    }
    return change.reservation;
  }

  private async replay(
    userId: string,
    key: string,
    requestHash: string,
  ): Promise<ReserveOutcome | null> {
    const existing = await this.store.findReservationByIdempotencyKey(userId, key);
    if (!existing) return null;
    if (existing.requestHash !== requestHash) throw new IdempotencyKeyReusedError();
    return { reservation: existing, replayed: true };
  }
}

function hashRequest(variantId: string, quantity: number): string {
  return createHash('sha256').update(`${variantId}:${quantity}`).digest('hex');
}
