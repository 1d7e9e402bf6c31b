import type { Logger } from '@nestjs/common';

/**
 * Runs `work` every interval, never two runs at once: a tick while a run is in progress is
 * skipped, and `run()` joins the run in progress. A failed run is logged; the next tick tries again.
 * The sweepers (expiry, needsSync) are built on it. `onRunEnd` is called after every run, whether
 * it succeeded or failed (the sweepers publish a heartbeat from it: their loop is alive).
 */
export class PeriodicTask<T> {
  private timer?: NodeJS.Timeout;
  private running?: Promise<T>;

  constructor(
    private readonly name: string,
    private readonly work: () => Promise<T>,
    private readonly logger: Logger,
    private readonly onRunEnd?: () => void,
  ) {}

  start(intervalMs: number): void {
    this.timer = setInterval(() => void this.tick(), intervalMs);
    // A sweeper alone never keeps the process alive.
    this.timer.unref();
  }

  /** Stops the timer and waits for a run in progress to finish. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running?.catch(() => undefined);
  }

  /** Runs now, or joins the run already in progress. */
  run(): Promise<T> {
    this.running ??= this.work().finally(() => {
      this.running = undefined;
      this.onRunEnd?.();
    });
    return this.running;
  }

  private async tick(): Promise<void> {
    if (this.running) return;
    try {
      await this.run();
    } catch (error) {
      this.logger.error(`${this.name} failed: ${(error as Error)?.message ?? String(error)}`);
    }
  }
}
