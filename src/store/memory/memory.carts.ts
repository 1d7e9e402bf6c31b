import {
  CartGroupNotFoundError,
  CartRefusedError,
  DuplicateReservationError,
  ReservationExpiredError,
  ReservationNotActiveError,
  type RefusedCartLine,
} from '../../common/errors/domain-errors';
import type {
  CartGroup,
  CartGroupView,
  CartHoldResult,
  CartLineOutcome,
  ExtendCommand,
  ExtendGroupCommand,
  GroupChange,
  GroupCommand,
  ReserveCartCommand,
} from '../cart.types';
import { extendedExpiry, isExpired } from '../hold-extension';
import { sumCartLines } from '../cart-lines';
import { newObjectId } from '../object-id';
import { shopperContext } from '../ledger';
import type { Inventory, InvariantViolation, Reservation } from '../store.types';
import { copy, pairKey, type MemoryState } from './memory.state';

/**
 * Cart holds, group commit/release and hold extension of the in-memory reference model. Like the
 * rest of MemoryStore, each operation runs synchronously from its first read to its last write,
 * so it is atomic by construction; every check comes before the first write.
 */
export class MemoryCarts {
  constructor(
    private readonly state: MemoryState,
    /** The waitlist's hand-over of a variant's freed units (memory.waitlist.ts). */
    private readonly handOver: (variantId: string, now: Date) => void = () => undefined,
  ) {}

  async reserveCart(command: ReserveCartCommand): Promise<CartHoldResult> {
    const { userId, policy, now } = command;
    const lines = sumCartLines(command.lines);
    const { state } = this;
    // The whole cart is judged before any stock: caller errors refuse it under either policy.
    state.checkHoldsAllowed(
      userId,
      lines.map((line) => line.variantId),
      command.maxActiveReservations,
    );
    if (
      command.idempotencyKey !== undefined &&
      state.groupIdByIdempotencyKey.has(pairKey(userId, command.idempotencyKey))
    ) {
      throw new DuplicateReservationError(lines[0].variantId);
    }
    const found = lines.map((line) => state.variantOrThrow(line.variantId));
    lines.forEach((line, i) => state.checkPurchaseLimit(userId, found[i].variant, line.quantity));

    const inStock = lines.map((line, i) => found[i].inventory.availableStock >= line.quantity);
    const heldCount = inStock.filter(Boolean).length;
    if (policy === 'all_or_nothing' && heldCount < lines.length) {
      throw new CartRefusedError(
        'Not every line of the cart has stock, so nothing was held',
        lines.map((line, i) => refused(line, inStock[i] ? 'NOT_ATTEMPTED' : 'OUT_OF_STOCK')),
      );
    }
    if (heldCount === 0) {
      throw new CartRefusedError(
        'No line of the cart has stock, so nothing was held',
        lines.map((line) => refused(line, 'OUT_OF_STOCK')),
      );
    }

    const groupId = newObjectId(now);
    const reservations: Reservation[] = [];
    const inventories: Inventory[] = [];
    const outcomes: CartLineOutcome[] = lines.map((line, i) => {
      if (!inStock[i]) return { ...line, status: 'refused', code: 'OUT_OF_STOCK' };
      const reservation = state.placeHold(
        {
          ...line,
          userId,
          groupId,
          expiresAt: command.expiresAt,
          now,
          context: shopperContext(command),
        },
        found[i].inventory,
      );
      reservations.push(copy(reservation));
      inventories.push(copy(found[i].inventory));
      return { ...line, status: 'held', reservationId: reservation.id };
    });
    const group: CartGroup = copy({
      groupId,
      userId,
      policy,
      lines: outcomes,
      ...(command.idempotencyKey !== undefined && { idempotencyKey: command.idempotencyKey }),
      ...(command.requestHash !== undefined && { requestHash: command.requestHash }),
      createdAt: now,
    });
    state.groups.set(groupId, group);
    if (command.idempotencyKey !== undefined) {
      state.groupIdByIdempotencyKey.set(pairKey(userId, command.idempotencyKey), groupId);
    }
    return { group: copy(group), reservations, inventories };
  }

  async findGroup(groupId: string): Promise<CartGroupView | null> {
    const group = this.state.groups.get(groupId);
    return group ? this.view(group) : null;
  }

  async findGroupByIdempotencyKey(userId: string, key: string): Promise<CartGroupView | null> {
    const groupId = this.state.groupIdByIdempotencyKey.get(pairKey(userId, key));
    return groupId === undefined ? null : this.findGroup(groupId);
  }

