/**
 * How often a whole operation is re-run when the state it was refused on changed before we could
 * explain the refusal (see `reserve` and `adjustStock`). Needing even a second round is rare.
 */
export const MAX_ROUNDS = 5;

/**
 * Read concern of every read the search sync builds a search document from (variant, inventory,
 * the backfill walk, pending syncs). `local` could index a version a failover then rolls back, and
 * the new primary reuses that version number for other figures, which the search document's
 * version guard would then refuse as not newer. `majority` only sees what survives a failover.
 * Holds and adjustments commit with majority write concern, so the API's reads of the same
 * variant and inventory (which share these methods) still see every acknowledged change.
 */
export const SYNC_READ_CONCERN = 'majority';
