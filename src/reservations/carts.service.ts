import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { Clock } from '../common/clock';
import {
  CartGroupNotFoundError,
  DomainError,
  IdempotencyKeyReusedError,
  ValidationFailedError,
} from '../common/errors/domain-errors';
import { AppConfig } from '../config/app-config';
import { StockEvents } from '../events/stock-events';
import { MetricsService } from '../metrics/metrics.service';
import { sumCartLines } from '../store/cart-lines';
import type {
  CartGroupView,
  CartLine,
  CartPolicy,
  GroupChange,
  GroupCommand,
} from '../store/cart.types';
import { Store } from '../store/store';
import type { Inventory } from '../store/store.types';
import { AdmissionControl } from './admission-control';
import { checkIdempotencyKey } from './reservations.service';
import { SoldOutGate } from './sold-out-gate';

export interface ReserveCartRequest {
  userId: string;
  lines: CartLine[];
  policy: CartPolicy;
  idempotencyKey?: string;
  /** The HTTP request's id, recorded on the ledger movements. */
  requestId?: string;
}

export interface CartOutcome {
  view: CartGroupView;
  /** True when an Idempotency-Key replay returned the cart held by an earlier request. */
  replayed: boolean;
}

/** Cart holds (several variants in one atomic step) and the group operations on them. */
@Injectable()
export class CartsService {
  constructor(
    private readonly store: Store,
    private readonly config: AppConfig,
    private readonly clock: Clock,
    private readonly soldOutGate: SoldOutGate,
    private readonly admission: AdmissionControl,
    private readonly stockEvents: StockEvents,
    private readonly metrics: MetricsService,
  ) {}

  /** Holds a cart; every request is counted by policy and outcome. */
  async reserveCart(request: ReserveCartRequest): Promise<CartOutcome> {
    try {
      const outcome = await this.attemptReserveCart(request);
      const partial = outcome.view.group.lines.some((line) => line.status === 'refused');
      this.metrics.cartHoldOutcomes.inc({
        policy: request.policy,
        result: partial ? 'partial' : 'held',
      });
      return outcome;
    } catch (error) {
      const result = error instanceof DomainError ? error.code : 'INTERNAL_ERROR';
      this.metrics.cartHoldOutcomes.inc({ policy: request.policy, result });
      throw error;
    }
  }

  private async attemptReserveCart(request: ReserveCartRequest): Promise<CartOutcome> {
    const { userId, policy, idempotencyKey } = request;
    // The same bound as a single hold: the admission waits and the transaction end by it.
    const deadline = performance.now() + this.config.requestDeadlineMs;
    // Lines of one variant are one line before anything else, the limits included.
    const lines = sumCartLines(request.lines);
    const maxQuantity = this.config.maxQuantityPerReservation;
    const tooMany = lines.find((line) => line.quantity > maxQuantity);
    if (tooMany) {
      throw new ValidationFailedError(
        `quantity of variant ${tooMany.variantId} must be at most ${maxQuantity}, ` +
          `lines of one variant summed (asked ${tooMany.quantity})`,
      );
    }
    if (lines.length > this.config.maxActiveReservations) {
      throw new ValidationFailedError(
        `a cart may name at most ${this.config.maxActiveReservations} variants`,
      );
    }
    checkIdempotencyKey(idempotencyKey);
    const requestHash = idempotencyKey ? hashCart(policy, lines) : undefined;
    if (idempotencyKey) {
      const replay = await this.replay(userId, idempotencyKey, requestHash!);
      if (replay) return replay;
    }

    try {
      const now = this.clock.now();
      const result = await this.admitted(
        lines.map((line) => line.variantId),
        deadline,
        () =>
          this.store.reserveCart({
            userId,
            lines,
            policy,
            idempotencyKey,
            requestHash,
            expiresAt: new Date(now.getTime() + this.config.reservationTtlSeconds * 1000),
            maxActiveReservations: this.config.maxActiveReservations,
            now,
            deadline,
            requestId: request.requestId,
          }),
      );
      this.stockChanged(result.inventories);
      return { view: { group: result.group, reservations: result.reservations }, replayed: false };
    } catch (error) {
      // Two requests with one key can race past the replay check; the loser lands here.
      if (idempotencyKey && error instanceof DomainError) {
        const replay = await this.replay(userId, idempotencyKey, requestHash!);
        if (replay) return replay;
      }
      throw error;
    }
  }

  async get(userId: string, groupId: string): Promise<CartGroupView> {
    const view = await this.store.findCartGroup(groupId);
    // Another shopper's cart is answered exactly like a missing one.
    if (!view || view.group.userId !== userId) throw new CartGroupNotFoundError(groupId);
    return view;
  }

  async commit(userId: string, groupId: string, requestId?: string): Promise<CartGroupView> {
    const change = await this.store.commitGroup(this.command(userId, groupId, requestId));
    return this.afterChange(change);
  }

  async release(userId: string, groupId: string, requestId?: string): Promise<CartGroupView> {
    const change = await this.store.releaseGroup(this.command(userId, groupId, requestId));
    return this.afterChange(change);
  }

  private command(userId: string, groupId: string, requestId?: string): GroupCommand {
    return { groupId, userId, now: this.clock.now(), requestId };
  }

  private afterChange(change: GroupChange): CartGroupView {
    if (change.changed) this.stockChanged(change.inventories);
    return { group: change.group, reservations: change.reservations };
  }

  private stockChanged(inventories: Inventory[]): void {
    for (const inventory of inventories) {
      // The figures are after any waitlist hand-over: a release whose units all became offers
      // leaves the variant sold out, and the gate stays closed (a figure above 0 opens it).
      const { variantId, availableStock, version } = inventory;
      this.soldOutGate.record(variantId, availableStock, version);
      this.stockEvents.emit(variantId, inventory);
    }
  }

  /**
   * Runs the store call inside the admission lane of every variant of the cart, entered in
   * ascending variantId order: two carts always queue in the same order, so they never wait on
   * each other in a cycle, and a cart touching a hot variant queues with its single holds.
   */
  private admitted<T>(variantIds: string[], deadline: number, work: () => Promise<T>): Promise<T> {
    const ordered = [...variantIds].sort();
    const enter = (index: number): Promise<T> =>
      index === ordered.length
        ? work()
        : this.admission.run(ordered[index], deadline, () => enter(index + 1));
    return enter(0);
  }

  private async replay(
    userId: string,
    key: string,
    requestHash: string,
  ): Promise<CartOutcome | null> {
    const existing = await this.store.findCartGroupByIdempotencyKey(userId, key);
    if (!existing) return null;
    if (existing.group.requestHash !== requestHash) throw new IdempotencyKeyReusedError();
    return { view: existing, replayed: true };
  }
}

/** The summed lines, in order, and the policy: the same cart asked again hashes the same. */
function hashCart(policy: CartPolicy, lines: CartLine[]): string {
  const text = JSON.stringify([policy, lines.map((line) => [line.variantId, line.quantity])]);
  return createHash('sha256').update(text).digest('hex');
}