  async commitGroup(command: GroupCommand): Promise<GroupChange> {
    const group = this.ownedGroup(command.groupId, command.userId);
    const lines = this.reservationsOf(group);
    // All or none: one expired line refuses the commit before anything moves.
    const expired = lines.find((r) => isExpired(r, command.now));
    if (expired) throw new ReservationExpiredError(expired.id);
    const active = lines.filter((r) => r.status === 'active');
    if (active.length === 0) {
      if (lines.some((r) => r.status === 'committed')) return this.unchanged(group);
      throw new ReservationNotActiveError(group.groupId, 'released');
    }
    const context = shopperContext(command);
    const inventories = active.map((r) => copy(this.state.commit(r, command.now, context)));
    return { ...this.view(group), inventories, changed: true };
  }

  async releaseGroup(command: GroupCommand): Promise<GroupChange> {
    const group = this.ownedGroup(command.groupId, command.userId);
    const active = this.reservationsOf(group).filter((r) => r.status === 'active');
    if (active.length === 0) return this.unchanged(group);
    const context = shopperContext(command);
    const inventories = active.map((r) => {
      const inventory = this.state.release(r, 'released', command.now, context);
      // The freed units go to the variant's waiters first, in this same step (I8).
      this.handOver(r.variantId, command.now);
      return copy(inventory);
    });
    return { ...this.view(group), inventories, changed: true };
  }

  async extendReservation(command: ExtendCommand): Promise<Reservation> {
    const reservation = this.state.ownedReservation(command.reservationId, command.userId);
    const expiresAt = extendedExpiry(reservation, command);
    applyExtension(reservation, expiresAt, command.now);
    return copy(reservation);
  }

  async extendGroup(command: ExtendGroupCommand): Promise<CartGroupView> {
    const group = this.ownedGroup(command.groupId, command.userId);
    const lines = this.reservationsOf(group);
    const expired = lines.find((r) => isExpired(r, command.now));
    if (expired) throw new ReservationExpiredError(expired.id);
    const active = lines.filter((r) => r.status === 'active');
    if (active.length === 0) {
      throw new ReservationNotActiveError(group.groupId, lines[0]?.status ?? 'released');
    }
    // Every line is checked before any moves: all or none.
    const expiries = active.map((r) => extendedExpiry(r, command));
    active.forEach((r, i) => applyExtension(r, expiries[i], command.now));
    return this.view(group);
  }

  /** I6: each shopper's active + committed units within the variant's purchaseLimit, and the counter right. */
  purchaseLimitViolations(): InvariantViolation[] {
    const units = new Map<string, { userId: string; variantId: string; units: number }>();
    for (const r of this.state.reservations.values()) {
      if (r.status !== 'active' && r.status !== 'committed') continue;
      const key = pairKey(r.userId, r.variantId);
      const entry = units.get(key) ?? { userId: r.userId, variantId: r.variantId, units: 0 };
      entry.units += r.quantity;
      units.set(key, entry);
    }
    const violations: InvariantViolation[] = [];
    for (const [key, entry] of units) {
      const limit = this.state.variants.get(entry.variantId)?.purchaseLimit;
      if (limit !== undefined && entry.units > limit) {
        violations.push(
          i6(entry.userId, `${entry.units} units of variant ${entry.variantId}, limit ${limit}`),
        );
      }
      const counted = this.state.purchasedUnits.get(key) ?? 0;
      if (counted !== entry.units) {
        violations.push(
          i6(
            entry.userId,
            `purchase counter of variant ${entry.variantId} is ${counted}, reservations hold ${entry.units}`,
          ),
        );
      }
    }
    for (const [key, counted] of this.state.purchasedUnits) {
      if (units.has(key)) continue;
      const [userId, variantId] = JSON.parse(key) as [string, string];
      violations.push(
        i6(userId, `purchase counter of variant ${variantId} is ${counted}, reservations hold 0`),
      );
    }
    return violations;
  }

  private ownedGroup(groupId: string, userId: string): CartGroup {
    const group = this.state.groups.get(groupId);
    if (!group || group.userId !== userId) throw new CartGroupNotFoundError(groupId);
    return group;
  }

  /** The held lines' reservations still kept (retention may have deleted released ones). */
  private reservationsOf(group: CartGroup): Reservation[] {
    return group.lines.flatMap((line) => {
      const reservation =
        line.reservationId === undefined
          ? undefined
          : this.state.reservations.get(line.reservationId);
      return reservation ? [reservation] : [];
    });
  }

  private view(group: CartGroup): CartGroupView {
    return { group: copy(group), reservations: this.reservationsOf(group).map(copy) };
  }

  private unchanged(group: CartGroup): GroupChange {
    return { ...this.view(group), inventories: [], changed: false };
  }
}

function refused(
  line: { variantId: string; quantity: number },
  code: RefusedCartLine['code'],
): RefusedCartLine {
  return { variantId: line.variantId, quantity: line.quantity, status: 'refused', code };
}

function applyExtension(reservation: Reservation, expiresAt: Date, now: Date): void {
  reservation.expiresAt = new Date(expiresAt);
  reservation.extensions += 1;
  reservation.updatedAt = new Date(now);
}

function i6(userId: string, message: string): InvariantViolation {
  return { invariant: 'I6', subject: userId, message };
}
