/**
 * The stock ledger (docs/architecture.md §13): one movement per change of a variant's figures,
 * written in the same atomic step as the change. Types, and the pure pieces both stores share.
 */
import type { Inventory, InvariantViolation } from './store.types';

export const MOVEMENT_TYPES = [
  'created',
  'reserved',
  'committed',
  'released',
  'expired',
  'adjusted',
] as const;
export type MovementType = (typeof MOVEMENT_TYPES)[number];

/** The three stock figures of a variant (a movement's delta, or the figures after it). */
export interface StockFigures {
  total: number;
  reserved: number;
  available: number;
}

export interface StockMovement {
  variantId: string;
  /** The inventory version this change produced: 1, 2, 3, … per variant, with no gap. */
  seq: number;
  type: MovementType;
  delta: StockFigures;
  after: StockFigures;
  reservationId?: string;
  groupId?: string;
  userId?: string;
  /** Who made the change: the shopper's id, the admin's id, or "sweeper". */
  actor: string;
  requestId?: string;
  at: Date;
}

/**
 * Who is behind a change, carried by every command that changes stock. Optional: a shopper's
 * command defaults to the shopper, the expiry sweeper to "sweeper", an admin's to "admin".
 */
export interface MovementContext {
  actor?: string;
  requestId?: string;
}

/** A context with its actor decided. */
export interface ResolvedContext extends MovementContext {
  actor: string;
}

export const SWEEPER_ACTOR = 'sweeper';
export const ADMIN_ACTOR = 'admin';

/** A shopper's command acts for the shopper; one with no shopper (the expiry sweeper) for "sweeper". */
export function shopperContext(command: MovementContext & { userId?: string }): ResolvedContext {
  return {
    actor: command.actor ?? command.userId ?? SWEEPER_ACTOR,
    ...(command.requestId !== undefined && { requestId: command.requestId }),
  };
}

/** An admin's command without a named actor acts for "admin". */
export function adminContext(context: MovementContext | undefined): ResolvedContext {
  return {
    actor: context?.actor ?? ADMIN_ACTOR,
    ...(context?.requestId !== undefined && { requestId: context.requestId }),
  };
}

export interface ListMovementsQuery {
  variantId: string;
  /** Only movements with seq greater than this (0: from the start). */
  afterSeq: number;
  limit: number;
}

/** How many of a variant's latest movements reconcile reads to check their order (I7). */
export const LEDGER_TAIL_CHECKED = 1000;

export function figuresOf(
  inventory: Pick<Inventory, 'totalStock' | 'reservedStock' | 'availableStock'>,
): StockFigures {
  return {
    total: inventory.totalStock,
    reserved: inventory.reservedStock,
    available: inventory.availableStock,
  };
}

export function addFigures(a: StockFigures, b: StockFigures): StockFigures {
  return {
    total: a.total + b.total,
    reserved: a.reserved + b.reserved,
    available: a.available + b.available,
  };
}

const sameFigures = (a: StockFigures, b: StockFigures): boolean =>
  a.total === b.total && a.reserved === b.reserved && a.available === b.available;

const show = (f: StockFigures): string =>
  `total ${f.total}, reserved ${f.reserved}, available ${f.available}`;

/** The deltas of each kind of change; q is the reservation's quantity. */
export const MOVEMENT_DELTAS = {
  reserved: (q: number): StockFigures => ({ total: 0, reserved: q, available: -q }),
  committed: (q: number): StockFigures => ({ total: -q, reserved: -q, available: 0 }),
  released: (q: number): StockFigures => ({ total: 0, reserved: -q, available: q }),
  adjusted: (delta: number): StockFigures => ({ total: delta, reserved: 0, available: delta }),
};

/** What reconcile knows of one variant's ledger: a summary of all of it plus its latest movements. */
export interface LedgerSummary {
  count: number;
  firstSeq: number;
  /** The first movement's type: `created`, also for the opening balance of a pre-ledger variant. */
  firstType: MovementType | null;
  lastSeq: number;
  /** Σ delta over every movement. */
  sum: StockFigures;
  /** The latest movements (at most LEDGER_TAIL_CHECKED), ascending seq. */
  tail: Array<Pick<StockMovement, 'seq' | 'delta' | 'after'>>;
}

/**
 * Invariant I7 for one variant: its movements are numbered 1…version with no gap and no repeat
 * (or, for a variant older than the ledger, from its opening balance on),
 * their deltas sum to the current figures, and the last movement's `after` is the current figures.
 * With the unique {variantId, seq} index, `count = lastSeq − firstSeq + 1` with `firstSeq = 1`
 * proves the numbering gap-free over the whole history; the tail is also walked pair by pair so
 * that each `after` follows from the one before (bounded to LEDGER_TAIL_CHECKED movements).
 */
export function ledgerViolations(
  inventory: Pick<
    Inventory,
    'variantId' | 'totalStock' | 'reservedStock' | 'availableStock' | 'version'
  >,
  ledger: LedgerSummary | undefined,
): InvariantViolation[] {
  const subject = inventory.variantId;
  const violation = (message: string): InvariantViolation => ({
    invariant: 'I7',
    subject,
    message,
  });
  if (!ledger || ledger.count === 0) return [violation('the variant has no ledger movements')];
  const found: InvariantViolation[] = [];
  const current = figuresOf(inventory);
  // A variant created before the ledger existed starts at the opening balance the ledger
  // migration wrote (type `created`, seq = its version then); every other ledger starts at 1.
  const startsRight = ledger.firstSeq === 1 || ledger.firstType === 'created';
  if (!startsRight || ledger.lastSeq !== inventory.version) {
    found.push(
      violation(
        `movements run from seq ${ledger.firstSeq} to ${ledger.lastSeq}, ` +
          `expected 1 to the inventory version ${inventory.version}`,
      ),
    );
  }
  if (ledger.count !== ledger.lastSeq - ledger.firstSeq + 1) {
    found.push(
      violation(`${ledger.count} movements for seq ${ledger.firstSeq}…${ledger.lastSeq}: a gap`),
    );
  }
  if (!sameFigures(ledger.sum, current)) {
    found.push(violation(`movements sum to (${show(ledger.sum)}), figures are (${show(current)})`));
  }
  const last = ledger.tail[ledger.tail.length - 1];
  if (last && !sameFigures(last.after, current)) {
    found.push(
      violation(`the last movement leaves (${show(last.after)}), figures are (${show(current)})`),
    );
  }
  for (let i = 1; i < ledger.tail.length; i++) {
    const [before, movement] = [ledger.tail[i - 1], ledger.tail[i]];
    if (movement.seq !== before.seq + 1) {
      found.push(violation(`seq ${movement.seq} follows seq ${before.seq}`));
      break;
    }
    if (!sameFigures(movement.after, addFigures(before.after, movement.delta))) {
      found.push(violation(`movement ${movement.seq}'s after does not follow from ${before.seq}`));
      break;
    }
  }
  return found;
}
