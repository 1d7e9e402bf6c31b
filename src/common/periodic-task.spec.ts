import { Logger } from '@nestjs/common';
import { describe, expect, it, vi } from 'vitest';
import { PeriodicTask } from './periodic-task';

describe('PeriodicTask', () => {
  it('never runs twice at once: run() joins the run in progress', async () => {
    let release!: () => void;
    let runs = 0;
    const task = new PeriodicTask(
      'test',
      async () => {
        runs += 1;
        await new Promise<void>((resolve) => (release = resolve));
        return runs;
      },
      new Logger('test'),
    );
    const first = task.run();
    const second = task.run();
    release();
    expect(await first).toBe(1);
    expect(await second).toBe(1);
    expect(runs).toBe(1);
    const third = task.run();
    release();
    expect(await third).toBe(2);
  });

  it('logs a failed tick and runs again on the next one; stop waits for the run in progress', async () => {
    const logger = new Logger('test');
    const error = vi.spyOn(logger, 'error').mockImplementation(() => undefined);
    let calls = 0;
    const task = new PeriodicTask(
      'flaky sweep',
      async () => {
        calls += 1;
        if (calls === 1) throw new Error('boom');
        return calls;
      },
      logger,
    );
    task.start(10);
    await vi.waitFor(() => expect(calls).toBeGreaterThanOrEqual(2), { timeout: 2000 });
    await task.stop();
    const after = calls;
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(calls).toBe(after);
    expect(error).toHaveBeenCalledWith('flaky sweep failed: boom');
  });

  it('reports the end of every run, failed or not (the sweepers heartbeat from it)', async () => {
    const logger = new Logger('test');
    vi.spyOn(logger, 'error').mockImplementation(() => undefined);
    const ends: number[] = [];
    let calls = 0;
    const task = new PeriodicTask(
      'heartbeat',
      async () => {
        calls += 1;
        if (calls === 2) throw new Error('store unreachable');
        return calls;
      },
      logger,
      () => ends.push(calls),
    );
    await task.run();
    await expect(task.run()).rejects.toThrow('store unreachable');
    await task.run();
    expect(ends).toEqual([1, 2, 3]);
  });
});
