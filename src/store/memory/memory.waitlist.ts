import {
  AlreadyWaitingError,
  PurchaseLimitExceededError,
  StockAvailableError,
} from '../../common/errors/domain-errors';
import { newObjectId } from '../object-id';
import type { InvariantViolation, Variant } from '../store.types';
import {
  compareEntries,
  entryView,
  saleOpen,
  shuffled,
  waitlistViolations,
  WAITLIST_ACTOR,
  type JoinWaitlistCommand,
  type SkipReason,
  type WaitlistEntry,
  type WaitlistEntryView,
  type WaitlistNotice,
  type WaitlistPolicy,
} from '../waitlist.types';
import { copy, pairKey, type MemoryState } from './memory.state';

/**
 * The waitlist of the reference model (architecture §14): the `waitlistentries` collection and
 * the hand-over that turns freed units into offers. Synchronous, like the rest of the model, so
 * a release and its hand-over are one atomic step.
 */
export class MemoryWaitlist {
  private readonly entries = new Map<string, WaitlistEntry>();
  /** The unique (userId, variantId) index: one entry per shopper and variant. */
  private readonly idByPair = new Map<string, string>();
  private readonly idsByVariant = new Map<string, Set<string>>();
  /** Per variant, the last place in line given (MongoDB keeps it on the inventory document). */
  private readonly lastOrder = new Map<string, number>();

  constructor(
    private readonly state: MemoryState,
    private readonly policy: () => WaitlistPolicy,
    private readonly notify: (notices: WaitlistNotice[]) => void,
  ) {}

  join(command: JoinWaitlistCommand): WaitlistEntryView {
    const { userId, variantId, quantity, now } = command;
    const { variant, inventory } = this.state.variantOrThrow(variantId);
    const existing = this.entryOf(userId, variantId);
    if (existing && existing.status === 'waiting' && existing.expiresAt > now) {
      throw new AlreadyWaitingError(variantId);
    }
    if (inventory.availableStock >= quantity) throw new StockAvailableError(variantId, quantity);
    const open = saleOpen(variant.saleStartsAt, now);
    // The first join after the opening draws the early entries, so they stay ahead of it.
    if (open) this.draw(variantId);
    if (existing) this.remove(existing);
    const entry: WaitlistEntry = copy({
      id: newObjectId(now),
      userId,
      variantId,
      quantity,
      status: 'waiting' as const,
      joinedAt: now,
      expiresAt: command.expiresAt,
      order: open ? this.nextOrders(variantId, 1) : null,
      updatedAt: now,
    });
    this.entries.set(entry.id, entry);
    this.idByPair.set(pairKey(userId, variantId), entry.id);
    const ids = this.idsByVariant.get(variantId);
    if (ids) ids.add(entry.id);
    else this.idsByVariant.set(variantId, new Set([entry.id]));
    return this.view(entry, now);
  }

  get(userId: string, variantId: string, now: Date): WaitlistEntryView | null {
    const entry = this.entryOf(userId, variantId);
    return entry ? this.view(entry, now) : null;
  }

  leave(userId: string, variantId: string): boolean {
    const entry = this.entryOf(userId, variantId);
    if (!entry) return false;
    this.remove(entry);
    return true;
  }

  expire(now: Date, limit: number): WaitlistEntry[] {
    const due = [...this.entries.values()]
      .filter((entry) => entry.status === 'waiting' && entry.expiresAt <= now)
      .sort((a, b) => a.expiresAt.getTime() - b.expiresAt.getTime() || compareEntries(a, b))
      .slice(0, Math.max(0, limit));
    for (const entry of due) this.end(entry, 'expired', now);
    this.notify(due.map((entry) => expiredNotice(entry)));
    return due.map(copy);
  }

