import { describe, expect, it } from 'vitest';
import { SCENARIOS } from './catalog.mjs';
import { botUnitsOn, formatResultLine, summarizeReport, verifyRun } from './results.mjs';

/** The shape of artillery 2's `--output` report, trimmed to what the runner reads. */
function artilleryReport(counters: Record<string, number>, timing = {}) {
  return {
    aggregate: {
      counters,
      summaries: {
        'http.response_time': { min: 0, max: 80, median: 1, p95: 7.9, p99: 19.9, ...timing },
      },
    },
    intermediate: [],
  };
}

const flashSale = artilleryReport({
  'http.requests': 10_000,
  'http.responses': 10_000,
  'http.codes.201': 100,
  'http.codes.409': 9_900,
  'vusers.created': 10_000,
  'vusers.failed': 0,
});

const inventory = (total: number, reserved: number, available = total - reserved) => ({
  totalStock: total,
  reservedStock: reserved,
  availableStock: available,
});

describe('summarizeReport', () => {
  it('reads status codes, per-role counters, unanswered requests and latency', () => {
    const summary = summarizeReport(
      artilleryReport({
        'http.requests': 12,
        'http.responses': 10,
        'http.codes.201': 4,
        'http.codes.429': 6,
        'stockhold.bot.429': 6,
        'stockhold.shopper.201': 4,
        'errors.ETIMEDOUT': 2,
        'vusers.created': 5,
        'plugins.metrics-by-endpoint./v1/reservations.codes.201': 4,
      }),
    );
    expect(summary).toEqual({
      requests: 12,
      responses: 10,
      codes: { '201': 4, '429': 6 },
      byRole: { bot: { '429': 6 }, shopper: { '201': 4 } },
      errors: 2,
      vusersCreated: 5,
      vusersFailed: 0,
      latency: { p50: 1, p95: 7.9, p99: 19.9, max: 80 },
    });
  });

  it('copes with an empty report', () => {
    expect(summarizeReport({}).latency).toEqual({ p50: 0, p95: 0, p99: 0, max: 0 });
  });
});

describe('verifyRun', () => {
  const scenario = SCENARIOS['flash-sale-10k'];
  const clean = {
    scenario,
    stockAtStart: 100,
    tokens: 10_000,
    before: inventory(100, 0),
    after: inventory(100, 100),
    reconcile: { ok: true, violations: [] },
    summary: summarizeReport(flashSale),
  };

  it('passes the flash sale: 100 holds, 9,900 OUT_OF_STOCK, nothing oversold', () => {
    expect(verifyRun(clean)).toEqual({ reserved: 100, oversold: 0, ok: true, problems: [] });
  });

  it('detects units reserved beyond the stock', () => {
    const verdict = verifyRun({ ...clean, after: inventory(100, 103, -3) });
    expect(verdict.oversold).toBe(3);
    expect(verdict.ok).toBe(false);
    expect(verdict.problems).toContain('3 units oversold');
  });

  it('detects holds granted to clients beyond the stock, even when the inventory looks right', () => {
    const summary = summarizeReport(
      artilleryReport({ 'http.codes.201': 102, 'http.codes.409': 9_898, 'vusers.created': 10_000 }),
    );
    const verdict = verifyRun({ ...clean, summary });
    expect(verdict.oversold).toBe(2);
  });

  it('fails when reconcile fails, though nothing is oversold', () => {
    const verdict = verifyRun({
      ...clean,
      reconcile: { ok: false, violations: [{ invariant: 'I2' }] },
    });
    expect(verdict.oversold).toBe(0);
    expect(verdict.ok).toBe(false);
    expect(verdict.problems[0]).toMatch(/^reconcile failed/);
  });

  it('fails when fewer units than the stock were reserved (a shopper lost out to an error)', () => {
    const summary = summarizeReport(
      artilleryReport({ 'http.codes.201': 99, 'http.codes.409': 9_900, 'errors.ETIMEDOUT': 1 }),
    );
    const verdict = verifyRun({ ...clean, after: inventory(100, 99), summary });
    expect(verdict.ok).toBe(false);
    expect(verdict.problems).toEqual([
      'expected exactly 100 units reserved, got 99',
      expect.stringMatching(/expected 100 × 201 and 9900 × 409.*1 unanswered$/),
    ]);
  });

  it('fails when artillery started more virtual users than there were tokens', () => {
    const summary = { ...summarizeReport(flashSale), vusersCreated: 10_001 };
    expect(verifyRun({ ...clean, summary }).problems).toEqual([
      '10001 virtual users for 10000 tokens: some shoppers went twice',
    ]);
  });

  describe('bot-hoarding', () => {
    const bots = SCENARIOS['bot-hoarding'];
    const hold = (variantId: string) => ({ variantId, quantity: 1 });
    const run = (counters: Record<string, number>, botHolds: unknown) =>
      verifyRun({
        scenario: bots,
        stockAtStart: 50,
        tokens: 400,
        before: inventory(50, 0),
        after: inventory(50, 50),
        reconcile: { ok: true, violations: [] },
        summary: summarizeReport(artilleryReport({ 'vusers.created': 400, ...counters })),
        botHolds,
      });
    const served = {
      'stockhold.bot.201': 500,
      'stockhold.bot.409': 500,
      'stockhold.bot.429': 1_000,
      'stockhold.shopper.201': 38,
      'stockhold.shopper.409': 262,
    };
    const capped = {
      maxActiveReservations: 5,
      bots: [{ id: 'bot-0', holds: ['sale', 'a', 'b', 'c', 'd'].map(hold) }],
    };

    it('passes when bots stay within the caps, are rate limited, and shoppers are served', () => {
      expect(run(served, capped).problems).toEqual([]);
    });

    it('flags a bot over the cap or holding one variant twice', () => {
      const greedy = {
        maxActiveReservations: 5,
        bots: [{ id: 'bot-7', holds: ['sale', 'sale', 'a', 'b', 'c', 'd'].map(hold) }],
      };
      expect(run(served, greedy).problems).toEqual([
        'bot-7 holds 6 reservations (cap 5)',
        'bot-7 holds the same variant twice',
      ]);
    });

    it('flags a run where no bot was rate limited', () => {
      const { 'stockhold.bot.429': _limited, ...unlimited } = served;
      expect(run(unlimited, capped).problems).toEqual([
        expect.stringMatching(/^no bot was rate limited/),
      ]);
    });

    it('flags shoppers refused with 429, and shoppers left with nothing', () => {
      const problems = run(
        {
          ...served,
          'stockhold.shopper.201': 0,
          'stockhold.shopper.409': 290,
          'stockhold.shopper.429': 10,
        },
        capped,
      ).problems;
      expect(problems).toEqual([
        expect.stringMatching(/^every shopper should get 201 or 409/),
        'the bots took every unit: no real shopper got one',
      ]);
    });

    it('counts the units bots hold on the sale variant', () => {
      expect(botUnitsOn(capped, 'sale')).toBe(1);
    });
  });
});

describe('formatResultLine', () => {
  it('is the one closing line the issue asks for', () => {
    expect(
      formatResultLine('flash-sale-10k', {
        reserved: 100,
        stock: 100,
        oversold: 0,
        codes: { '201': 100, '409': 9_900 },
        latency: { p50: 1, p95: 7.9, p99: 19.9, max: 80 },
      }),
    ).toBe(
      'scenario flash-sale-10k: reserved 100/100, oversold 0, 409 9900, 429 0, p50 1 p95 7.9 p99 19.9 ms',
    );
  });
});
