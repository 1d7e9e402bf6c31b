/**
 * Preloaded into a benchmarked service (`node --expose-gc --require <this> dist/main.js`), never
 * part of it: on SIGWINCH it runs full garbage collections and writes the process's memory figures
 * to STOCKHOLD_BENCH_MEMORY_FILE, so the bench reads the service's live memory, not the garbage
 * its last requests left behind. SIGWINCH because its default action is to do nothing and the
 * service does not use it (its stdout is a file, not a terminal); SIGUSR2, the usual choice, is one
 * of the signals Nest's shutdown hooks stop the app on.
 */
import { writeFileSync } from 'node:fs';

/** What the probe writes: process.memoryUsage() after the collections, and a running count. */
export interface MemoryReading {
  /** 1 for the first reading of this process, then 2, 3, … (the bench waits for a new one). */
  sequence: number;
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  arrayBuffers: number;
}

const target = process.env.STOCKHOLD_BENCH_MEMORY_FILE;
const collect = (globalThis as { gc?: () => void }).gc;
let sequence = 0;

if (target && collect) {
  process.on('SIGWINCH', () => {
    // Two passes a turn apart: the first frees objects whose finalisers the second can collect.
    collect();
    setImmediate(() => {
      collect();
      sequence += 1;
      const reading: MemoryReading = { sequence, ...process.memoryUsage() };
      writeFileSync(target, JSON.stringify(reading));
    });
  });
}