  /**
   * Hands the variant's available units to its waiters, in line order, right after units were
   * freed (same synchronous step). Lapsed entries leave the line first; entries still waiting for
   * the lottery are drawn (freeing units opens the line, even before saleStartsAt).
   */
  handOver(variantId: string, now: Date): void {
    const ids = this.idsByVariant.get(variantId);
    if (!ids || ids.size === 0) return;
    const { variant, inventory } = this.state.variantOrThrow(variantId);
    const notices: WaitlistNotice[] = [];
    for (const entry of this.waiting(variantId)) {
      if (entry.expiresAt > now) continue;
      this.end(entry, 'expired', now);
      notices.push(expiredNotice(entry));
    }
    this.draw(variantId);
    const { offerTtlMs } = this.policy();
    for (const entry of this.waiting(variantId).sort(compareEntries)) {
      if (inventory.availableStock === 0) break;
      if (entry.quantity > inventory.availableStock) continue;
      const reason = this.skipReason(entry, variant);
      if (reason) {
        this.end(entry, 'skipped', now);
        entry.skipReason = reason;
        notices.push({ type: 'skipped', ...about(entry), reason });
        continue;
      }
      const reservation = this.state.placeHold(
        {
          userId: entry.userId,
          variantId,
          quantity: entry.quantity,
          expiresAt: new Date(now.getTime() + offerTtlMs),
          now,
          source: 'waitlist',
          context: { actor: WAITLIST_ACTOR },
        },
        inventory,
      );
      this.end(entry, 'offered', now);
      entry.reservationId = reservation.id;
      notices.push({
        type: 'offer',
        ...about(entry),
        reservationId: reservation.id,
        quantity: entry.quantity,
        expiresAt: new Date(reservation.expiresAt),
      });
    }
    this.notify(notices);
  }

  /** I8 for every variant with waiting entries. */
  violations(): InvariantViolation[] {
    const found: InvariantViolation[] = [];
    for (const variantId of this.idsByVariant.keys()) {
      const quantities = this.waiting(variantId).map((entry) => entry.quantity);
      if (quantities.length === 0) continue;
      const inventory = this.state.inventory.get(variantId);
      if (!inventory) continue;
      found.push(
        ...waitlistViolations(variantId, inventory.availableStock, Math.min(...quantities)),
      );
    }
    return found;
  }

  /** The caps a hold would be refused on, in reserve's order (duplicate, cap, purchase limit). */
  private skipReason(entry: WaitlistEntry, variant: Variant): SkipReason | null {
    const holds = this.state.userholds.get(entry.userId) ?? [];
    if (holds.some((hold) => hold.variantId === entry.variantId)) return 'DUPLICATE_RESERVATION';
    if (holds.length >= this.policy().maxActiveReservations) return 'MAX_RESERVATIONS_EXCEEDED';
    try {
      this.state.checkPurchaseLimit(entry.userId, variant, entry.quantity);
    } catch (error) {
      if (error instanceof PurchaseLimitExceededError) return 'PURCHASE_LIMIT_EXCEEDED';
      throw error;
    }
    return null;
  }

  /** The opening lottery: entries without a place get one, in a random order, after every other. */
  private draw(variantId: string): void {
    const undrawn = this.waiting(variantId)
      .filter((entry) => entry.order === null)
      .sort(compareEntries);
    if (undrawn.length === 0) return;
    const first = this.nextOrders(variantId, undrawn.length);
    shuffled(undrawn, this.policy().random).forEach((entry, i) => {
      entry.order = first + i;
    });
  }

  /** Reserves n consecutive places in the variant's line; returns the first. */
  private nextOrders(variantId: string, n: number): number {
    const last = this.lastOrder.get(variantId) ?? 0;
    this.lastOrder.set(variantId, last + n);
    return last + 1;
  }

  private waiting(variantId: string): WaitlistEntry[] {
    return [...(this.idsByVariant.get(variantId) ?? [])]
      .map((id) => this.entries.get(id)!)
      .filter((entry) => entry.status === 'waiting');
  }

  private view(entry: WaitlistEntry, now: Date): WaitlistEntryView {
    const ahead =
      entry.order === null
        ? null
        : this.waiting(entry.variantId).filter(
            (other) =>
              other.order !== null && other.expiresAt > now && compareEntries(other, entry) < 0,
          ).length;
    return copy(entryView(entry, now, ahead));
  }

  private entryOf(userId: string, variantId: string): WaitlistEntry | undefined {
    const id = this.idByPair.get(pairKey(userId, variantId));
    return id === undefined ? undefined : this.entries.get(id);
  }

  private end(entry: WaitlistEntry, status: 'offered' | 'skipped' | 'expired', now: Date): void {
    entry.status = status;
    entry.updatedAt = new Date(now);
  }

  private remove(entry: WaitlistEntry): void {
    this.entries.delete(entry.id);
    this.idByPair.delete(pairKey(entry.userId, entry.variantId));
    this.idsByVariant.get(entry.variantId)?.delete(entry.id);
  }
}

function about(entry: WaitlistEntry): { userId: string; variantId: string; entryId: string } {
  return { userId: entry.userId, variantId: entry.variantId, entryId: entry.id };
}

function expiredNotice(entry: WaitlistEntry): WaitlistNotice {
  return { type: 'expired', ...about(entry) };
}
