/**
 * The load scenarios of docs/architecture.md §11: what each seeds and what it must show. The arrival counts here
 * must match the phases in scenarios/<name>.yml (a unit spec checks that they do): the runner signs
 * exactly one token per arrival.
 */
export const SCENARIOS = {
  'flash-sale-10k': {
    description: '100 units, 10,000 shoppers, one attempt each',
    stock: 100,
    shoppers: 10_000,
    expectedReserved: 100,
  },
  'single-unit': {
    description: '1 unit, 1,000 shoppers, one attempt each',
    stock: 1,
    shoppers: 1_000,
    expectedReserved: 1,
  },
  'limited-stock': {
    description: '5 units, 1,500 shoppers, one attempt each',
    stock: 5,
    shoppers: 1_500,
    expectedReserved: 5,
  },
  'post-depletion': {
    description: 'a variant sold out just before 1,500 shoppers try once each',
    // Seeded with this many units, which the runner sells before the load starts.
    stock: 10,
    sellOutFirst: true,
    shoppers: 1_500,
    expectedReserved: 0,
  },
  'bot-hoarding': {
    description: '50 units; 100 bots × 20 attempts over 6 variants, 300 shoppers × 1',
    stock: 50,
    shoppers: 300,
    bots: 100,
    botAttempts: 20,
    sideVariants: 5,
    // Enough that the side variants never sell out: their 409s would hide the caps at work.
    sideStock: 1_000,
    expectedReserved: 50,
  },
  'cart-rush': {
    description: '5 small variants (2 with a purchase limit), 300 shoppers × 2 carts of 2–3 lines',
    shoppers: 300,
    // One entry per variant: its units and its purchaseLimit (null: none). 160 units against
    // thousands asked for, so every policy meets short lines.
    carts: [
      { stock: 40, purchaseLimit: 3 },
      { stock: 40, purchaseLimit: null },
      { stock: 30, purchaseLimit: 2 },
      { stock: 30, purchaseLimit: null },
      { stock: 20, purchaseLimit: null },
    ],
  },
  'waitlist-fairness': {
    description:
      '50 units, 2,000 shoppers: holds released at random, the rest in line or refreshing',
    stock: 50,
    shoppers: 2_000,
    waitlist: true,
  },
};

/** Per-shopper cap on active holds (MAX_ACTIVE_RESERVATIONS, docs/architecture.md §3 I3) the checks assume. */
export const DEFAULT_MAX_ACTIVE_RESERVATIONS = 5;

/** Virtual users the scenario's YAML starts: one payload row (one token) each. */
export function arrivals(scenario) {
  return scenario.shoppers + (scenario.bots ?? 0);
}
