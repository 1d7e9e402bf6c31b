import { describe, expect, it } from 'vitest';
import { verifyStock, type StockCheckInput } from './verify';

const clean: StockCheckInput = {
  initialAvailable: 100,
  initialReserved: 0,
  quantityPerHold: 1,
  holdsAnswered: 100,
  unansweredAllowance: 0,
  inventories: [{ totalStock: 100, reservedStock: 100, availableStock: 0 }],
  reconcile: { ok: true, violations: [] },
};

describe('verifyStock', () => {
  it('passes a sale that sold exactly its stock', () => {
    expect(verifyStock(clean)).toEqual({ oversold: 0, ok: true, problems: [] });
  });

  it('counts units granted to clients beyond the stock as oversold', () => {
    const verdict = verifyStock({ ...clean, holdsAnswered: 103 });
    expect(verdict.oversold).toBe(3);
    expect(verdict.ok).toBe(false);
  });

  it('counts units the inventory reserved beyond the stock as oversold', () => {
    const verdict = verifyStock({
      ...clean,
      holdsAnswered: 100,
      unansweredAllowance: 10,
      inventories: [{ totalStock: 100, reservedStock: 104, availableStock: -4 }],
    });
    expect(verdict.oversold).toBe(4);
    expect(verdict.problems).toContain('4 units oversold');
  });

  it('counts negative availability as oversold even when the other counts agree', () => {
    const verdict = verifyStock({
      ...clean,
      initialAvailable: 10,
      holdsAnswered: 5,
      inventories: [{ totalStock: 10, reservedStock: 5, availableStock: -2 }],
    });
    expect(verdict.oversold).toBe(2);
    expect(verdict.problems.some((problem) => problem.includes('≠ total'))).toBe(true);
  });

  it('sums several variants', () => {
    const verdict = verifyStock({
      ...clean,
      initialAvailable: 20,
      holdsAnswered: 7,
      inventories: [
        { totalStock: 10, reservedStock: 4, availableStock: 6 },
        { totalStock: 10, reservedStock: 3, availableStock: 7 },
      ],
    });
    expect(verdict).toEqual({ oversold: 0, ok: true, problems: [] });
  });

  it('accepts holds made for requests cut off when the load stopped, up to the allowance', () => {
    const inventories = [{ totalStock: 1000, reservedStock: 105, availableStock: 895 }];
    const base = { ...clean, initialAvailable: 1000, holdsAnswered: 100, inventories };
    expect(verifyStock({ ...base, unansweredAllowance: 5 }).ok).toBe(true);
    expect(verifyStock({ ...base, unansweredAllowance: 4 }).ok).toBe(false);
  });

  it('fails when the inventory recorded fewer holds than clients were granted', () => {
    const verdict = verifyStock({
      ...clean,
      inventories: [{ totalStock: 100, reservedStock: 99, availableStock: 1 }],
    });
    expect(verdict.oversold).toBe(0);
    expect(verdict.ok).toBe(false);
  });

  it('fails when reconcile reports violations', () => {
    const verdict = verifyStock({ ...clean, reconcile: { ok: false, violations: [{}, {}] } });
    expect(verdict.problems).toEqual(['reconcile reports 2 violation(s)']);
  });
});
