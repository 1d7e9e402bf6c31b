/**
 * Runs `check` until it stops throwing (an expect() that passes) and returns its value; after
 * `timeoutMs` the last failure is thrown. For effects that happen in the background (sync jobs).
 */
export async function eventually<T>(
  check: () => Promise<T> | T,
  timeoutMs: number,
  intervalMs = 20,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  }
}

/** A searchable word no other test uses (letters and digits only, so one token). */
let wordCounter = 0;
export function uniqueWord(prefix = 'w'): string {
  wordCounter += 1;
  return `${prefix}${process.pid}x${wordCounter}${Math.random().toString(36).slice(2, 6)}`;
}
