import { describe, expect, it } from 'vitest';
import { LocalRateLimiter } from './local-rate-limiter';

function limiterAt(start = 1_000_000) {
  let now = start;
  const limiter = new LocalRateLimiter(() => now);
  return { limiter, advance: (ms: number) => (now += ms) };
}

describe('LocalRateLimiter (same fixed window and block as the Redis script)', () => {
  it('allows `limit` hits in a window, then blocks for the block duration', () => {
    const { limiter, advance } = limiterAt();
    const hits = Array.from({ length: 3 }, () => limiter.increment('k', 60_000, 3, 60_000));
    expect(hits.map((record) => [record.totalHits, record.isBlocked])).toEqual([
      [1, false],
      [2, false],
      [3, false],
    ]);
    expect(hits[0].timeToExpire).toBe(60);
    advance(10_000);
    expect(limiter.increment('k', 60_000, 3, 60_000)).toEqual({
      totalHits: 4,
      timeToExpire: 50,
      isBlocked: true,
      timeToBlockExpire: 60,
    });
    // Blocked hits are not counted again.
    advance(1_000);
    expect(limiter.increment('k', 60_000, 3, 60_000)).toMatchObject({
      totalHits: 4,
      isBlocked: true,
      timeToBlockExpire: 59,
    });
  });

  it('starts a fresh window once the block and the window are over', () => {
    const { limiter, advance } = limiterAt();
    for (let i = 0; i < 4; i++) limiter.increment('k', 1_000, 3, 5_000);
    advance(2_000);
    expect(limiter.increment('k', 1_000, 3, 5_000).isBlocked).toBe(true);
    advance(3_001);
    expect(limiter.increment('k', 1_000, 3, 5_000)).toMatchObject({
      totalHits: 1,
      isBlocked: false,
    });
  });

  it('with no block (0 ms, ThrottlerStorage\'s "no block"), refuses until the window ends', () => {
    const { limiter, advance } = limiterAt();
    limiter.increment('k', 10_000, 1, 0);
    advance(4_000);
    expect(limiter.increment('k', 10_000, 1, 0)).toMatchObject({
      isBlocked: true,
      timeToBlockExpire: 6,
    });
    advance(6_000);
    expect(limiter.increment('k', 10_000, 1, 0)).toMatchObject({ totalHits: 1, isBlocked: false });
  });

  it('keeps keys apart', () => {
    const { limiter } = limiterAt();
    limiter.increment('a', 1_000, 1, 1_000);
    expect(limiter.increment('a', 1_000, 1, 1_000).isBlocked).toBe(true);
    expect(limiter.increment('b', 1_000, 1, 1_000).isBlocked).toBe(false);
  });

  it('forgets expired keys, so memory follows the live keys and not every caller ever seen', () => {
    const { limiter, advance } = limiterAt();
    for (let i = 0; i < 5_000; i++) limiter.increment(`shopper-${i}`, 1_000, 10, 1_000);
    advance(2_000);
    for (let i = 0; i < 5_000; i++) limiter.increment('busy', 1_000, 1_000_000, 1_000);
    expect(limiter.size).toBe(1);
  });
});
