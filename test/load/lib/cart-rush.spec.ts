import { describe, expect, it } from 'vitest';
import {
  cartCsv,
  cartRows,
  decodeCart,
  encodeCart,
  planCarts,
  verifyCartRush,
} from './cart-rush.mjs';

type Line = { variant: number; quantity: number };

describe('cart-rush carts', () => {
  const plans = Array.from({ length: 300 }, (_, index) => planCarts(index, 5));

  it('gives every shopper two carts of 2–3 distinct variants, 1–3 units a line', () => {
    for (const [index, plan] of plans.entries()) {
      for (const cart of [plan.first, plan.second] as Line[][]) {
        const variants = new Set(cart.map((line) => line.variant));
        expect(variants.size).toBeGreaterThanOrEqual(2);
        expect(variants.size).toBeLessThanOrEqual(3);
        for (const line of cart) {
          expect(line.variant).toBeGreaterThanOrEqual(0);
          expect(line.variant).toBeLessThan(5);
          expect([1, 2, 3]).toContain(line.quantity);
        }
      }
      // Only every tenth first cart repeats a variant (the service must sum it).
      const repeats = plan.first.length - new Set(plan.first.map((l: Line) => l.variant)).size;
      expect(repeats).toBe(index % 10 === 0 ? 1 : 0);
    }
  });

  it('splits shoppers evenly between the policies and makes second carts overlap first ones', () => {
    const policies = plans.map((plan) => plan.policy);
    expect(policies.filter((p) => p === 'all_or_nothing')).toHaveLength(150);
    expect(policies.filter((p) => p === 'best_effort')).toHaveLength(150);
    const overlapping = plans.filter((plan) =>
      plan.second.some((line: Line) =>
        plan.first.some((other: Line) => other.variant === line.variant),
      ),
    );
    expect(overlapping.length).toBeGreaterThan(150);
    expect(planCarts(7, 5)).toEqual(planCarts(7, 5));
  });

  it('round-trips a cart through its CSV field, and refuses a line naming no variant', () => {
    const lines = [
      { variant: 0, quantity: 2 },
      { variant: 3, quantity: 1 },
    ];
    expect(encodeCart(lines)).toBe('0x2.3x1');
    expect(decodeCart('0x2.3x1', ['a', 'b', 'c', 'd'])).toEqual([
      { variantId: 'a', quantity: 2 },
      { variantId: 'd', quantity: 1 },
    ]);
    expect(() => decodeCart('7x1', ['a'])).toThrow(/bad cart line/);
  });

  it('writes one CSV row per shopper, with fields free of commas', () => {
    const rows = cartRows(4, 5, (id: string) => `token-${id}`);
    const csv = cartCsv(rows).trim().split('\n');
    expect(csv[0]).toBe('policy,first,second,token');
    expect(csv).toHaveLength(5);
    for (const line of csv.slice(1)) expect(line.split(',')).toHaveLength(4);
    expect(csv[2]).toMatch(/^best_effort,[\d.x]+,[\d.x]+,token-cart-shopper-1$/);
  });
});

describe('the cart-rush verdict', () => {
  const inventory = (total: number, reserved: number) => ({
    totalStock: total,
    reservedStock: reserved,
    availableStock: total - reserved,
  });
  const variant = (id: string, purchaseLimit: number | null, after = inventory(30, 5)) => ({
    id,
    purchaseLimit,
    stockAtStart: 40,
    before: inventory(40, 0),
    after,
  });
  const hold = (variantId: string, quantity: number, status = 'active') => ({
    variantId,
    quantity,
    status,
  });
  // Two variants: 10 sold + 5 held each = 30 units granted.
  const good = () => ({
    variants: [variant('v1', 3), variant('v2', null)],
    reconcile: { ok: true, violations: [] },
    maxActive: 5,
    summary: {
      codes: { '200': 10, '201': 12, '409': 40 },
      errors: 0,
      counters: {
        'stockhold.cart.units': 30,
        'stockhold.cart.all_or_nothing.held': 5,
        'stockhold.cart.all_or_nothing.OUT_OF_STOCK': 20,
        'stockhold.cart.best_effort.partial': 7,
        'stockhold.cart.best_effort.PURCHASE_LIMIT_EXCEEDED': 20,
      },
    },
    shopperHolds: [
      { id: 's1', reservations: [hold('v1', 2, 'committed'), hold('v1', 1), hold('v2', 3)] },
      { id: 's2', reservations: [hold('v1', 3, 'released'), hold('v1', 3, 'committed')] },
    ],
  });

  it('passes a clean run and counts units sold and held', () => {
    expect(verifyCartRush(good())).toMatchObject({
      ok: true,
      problems: [],
      sold: 20,
      held: 10,
      stock: 80,
      oversold: 0,
    });
  });

  it('finds oversold units and an unbalanced inventory', () => {
    const run = good();
    run.variants[0].after = inventory(10, 35); // 30 sold + 35 held of 40, and available −25
    run.summary.counters['stockhold.cart.units'] = 80;
    const verdict = verifyCartRush(run);
    expect(verdict.ok).toBe(false);
    expect(verdict.oversold).toBe(25);
    expect(verdict.problems.join()).toContain('v1: 25 units oversold');
  });

  it('finds a shopper over the hold cap or holding one variant twice (I3)', () => {
    const run = good();
    run.maxActive = 1;
    run.shopperHolds[1].reservations.push(hold('v2', 1), hold('v2', 1));
    const problems = verifyCartRush(run).problems.join('\n');
    expect(problems).toContain('I3: s1 has 2 active holds (cap 1)');
    expect(problems).toContain('I3: s2 holds one variant twice');
  });

  it('finds a shopper past a purchase limit across orders, active + committed (I6)', () => {
    const run = good();
    run.shopperHolds[0].reservations.push(hold('v1', 1, 'committed'));
    // Units moved no longer match what was granted, which is its own finding.
    run.summary.counters['stockhold.cart.units'] = 30;
    const problems = verifyCartRush(run).problems;
    expect(problems).toContain('I6: s1 has 4 units of v1 (limit 3)');
    expect(problems.filter((p: string) => p.startsWith('I6'))).toHaveLength(1);
  });

  it('finds a failed reconcile, units granted but not moved, and answers other than 200/201/409', () => {
    const run = good();
    run.reconcile = { ok: false, violations: [{ invariant: 'I6' }] as never[] };
    run.summary.counters['stockhold.cart.units'] = 31;
    run.summary.codes = { ...run.summary.codes, '429': 1, '500': 2 } as typeof run.summary.codes;
    run.summary.errors = 3;
    const problems = verifyCartRush(run).problems.join('\n');
    expect(problems).toContain('reconcile failed');
    expect(problems).toContain('granted 31 units; the inventories moved 30');
    expect(problems).toContain('3 unanswered');
  });

  it('finds a rush that contended for nothing, or a policy that never held a cart', () => {
    const run = good();
    delete (run.summary.counters as Record<string, number>)[
      'stockhold.cart.all_or_nothing.OUT_OF_STOCK'
    ];
    delete (run.summary.counters as Record<string, number>)['stockhold.cart.best_effort.partial'];
    run.summary.codes = { '200': 10, '201': 12, '409': 40 };
    const problems = verifyCartRush(run).problems.join('\n');
    expect(problems).toContain('no best_effort cart was held');
    expect(problems).toContain('contended for nothing');
  });
});
