import { describe, expect, it } from 'vitest';
import { BackfillProgressReporter, formatDuration, formatProgress } from './backfill-progress';

const progress = (processed: number, processedThisRun = processed) => ({
  processed,
  processedThisRun,
  written: processed,
  lastId: 'x',
});

describe('backfill progress', () => {
  it('shows a bar with processed/total, this run’s rate and the ETA', () => {
    expect(formatProgress(progress(2500), 10_000, 5)).toBe(
      'backfill [██████░░░░░░░░░░░░░░░░░░] 25.0% 2,500/10,000 · 500/s · ETA 0:15',
    );
    // A resumed run: 2,000 of the 2,500 were done before; the rate counts this run's 500.
    expect(formatProgress(progress(2500, 500), 10_000, 5)).toContain('· 100/s · ETA 1:15');
    expect(formatProgress(progress(0), 10_000, 0)).toContain('0.0% 0/10,000 · 0/s · ETA --:--');
  });

  it('never shows more than 100% when variants were added during the walk', () => {
    expect(formatProgress(progress(120), 100, 1)).toContain('100.0% 120/120');
    expect(formatProgress(progress(0), 0, 1)).toContain('100.0% 0/0');
  });

  it('without a total, shows processed, rate and elapsed time', () => {
    expect(formatProgress(progress(1234), null, 61)).toBe(
      'backfill 1,234 variants · 20/s · 1:01 elapsed',
    );
  });

  it('formats durations as m:ss or h:mm:ss', () => {
    expect(formatDuration(0)).toBe('0:00');
    expect(formatDuration(75)).toBe('1:15');
    expect(formatDuration(3725)).toBe('1:02:05');
  });

  it('redraws one terminal line at most every 100 ms and ends it with a newline', () => {
    let now = 0;
    let written = '';
    const reporter = new BackfillProgressReporter(
      { write: (text: string) => (written += text), isTTY: true },
      { total: 100, now: () => now },
    );
    reporter.update(progress(10));
    now = 50;
    reporter.update(progress(20));
    now = 150;
    reporter.update(progress(30));
    reporter.finish(progress(100));
    const frames = written.split('\r\x1b[2K').filter((frame) => frame !== '');
    expect(frames.map((frame) => frame.match(/ (\d+)\/100 /)?.[1])).toEqual(['10', '30', '100']);
    expect(written.endsWith('\n')).toBe(true);
  });

  it('writes plain lines every interval when not on a terminal', () => {
    let now = 0;
    let written = '';
    const reporter = new BackfillProgressReporter(
      { write: (text: string) => (written += text), isTTY: false },
      { total: null, now: () => now, plainIntervalMs: 5000 },
    );
    reporter.update(progress(10));
    now = 4000;
    reporter.update(progress(20));
    now = 5000;
    reporter.update(progress(30));
    expect(written.split('\n').filter(Boolean)).toHaveLength(2);
    expect(written).not.toContain('\r');
  });
});
