import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  AdmissionQueueFullError,
  RequestDeadlineExceededError,
} from '../common/errors/domain-errors';
import { loadConfig } from '../config/app-config';
import { AdmissionControl } from './admission-control';

function admissionControl(concurrency: number, queueLimit = 1000): AdmissionControl {
  return new AdmissionControl(
    loadConfig({
      HOT_VARIANT_CONCURRENCY: String(concurrency),
      ADMISSION_QUEUE_LIMIT: String(queueLimit),
    }),
  );
}

/** A task that runs until the test lets it finish, recording that it started. */
function heldTask(started: string[], name: string) {
  let finish!: () => void;
  const done = new Promise<void>((resolve) => (finish = resolve));
  return {
    work: async () => {
      started.push(name);
      await done;
      return name;
    },
    finish: () => finish(),
  };
}

/** Lets every pending promise continuation run (no timers move). */
const settle = () => vi.advanceTimersByTimeAsync(0);

describe('AdmissionControl', () => {
  beforeEach(() => {
    // Fakes setTimeout and performance.now together, so deadlines move only when the test says.
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  const far = () => performance.now() + 60_000;

  it('runs at most the configured number of tasks per key at once, in arrival order', async () => {
    const admission = admissionControl(2);
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
    const all = Promise.all(
      Array.from({ length: 10 }, (_, i) => admission.run('hot', far(), task(i))),
    );
    await vi.advanceTimersByTimeAsync(100);
    expect(await all).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(peak).toBe(2);
    expect(order.slice(2)).toEqual([2, 3, 4, 5, 6, 7, 8, 9]);
    expect(admission.queued).toBe(0);
  });

  it('keeps separate lanes per key and frees the slot when a task throws', async () => {
    const admission = admissionControl(1);
    await expect(
      admission.run('a', far(), async () => Promise.reject(new Error('boom'))),
    ).rejects.toThrow('boom');
    const both = await Promise.all([
      admission.run('a', far(), async () => 'a'),
      admission.run('b', far(), async () => 'b'),
    ]);
    expect(both).toEqual(['a', 'b']);
  });

  it('sets no timer for a request that finds a free slot', async () => {
    const admission = admissionControl(1);
    const started: string[] = [];
    const first = heldTask(started, 'first');
    const running = admission.run('hot', far(), first.work);
    await settle();
    expect(started).toEqual(['first']);
    expect(vi.getTimerCount()).toBe(0);
    first.finish();
    await running;
  });

  it('refuses at once, without running the work, when the queue is full', async () => {
    const admission = admissionControl(1, 2);
    const started: string[] = [];
    const tasks = ['running', 'queued 1', 'queued 2', 'overflow'].map((name) =>
      heldTask(started, name),
    );
    const outcomes = tasks.map((task) =>
      admission.run('hot', far(), task.work).then(
        (value) => value,
        (error: unknown) => error,
      ),
    );
    await settle();
    expect(admission.queued).toBe(2);
    const overflow = await outcomes[3];
    expect(overflow).toBeInstanceOf(AdmissionQueueFullError);
    expect((overflow as AdmissionQueueFullError).headers['Retry-After']).toBe('1');

    for (const task of tasks) task.finish();
    await vi.advanceTimersByTimeAsync(0);
    expect(await Promise.all(outcomes.slice(0, 3))).toEqual(['running', 'queued 1', 'queued 2']);
    expect(started).toEqual(['running', 'queued 1', 'queued 2']);
  });

  it('with ADMISSION_QUEUE_LIMIT=0, refuses every request that would have to wait', async () => {
    const admission = admissionControl(1, 0);
    const started: string[] = [];
    const first = heldTask(started, 'first');
    const running = admission.run('hot', far(), first.work);
    await expect(admission.run('hot', far(), async () => 'second')).rejects.toBeInstanceOf(
      AdmissionQueueFullError,
    );
    first.finish();
    await running;
  });

  it('drops a waiter at its deadline, never runs its work, and keeps the others in order', async () => {
    const admission = admissionControl(1);
    const started: string[] = [];
    const holder = heldTask(started, 'holder');
    const early = heldTask(started, 'early deadline');
    const second = heldTask(started, 'second');
    const third = heldTask(started, 'third');
    const now = performance.now();

    const holding = admission.run('hot', now + 10_000, holder.work);
    const timedOut = admission.run('hot', now + 100, early.work).catch((error: unknown) => error);
    const secondRun = admission.run('hot', now + 10_000, second.work);
    const thirdRun = admission.run('hot', now + 10_000, third.work);
    await settle();
    expect(admission.queued).toBe(3);

    await vi.advanceTimersByTimeAsync(99);
    expect(admission.queued).toBe(3);
    await vi.advanceTimersByTimeAsync(1);
    const error = await timedOut;
    expect(error).toBeInstanceOf(RequestDeadlineExceededError);
    expect(error).toMatchObject({ statusCode: 503, code: 'SERVICE_UNAVAILABLE' });
    expect((error as RequestDeadlineExceededError).headers['Retry-After']).toBe('1');
    expect(admission.queued).toBe(2);

    // The slot goes to the others, in arrival order; the dropped waiter's work never starts.
    holder.finish();
    await settle();
    expect(started).toEqual(['holder', 'second']);
    second.finish();
    await settle();
    third.finish();
    expect([await holding, await secondRun, await thirdRun]).toEqual(['holder', 'second', 'third']);
    expect(started).toEqual(['holder', 'second', 'third']);
    expect(admission.queued).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('refuses a request whose deadline has already passed when it would have to wait', async () => {
    const admission = admissionControl(1);
    const started: string[] = [];
    const holder = heldTask(started, 'holder');
    const holding = admission.run('hot', far(), holder.work);
    await expect(
      admission.run('hot', performance.now() - 1, async () => 'late'),
    ).rejects.toBeInstanceOf(RequestDeadlineExceededError);
    expect(admission.queued).toBe(0);
    holder.finish();
    await holding;
  });

  it('clears the timer of a waiter that gets its slot in time', async () => {
    const admission = admissionControl(1);
    const started: string[] = [];
    const holder = heldTask(started, 'holder');
    const holding = admission.run('hot', far(), holder.work);
    const waiting = admission.run('hot', far(), async () => 'waited');
    await settle();
    expect(vi.getTimerCount()).toBe(1);
    holder.finish();
    expect(await waiting).toBe('waited');
    await holding;
    expect(vi.getTimerCount()).toBe(0);
  });
});
