/**
 * When a failed webhook delivery is tried again (docs/webhooks.md, "Retries"): exponential backoff
 * with "full jitter" on the upper half — attempt n waits a random time between half and all of
 * base·2^(n−1), capped — so receivers coming back from an outage are not hit by every lane at once.
 */
export const MAX_RETRY_DELAY_MS = 10 * 60_000;

export function retryDelayMs(
  failures: number,
  baseMs: number,
  random: () => number = Math.random,
  capMs = MAX_RETRY_DELAY_MS,
): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.min(Math.max(failures - 1, 0), 40));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

/**
 * Whether a failed event is retried or dead-lettered: retried while the time since its first
 * failure is below the bound (WEBHOOK_RETRY_FOR_SECONDS).
 */
export function shouldDeadLetter(firstFailureAtMs: number, nowMs: number, retryForMs: number) {
  return nowMs - firstFailureAtMs >= retryForMs;
}
