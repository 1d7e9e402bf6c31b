/**
 * `npm run bench:streams -- [--streams N] [--changes K]`: the cost of live availability streams.
 * Starts the built service (in-memory store, its own redis-server), opens N streams (default
 * 1,000) on one variant, and prints the service's heap and RSS growth per open stream; then makes
 * K stock changes (default 20), spaced past LIVE_COALESCE_MS so none is merged, and prints the
 * p50/p99 delay from sending the change to each stream receiving it (N × K samples).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { openSse, type SseClient } from '../../test/helpers/sse-client';
import { AdminApi, tokenSigner } from './api';
import { BenchRedis, BenchService } from './processes';
import { percentile } from './stats';

const COALESCE_MS = 250;

async function memory(url: string): Promise<{ rss: number; heap: number }> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const read = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1]);
  return {
    rss: read('stockhold_process_resident_memory_bytes'),
    heap: read('stockhold_nodejs_heap_size_used_bytes'),
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      streams: { type: 'string', default: '1000' },
      changes: { type: 'string', default: '20' },
    },
  });
  const streamCount = Number(values.streams);
  const changes = Number(values.changes);
  if (!Number.isInteger(streamCount) || streamCount < 1) throw new Error('--streams must be ≥ 1');
  if (!Number.isInteger(changes) || changes < 1) throw new Error('--changes must be ≥ 1');

  const secret = randomBytes(32).toString('hex');
  const sign = tokenSigner(secret);
  const redis = await BenchRedis.start();
  const service = await BenchService.start({
    repoRoot: process.cwd(),
    env: {
      NODE_ENV: 'production',
      STORE: 'memory',
      ALLOW_MEMORY_STORE_IN_PRODUCTION: 'true',
      WORKERS: 'off',
      REDIS_URL: redis.url,
      JWT_SECRET: secret,
      LOG_LEVEL: 'warn',
      GLOBAL_RATE_LIMIT: '1000000000',
      LIVE_COALESCE_MS: String(COALESCE_MS),
    },
    logFile: join(mkdtempSync(join(tmpdir(), 'stockhold-streams-')), 'service.log'),
  });
  const clients: SseClient[] = [];
  try {
    const api = new AdminApi(service.url, sign('bench-admin', true));
    const variantId = await api.createVariant(`STREAMS-${Date.now()}`, 1000);
    await sleep(500);
    const before = await memory(service.url);

    const authorization = `Bearer ${sign('bench-watcher')}`;
    for (let i = 0; i < streamCount; i += 100) {
      const batch = Array.from({ length: Math.min(100, streamCount - i) }, () =>
        openSse(`${service.url}/v1/inventory/${variantId}/stream`, { authorization }),
      );
      clients.push(...(await Promise.all(batch)));
    }
    await Promise.all(clients.map((client) => client.nthEvent(1, 10_000)));
    if (clients.some((client) => client.status !== 200)) throw new Error('a stream was refused');
    await sleep(1000);
    const after = await memory(service.url);

    const delays: number[] = [];
    for (let change = 1; change <= changes; change++) {
      const sentAt = performance.now();
      await fetch(`${service.url}/v1/admin/variants/${variantId}/stock`, {
        method: 'PATCH',
        headers: {
          authorization: `Bearer ${sign('bench-admin', true)}`,
          'content-type': 'application/json',
        },
        body: JSON.stringify({ delta: 1 }),
      });
      const received = await Promise.all(
        clients.map((client) => client.nthEvent(change + 1, 10_000)),
      );
      for (const event of received) delays.push(event.receivedAt - sentAt);
      await sleep(COALESCE_MS + 50);
    }
    delays.sort((a, b) => a - b);
    const kib = (bytes: number) => (bytes / streamCount / 1024).toFixed(1);
    process.stdout.write(
      `streams: ${streamCount} open on one variant\n` +
        `growth per stream: heap ${kib(after.heap - before.heap)} KiB, RSS ${kib(after.rss - before.rss)} KiB ` +
        '(an upper bound: the heap still holds garbage of the opening requests) ' +
        `(service heap ${(after.heap / 2 ** 20).toFixed(1)} MiB, RSS ${(after.rss / 2 ** 20).toFixed(1)} MiB)\n` +
        `change → message (${delays.length} deliveries, ${changes} changes): ` +
        `p50 ${percentile(delays, 50).toFixed(1)} ms, p99 ${percentile(delays, 99).toFixed(1)} ms, ` +
        `max ${delays[delays.length - 1].toFixed(1)} ms\n`,
    );
  } finally {
    for (const client of clients) client.close();
    await service.stop();
    await redis.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error)?.stack ?? String(error)}\n`);
  process.exit(1);
});
