import { describe, expect, it } from 'vitest';
import { MAX_RETRY_DELAY_MS, retryDelayMs, shouldDeadLetter } from './webhook-retry';

describe('webhook retry timing', () => {
  it('doubles per failure, with jitter between half and all of the step', () => {
    const low = (n: number) => retryDelayMs(n, 1000, () => 0);
    const high = (n: number) => retryDelayMs(n, 1000, () => 1);
    expect([1, 2, 3, 4].map(low)).toEqual([500, 1000, 2000, 4000]);
    expect([1, 2, 3, 4].map(high)).toEqual([1000, 2000, 4000, 8000]);
    for (let n = 1; n < 8; n++) {
      const delay = retryDelayMs(n, 1000);
      expect(delay).toBeGreaterThanOrEqual(low(n));
      expect(delay).toBeLessThanOrEqual(high(n));
    }
  });

  it('never waits more than the cap, even after very many failures', () => {
    expect(retryDelayMs(60, 1000, () => 1)).toBe(MAX_RETRY_DELAY_MS);
    expect(retryDelayMs(1_000_000, 1000, () => 0)).toBe(MAX_RETRY_DELAY_MS / 2);
    expect(retryDelayMs(0, 1000, () => 1)).toBe(1000);
  });

  it('dead-letters once the bound has passed since the first failure', () => {
    expect(shouldDeadLetter(10_000, 10_000, 2000)).toBe(false);
    expect(shouldDeadLetter(10_000, 11_999, 2000)).toBe(false);
    expect(shouldDeadLetter(10_000, 12_000, 2000)).toBe(true);
  });
});
