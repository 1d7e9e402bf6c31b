import { describe, expect, it } from 'vitest';
import { verifyWaitlistFairness, waitlistCsv, waitlistRows } from './waitlist-fairness.mjs';

const at = (s: number) => new Date(Date.UTC(2030, 0, 1, 0, 0, s)).toISOString();
const movement = (type: string, actor: string, q = 1) => ({
  type,
  actor,
  delta: {
    total: 0,
    reserved: type === 'reserved' ? q : -q,
    available: type === 'reserved' ? -q : q,
  },
});

/** A fair run of 2 units: both holders release, the first two in line get the offers. */
function fairRun() {
  return {
    stock: 2,
    counters: {
      'stockhold.reserve.201': 2,
      'stockhold.reserve.409': 5,
      'stockhold.refresh.409': 4,
    },
    movements: [
      { type: 'created', actor: 'admin', delta: { total: 2, reserved: 0, available: 2 } },
      movement('reserved', 'h1'),
      movement('reserved', 'h2'),
      movement('released', 'h1'),
      movement('reserved', 'waitlist'),
      movement('released', 'h2'),
      movement('reserved', 'waitlist'),
    ],
    entries: [
      { status: 'offered', joinedAt: at(1), position: null },
      { status: 'offered', joinedAt: at(2), position: null },
      { status: 'waiting', joinedAt: at(3), position: 1 },
      { status: 'waiting', joinedAt: at(3), position: 2 },
      null,
    ],
    after: { totalStock: 2, reservedStock: 2, availableStock: 0 },
    reconcile: { ok: true, violations: [] },
  };
}

describe('waitlist-fairness', () => {
  it('makes one shopper in ten a refresher, the rest waiters, each with a token', () => {
    const rows = waitlistRows(2000, (id: string) => `token-${id}`);
    expect(rows.filter((row) => row.role === 'refresher')).toHaveLength(200);
    expect(rows[9]).toEqual({ role: 'refresher', id: 'refresher-9', token: 'token-refresher-9' });
    expect(waitlistCsv(rows.slice(0, 1))).toBe('role,token\nwaiter,token-waiter-0\n');
  });

  it('passes a run where every freed unit went to the line in join order', () => {
    const verdict = verifyWaitlistFairness(fairRun());
    expect(verdict).toMatchObject({ ok: true, problems: [], freed: 2, offers: 2, waiting: 2 });
  });

  it('catches a unit a refresher got past the line', () => {
    const run = fairRun();
    run.counters['stockhold.refresh.201'] = 1;
    run.movements.push(movement('released', 'h3'), movement('reserved', 'refresher-9'));
    const { ok, problems } = verifyWaitlistFairness(run);
    expect(ok).toBe(false);
    expect(problems).toEqual(
      expect.arrayContaining([
        '1 units went to refreshers past the line',
        '3 holds outside the waitlist, expected 2',
      ]),
    );
  });

  it('catches an offer out of join order, and units left available while shoppers wait', () => {
    const run = fairRun();
    run.entries[1] = { status: 'offered', joinedAt: at(5), position: null };
    run.after = { totalStock: 3, reservedStock: 2, availableStock: 1 };
    const { problems } = verifyWaitlistFairness(run);
    expect(problems).toEqual([
      '2 waiting entries joined before an entry that got an offer',
      '1 units available while 2 wait (I8)',
    ]);
  });
});
