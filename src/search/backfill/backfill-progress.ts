import type { BackfillProgress } from './backfill-engine';

/** The stream progress goes to (stderr: stdout stays for the summary). */
export interface ProgressOutput {
  write(text: string): unknown;
  isTTY?: boolean;
}

export interface ProgressOptions {
  /** Variants in the store, when the store can count them; null shows processed and rate only. */
  total: number | null;
  /** Milliseconds on a monotonic clock. */
  now?: () => number;
  /** Between plain lines when the output is not a terminal. */
  plainIntervalMs?: number;
}

const BAR_WIDTH = 24;
/** Redrawing a terminal line faster than this only costs CPU. */
const REDRAW_MS = 100;
const numberFormat = new Intl.NumberFormat('en-US');

/**
 * On a terminal: one line redrawn in place — a bar with processed/total, rate and ETA (or, with no
 * total, processed, rate and elapsed time). Elsewhere (CI logs, files): a plain line every few
 * seconds, since carriage returns would only garble a log.
 */
export class BackfillProgressReporter {
  private readonly now: () => number;
  private readonly plainIntervalMs: number;
  private readonly startedAt: number;
  private lastDrawnAt = Number.NEGATIVE_INFINITY;
  private drawn = false;

  constructor(
    private readonly out: ProgressOutput,
    private readonly options: ProgressOptions,
  ) {
    this.now = options.now ?? (() => performance.now());
    this.plainIntervalMs = options.plainIntervalMs ?? 5000;
    this.startedAt = this.now();
  }

  update(progress: BackfillProgress): void {
    const now = this.now();
    const interval = this.out.isTTY ? REDRAW_MS : this.plainIntervalMs;
    if (now - this.lastDrawnAt < interval) return;
    this.lastDrawnAt = now;
    this.draw(progress, now);
  }

  /** Draws the final state and ends the terminal line, so what follows starts on its own line. */
  finish(progress: BackfillProgress | null): void {
    if (progress && (progress.processedThisRun > 0 || this.drawn)) this.draw(progress, this.now());
    if (this.out.isTTY && this.drawn) this.out.write('\n');
  }

  private draw(progress: BackfillProgress, now: number): void {
    const line = formatProgress(progress, this.options.total, (now - this.startedAt) / 1000);
    this.out.write(this.out.isTTY ? `\r\x1b[2K${line}` : `${line}\n`);
    this.drawn = true;
  }
}

/** One progress line. Rate counts this run only, so a resumed run's ETA is not skewed. */
export function formatProgress(
  progress: BackfillProgress,
  total: number | null,
  elapsedSeconds: number,
): string {
  const rate = elapsedSeconds > 0 ? progress.processedThisRun / elapsedSeconds : 0;
  const rateText = `${numberFormat.format(Math.round(rate))}/s`;
  if (total === null) {
    return `backfill ${numberFormat.format(progress.processed)} variants · ${rateText} · ${formatDuration(elapsedSeconds)} elapsed`;
  }
  // Variants created during the walk can push processed past the count taken at the start.
  const shownTotal = Math.max(total, progress.processed);
  const fraction = shownTotal === 0 ? 1 : progress.processed / shownTotal;
  const filled = Math.round(fraction * BAR_WIDTH);
  const bar = `${'█'.repeat(filled)}${'░'.repeat(BAR_WIDTH - filled)}`;
  const eta = rate > 0 ? formatDuration((shownTotal - progress.processed) / rate) : '--:--';
  return (
    `backfill [${bar}] ${(fraction * 100).toFixed(1)}% ` +
    `${numberFormat.format(progress.processed)}/${numberFormat.format(shownTotal)} · ${rateText} · ETA ${eta}`
  );
}

/** 75 → "1:15", 3725 → "1:02:05". */
export function formatDuration(seconds: number): string {
  const whole = Math.max(0, Math.round(seconds));
  const hours = Math.floor(whole / 3600);
  const minutes = Math.floor((whole % 3600) / 60);
  const secs = String(whole % 60).padStart(2, '0');
  return hours > 0 ? `${hours}:${String(minutes).padStart(2, '0')}:${secs}` : `${minutes}:${secs}`;
}
