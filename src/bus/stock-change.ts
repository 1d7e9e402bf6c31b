/**
 * One stock change on the bus: the figures after a committed change, and the instance that made
 * it. The figures are missing when the code that made the change did not have them; a receiver
 * then treats the change as "stock may be back" (clears its sold-out gate, re-reads for streams).
 */
export interface StockChange {
  variantId: string;
  availableStock?: number;
  version?: number;
  /** The publishing instance's id: an instance skips its own changes, already applied locally. */
  origin: string;
}

const VARIANT_ID = /^[0-9a-f]{24}$/;

export function encodeStockChange(change: StockChange): string {
  return JSON.stringify(change);
}

/** The change a message carries, or undefined for anything malformed (never trusted blindly). */
export function decodeStockChange(message: string): StockChange | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(message);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const { variantId, availableStock, version, origin } = parsed as Record<string, unknown>;
  if (typeof variantId !== 'string' || !VARIANT_ID.test(variantId)) return undefined;
  if (typeof origin !== 'string' || origin.length === 0) return undefined;
  const figures =
    Number.isSafeInteger(availableStock) && Number.isSafeInteger(version)
      ? { availableStock: availableStock as number, version: version as number }
      : {};
  return { variantId, origin, ...figures };
}
