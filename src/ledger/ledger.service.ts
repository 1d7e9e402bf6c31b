import { Injectable } from '@nestjs/common';
import { VariantNotFoundError } from '../common/errors/domain-errors';
import { Store } from '../store/store';
import type { StockMovement } from '../store/ledger';

export interface MovementPage {
  items: StockMovement[];
  /** The seq to page on from; null when this page reached the end of the ledger. */
  nextAfter: number | null;
}

/** Reading the stock ledger: why a variant's figures are what they are. */
@Injectable()
export class LedgerService {
  constructor(private readonly store: Store) {}

  async listMovements(variantId: string, afterSeq: number, limit: number): Promise<MovementPage> {
    // One more than asked tells whether another page follows, without a count.
    const [movements, inventory] = await Promise.all([
      this.store.listMovements({ variantId, afterSeq, limit: limit + 1 }),
      this.store.getInventory(variantId),
    ]);
    if (!inventory) throw new VariantNotFoundError(variantId);
    const items = movements.slice(0, limit);
    const more = movements.length > limit;
    return { items, nextAfter: more ? items[items.length - 1].seq : null };
  }
}
