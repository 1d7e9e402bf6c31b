import type { CartLine } from './cart.types';

/**
 * Lines naming the same variant summed into one, in order of first appearance. Both the service
 * (to validate the summed quantities) and the stores (so no caller can get two holds of one
 * variant from one cart) sum before anything else.
 */
export function sumCartLines(lines: readonly CartLine[]): CartLine[] {
  const summed = new Map<string, number>();
  for (const line of lines) {
    const variantId = line.variantId.toLowerCase();
    summed.set(variantId, (summed.get(variantId) ?? 0) + line.quantity);
  }
  return [...summed].map(([variantId, quantity]) => ({ variantId, quantity }));
}
