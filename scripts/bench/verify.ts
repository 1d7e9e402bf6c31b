/**
 * After-run checks: was anything oversold, and do the answers and the inventory agree? Pure
 * functions over what the service reported, so the rules are tested without a server.
 */

export interface InventoryFigures {
  totalStock: number;
  reservedStock: number;
  availableStock: number;
}

export interface ReconcileFigures {
  ok: boolean;
  violations: unknown[];
}

export interface StockCheckInput {
  /** Units available on the variants under test when the run began. */
  initialAvailable: number;
  /** Units reserved on them when the run began (earlier warm-up holds, say). */
  initialReserved: number;
  /** Units each successful attempt holds. */
  quantityPerHold: number;
  /** Reservation attempts answered 2xx, over the warm-up and the measured run. */
  holdsAnswered: number;
  /**
   * Requests still in flight when the load generator stopped: the service may have made those
   * holds without the client ever reading the answer. At most one per connection per load phase.
   */
  unansweredAllowance: number;
  /** The variants' inventories after the run. */
  inventories: InventoryFigures[];
  reconcile: ReconcileFigures;
}

export interface StockVerdict {
  /** Units handed out beyond the stock that existed. Anything but 0 is a correctness bug. */
  oversold: number;
  /** Every check passed: no oversell, the invariants hold, answers and inventory agree. */
  ok: boolean;
  problems: string[];
}

/**
 * Oversold units are counted three ways and the worst is reported: holds the clients were granted
 * beyond the stock, holds the inventory records beyond the stock, and negative available stock.
 * Any of them can show a lost update that the others miss.
 */
export function verifyStock(input: StockCheckInput): StockVerdict {
  const problems: string[] = [];
  const sum = (pick: (inventory: InventoryFigures) => number) =>
    input.inventories.reduce((total, inventory) => total + pick(inventory), 0);
  const reserved = sum((inventory) => inventory.reservedStock);
  const available = sum((inventory) => inventory.availableStock);
  const total = sum((inventory) => inventory.totalStock);

  const grantedUnits = input.holdsAnswered * input.quantityPerHold;
  const newlyReserved = reserved - input.initialReserved;
  const negativeAvailable = input.inventories.reduce(
    (worst, inventory) => worst + Math.max(0, -inventory.availableStock),
    0,
  );
  const oversold = Math.max(
    0,
    grantedUnits - input.initialAvailable,
    newlyReserved - input.initialAvailable,
    negativeAvailable,
  );
  if (oversold > 0) problems.push(`${oversold} units oversold`);
  if (available + reserved !== total) {
    problems.push(`available ${available} + reserved ${reserved} ≠ total ${total}`);
  }
  const unansweredUnits = input.unansweredAllowance * input.quantityPerHold;
  if (newlyReserved < grantedUnits || newlyReserved > grantedUnits + unansweredUnits) {
    problems.push(
      `the inventory gained ${newlyReserved} reserved units but ${grantedUnits} were granted` +
        ` (and at most ${unansweredUnits} left unanswered at the stop)`,
    );
  }
  if (!input.reconcile.ok) {
    problems.push(`reconcile reports ${input.reconcile.violations.length} violation(s)`);
  }
  return { oversold, ok: problems.length === 0, problems };
}
