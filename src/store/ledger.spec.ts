import { describe, expect, it } from 'vitest';
import { ledgerViolations, type LedgerSummary } from './ledger';

const inventory = {
  variantId: 'v1',
  totalStock: 5,
  reservedStock: 2,
  availableStock: 3,
  version: 3,
};

const healthy = (): LedgerSummary => ({
  count: 3,
  firstSeq: 1,
  firstType: 'created',
  lastSeq: 3,
  sum: { total: 5, reserved: 2, available: 3 },
  tail: [
    {
      seq: 1,
      delta: { total: 5, reserved: 0, available: 5 },
      after: { total: 5, reserved: 0, available: 5 },
    },
    {
      seq: 2,
      delta: { total: 0, reserved: 1, available: -1 },
      after: { total: 5, reserved: 1, available: 4 },
    },
    {
      seq: 3,
      delta: { total: 0, reserved: 1, available: -1 },
      after: { total: 5, reserved: 2, available: 3 },
    },
  ],
});

const messages = (ledger: LedgerSummary | undefined) =>
  ledgerViolations(inventory, ledger).map((v) => `${v.invariant} ${v.subject}: ${v.message}`);

describe('I7: the ledger explains the figures', () => {
  it('accepts a contiguous ledger that sums to the figures', () => {
    expect(messages(healthy())).toEqual([]);
  });

  it('reports a variant with no movements', () => {
    expect(messages(undefined)).toEqual(['I7 v1: the variant has no ledger movements']);
  });

  it('reports a gap (fewer movements than the seq range) and a stale last seq', () => {
    const gap = { ...healthy(), count: 2 };
    expect(messages(gap)).toEqual(['I7 v1: 2 movements for seq 1…3: a gap']);
    expect(messages({ ...healthy(), lastSeq: 2, count: 2 })[0]).toContain(
      'expected 1 to the inventory version 3',
    );
  });

  it('reports sums and a last after that do not match the figures', () => {
    const ledger = healthy();
    ledger.sum = { total: 5, reserved: 1, available: 4 };
    ledger.tail[2] = { ...ledger.tail[2], after: { total: 5, reserved: 1, available: 4 } };
    const found = messages(ledger);
    expect(found).toContain(
      'I7 v1: movements sum to (total 5, reserved 1, available 4), figures are (total 5, reserved 2, available 3)',
    );
    expect(found.some((m) => m.includes('the last movement leaves'))).toBe(true);
    expect(found.some((m) => m.includes("movement 3's after does not follow from 2"))).toBe(true);
  });

  it('accepts an opening balance (a variant older than the ledger) but no other late start', () => {
    const opening: LedgerSummary = {
      count: 1,
      firstSeq: 3,
      firstType: 'created',
      lastSeq: 3,
      sum: { total: 5, reserved: 2, available: 3 },
      tail: [
        {
          seq: 3,
          delta: { total: 5, reserved: 2, available: 3 },
          after: { total: 5, reserved: 2, available: 3 },
        },
      ],
    };
    expect(messages(opening)).toEqual([]);
    expect(messages({ ...opening, firstType: 'reserved' })[0]).toContain(
      'movements run from seq 3',
    );
  });
});
