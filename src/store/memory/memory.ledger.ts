import {
  LEDGER_TAIL_CHECKED,
  type LedgerSummary,
  type ListMovementsQuery,
  type StockMovement,
} from '../ledger';
import { copy, type MemoryState } from './memory.state';

/** A page of a variant's ledger: movements with seq > afterSeq, ascending. */
export function ledgerPage(state: MemoryState, query: ListMovementsQuery): StockMovement[] {
  if (query.limit <= 0) return [];
  const ledger = state.movements.get(query.variantId) ?? [];
  // seq n sits at index n − 1 (I7), so a page is a slice, not a scan; the filter keeps it right
  // even if that ever were not so.
  const start = Math.max(0, Math.min(query.afterSeq, ledger.length));
  return ledger
    .slice(start, start + query.limit)
    .filter((movement) => movement.seq > query.afterSeq)
    .map(copy);
}

/**
 * What reconcile checks of a variant's ledger (I7): the whole ledger is summed (it is in memory);
 * the order is walked on its tail, as in MongoDB.
 */
export function ledgerSummary(state: MemoryState, variantId: string): LedgerSummary {
  const ledger = state.movements.get(variantId) ?? [];
  const sum = { total: 0, reserved: 0, available: 0 };
  const seqs = new Set<number>();
  let firstSeq = Number.POSITIVE_INFINITY;
  let lastSeq = 0;
  for (const { seq, delta } of ledger) {
    sum.total += delta.total;
    sum.reserved += delta.reserved;
    sum.available += delta.available;
    seqs.add(seq);
    firstSeq = Math.min(firstSeq, seq);
    lastSeq = Math.max(lastSeq, seq);
  }
  return {
    // Distinct seqs, as MongoDB's unique index would count them.
    count: seqs.size,
    firstSeq: ledger.length > 0 ? firstSeq : 0,
    firstType: ledger[0]?.type ?? null,
    lastSeq,
    sum,
    tail: ledger.slice(-LEDGER_TAIL_CHECKED),
  };
}
