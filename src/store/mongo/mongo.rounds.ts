/**
 * How often a whole operation is re-run when the state it was refused on changed before we could
 * explain the refusal (see `reserve` and `adjustStock`). Needing even a second round is rare.
 */
export const MAX_ROUNDS = 5;
