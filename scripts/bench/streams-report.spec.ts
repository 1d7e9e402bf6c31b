import { describe, expect, it } from 'vitest';
import { SseVersionParser } from './sse-fleet';
import { fanOut, parseStreamsOptions, perStream, type ExpectedMessage } from './streams-report';

describe('SseVersionParser', () => {
  it('completes an event at its blank line, across chunk boundaries, and skips heartbeats', () => {
    const parser = new SseVersionParser();
    expect(parser.push('id: 7\nevent: availability\ndata: {"availableStock":3,')).toEqual([]);
    expect(parser.push('"version":7}\n')).toEqual([]);
    expect(parser.push('\n: heartbeat\n\nid: 8\nevent: avail')).toEqual([7]);
    expect(parser.push('ability\ndata: {}\n\nid: 9\r\ndata: {}\r\n\r\n')).toEqual([8, 9]);
  });

  it('counts a comment-only block as no event', () => {
    const parser = new SseVersionParser();
    expect(parser.push(': heartbeat\n\n: heartbeat\n\n')).toEqual([]);
  });
});

describe('parseStreamsOptions', () => {
  it('defaults to 1,000 streams at the service default coalescing window', () => {
    expect(parseStreamsOptions([])).toEqual({
      streams: 1000,
      changes: 20,
      bursts: 10,
      burstSize: 5,
      coalesceMs: 250,
    });
    expect(parseStreamsOptions(['--streams', '100', '--bursts', '0'])).toMatchObject({
      streams: 100,
      bursts: 0,
    });
  });

  it('refuses what cannot be measured', () => {
    expect(() => parseStreamsOptions(['--streams', '0'])).toThrow(/--streams/);
    expect(() => parseStreamsOptions(['--burst-size', '1'])).toThrow(/--burst-size/);
    expect(() => parseStreamsOptions(['--changes', '0', '--bursts', '0'])).toThrow(/at least|≥ 1/);
    expect(() => parseStreamsOptions(['--streams', 'many'])).toThrow(/--streams/);
    expect(parseStreamsOptions(['--help'])).toBe('help');
  });
});

describe('fanOut', () => {
  const expected: ExpectedMessage[] = [
    { version: 2, kind: 'spaced', changeSentAt: 100 },
    { version: 3, kind: 'burst-first', changeSentAt: 1000 },
    // Changes 4 and 5 came within the window opened at ≥ 1000: the latest went out at its end.
    { version: 5, kind: 'burst-final', changeSentAt: 1010, holdUntil: 1250 },
  ];

  it('gives raw delays, and net ones less the coalescing hold', () => {
    const result = fanOut(expected, [
      { versions: [1, 2, 3, 5], times: [0, 104, 1003, 1256] },
      { versions: [1, 2, 3, 5], times: [0, 110, 1009, 1260] },
    ]);
    expect(result.raw).toMatchObject({ count: 6, max: 250 });
    expect(result.immediate).toMatchObject({ count: 4, p50: 4, max: 10 });
    expect(result.merged).toMatchObject({ count: 2, p50: 246, max: 250 });
    expect(result.net).toMatchObject({ count: 6, max: 10 });
    expect(result).toMatchObject({ missed: 0, finalMissing: 0, unmerged: 0, outOfOrder: 0 });
  });

  it('counts every missed message, a missing final version, and versions the window let through', () => {
    const result = fanOut(expected, [
      { versions: [1, 3], times: [0, 1003] },
      { versions: [1, 2, 3, 4, 5], times: [0, 104, 1003, 1012, 1256] },
      { versions: [1, 2, 5, 3], times: [0, 104, 1256, 1300] },
    ]);
    expect(result.missed).toBe(2);
    expect(result.finalMissing).toBe(2);
    expect(result.unmerged).toBe(1);
    expect(result.outOfOrder).toBe(1);
  });
});

describe('perStream', () => {
  it('divides the growth by the number of streams', () => {
    expect(
      perStream(
        { rss: 100_000_000, heapUsed: 20_000_000, heapTotal: 30_000_000, external: 1_000_000 },
        { rss: 110_240_000, heapUsed: 25_120_000, heapTotal: 38_192_000, external: 1_000_000 },
        1000,
      ),
    ).toEqual({ rss: 10_240, heapUsed: 5_120, heapTotal: 8_192, external: 0 });
  });
});
