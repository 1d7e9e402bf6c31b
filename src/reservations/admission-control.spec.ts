import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config/app-config';
import { AdmissionControl } from './admission-control';

describe('AdmissionControl', () => {
  it('runs at most the configured number of tasks per key at once, in arrival order', async () => {
    const admission = new AdmissionControl(loadConfig({ HOT_VARIANT_CONCURRENCY: '2' }));
    let running = 0;
    let peak = 0;
    const order: number[] = [];
    const task = (i: number) => async () => {
      running += 1;
      peak = Math.max(peak, running);
      await new Promise((resolve) => setTimeout(resolve, 5));
      order.push(i);
      running -= 1;
      return i;
    };
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => admission.run('hot', task(i))),
    );
    expect(results).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(peak).toBe(2);
    expect(order.slice(2)).toEqual([2, 3, 4, 5, 6, 7, 8, 9]);
    expect(admission.queued).toBe(0);
  });

  it('keeps separate lanes per key and frees the slot when a task throws', async () => {
    const admission = new AdmissionControl(loadConfig({ HOT_VARIANT_CONCURRENCY: '1' }));
    await expect(admission.run('a', async () => Promise.reject(new Error('boom')))).rejects.toThrow(
      'boom',
    );
    const both = await Promise.all([
      admission.run('a', async () => 'a'),
      admission.run('b', async () => 'b'),
    ]);
    expect(both).toEqual(['a', 'b']);
  });
});
