/**
 * `npm run bench:streams`: what live availability streams cost the service. Starts the built
 * service (in-memory store, its own redis-server), measures its memory after forced garbage
 * collections with no stream open, opens N Server-Sent Events streams on one variant (default
 * 1,000) and measures again; then drives stock changes — some spaced past LIVE_COALESCE_MS (each
 * goes out at once), some in bursts inside one window (merged into one message) — and reports the
 * delay from each change to each stream receiving it, raw and net of the coalescing hold, and
 * every message a stream missed (must be 0). Options: STREAMS_USAGE in streams-report.ts.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AdminApi, tokenSigner } from './api';
import type { MemoryReading } from './memory-probe';
import { BenchRedis, BenchService } from './processes';
import { SseFleet } from './sse-fleet';
import { summarizeLatencies } from './stats';
import {
  fanOut,
  formatStreamsReport,
  parseStreamsOptions,
  STREAMS_USAGE,
  type ExpectedMessage,
  type MemoryFigures,
  type StreamsReport,
} from './streams-report';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** Past the coalescing window before the next change, so the window is quiet again. */
const QUIET_MARGIN_MS = 50;
/** How long every stream may take to receive a message before it counts as missed. */
const DELIVERY_TIMEOUT_MS = 10_000;
/** Stock changes before the baseline: they warm the change path up. */
const WARM_CHANGES = 10;

/** Forces garbage collections in the service (the preloaded probe) and reads its memory. */
async function settledMemory(service: BenchService, file: string): Promise<MemoryFigures> {
  const previous = existsSync(file)
    ? (JSON.parse(readFileSync(file, 'utf8')) as MemoryReading).sequence
    : 0;
  service.signal('SIGWINCH');
  const deadline = Date.now() + 10_000;
  for (;;) {
    await sleep(50);
    if (existsSync(file)) {
      const reading = JSON.parse(readFileSync(file, 'utf8')) as MemoryReading;
      if (reading.sequence > previous) {
        return {
          rss: service.residentBytes() ?? reading.rss,
          heapUsed: reading.heapUsed,
          heapTotal: reading.heapTotal,
          external: reading.external,
        };
      }
    }
    if (Date.now() > deadline) throw new Error('the memory probe did not answer SIGWINCH');
  }
}

async function liveMessages(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return Number(/^stockhold_live_messages_total (\S+)$/m.exec(text)?.[1] ?? 0);
}

async function main(): Promise<number> {
  const parsed = parseStreamsOptions(process.argv.slice(2));
  if (parsed === 'help') {
    process.stdout.write(STREAMS_USAGE);
    return 0;
  }
  const options = parsed;
  const secret = randomBytes(32).toString('hex');
  const sign = tokenSigner(secret);
  const workDir = mkdtempSync(join(tmpdir(), 'stockhold-streams-'));
  const memoryFile = join(workDir, 'memory.json');
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
      LIVE_COALESCE_MS: String(options.coalesceMs),
      STOCKHOLD_BENCH_MEMORY_FILE: memoryFile,
    },
    nodeArgs: ['--expose-gc', '--require', join(__dirname, 'memory-probe.js')],
    logFile: join(workDir, 'service.log'),
  });
  const { hostname, port } = new URL(service.url);
  const adminToken = sign('bench-admin', true);
  const api = new AdminApi(service.url, adminToken);
  let fleet: SseFleet | undefined;
  try {
    const variantId = await api.createVariant(`STREAMS-${Date.now()}`, 1000);
    const change = async (): Promise<{ version: number; sentAt: number; answeredAt: number }> => {
      const sentAt = performance.now();
      const response = await fetch(`${service.url}/v1/admin/variants/${variantId}/stock`, {
        method: 'PATCH',
        headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ delta: 1 }),
      });
      const body = (await response.json()) as { version: number };
      if (!response.ok) throw new Error(`stock change → ${response.status}`);
      return { version: body.version, sentAt, answeredAt: performance.now() };
    };
    // Warms the paths the measured part uses, so the baseline has their code and caches; the
    // last changes' round trips are the admin request's own cost, with no stream to write to.
    const quietRoundTrips: number[] = [];
    for (let i = 0; i < WARM_CHANGES; i++) {
      const made = await change();
      if (i >= WARM_CHANGES / 2) quietRoundTrips.push(made.answeredAt - made.sentAt);
    }
    await api.inventory(variantId);
    await liveMessages(service.url);
    const baseline = await settledMemory(service, memoryFile);

    const clients = new SseFleet({
      host: hostname,
      port: Number(port),
      path: `/v1/inventory/${variantId}/stream`,
      authorization: `Bearer ${sign('bench-watcher')}`,
    });
    fleet = clients;
    const openedAt = performance.now();
    await clients.open(options.streams);
    const openSeconds = (performance.now() - openedAt) / 1000;
    const open = await settledMemory(service, memoryFile);

    const expected: ExpectedMessage[] = [];
    // Round trips of the changes whose message went out at once (written to every stream before
    // the answer), and of the ones the coalescing window held back.
    const roundTrips = { immediate: [] as number[], held: [] as number[] };
    const messagesBefore = await liveMessages(service.url);
    const cpuBefore = service.cpuTimeMs();
    const clientCpuBefore = process.cpuUsage();
    let missedWaits = 0;
    const deliver = async (message: ExpectedMessage) => {
      expected.push(message);
      if (!(await clients.waitForAll(message.version, DELIVERY_TIMEOUT_MS))) missedWaits += 1;
      await sleep(options.coalesceMs + QUIET_MARGIN_MS);
    };
    for (let i = 0; i < options.changes; i++) {
      const made = await change();
      roundTrips.immediate.push(made.answeredAt - made.sentAt);
      await deliver({ version: made.version, kind: 'spaced', changeSentAt: made.sentAt });
    }
    for (let i = 0; i < options.bursts; i++) {
      const made = [];
      for (let j = 0; j < options.burstSize; j++) made.push(await change());
      made.forEach((one, index) =>
        roundTrips[index === 0 ? 'immediate' : 'held'].push(one.answeredAt - one.sentAt),
      );
      const [head, last] = [made[0], made[made.length - 1]];
      expected.push({ version: head.version, kind: 'burst-first', changeSentAt: head.sentAt });
      await deliver({
        version: last.version,
        kind: 'burst-final',
        changeSentAt: last.sentAt,
        holdUntil: head.sentAt + options.coalesceMs,
      });
    }
    const cpuAfter = service.cpuTimeMs();
    const clientCpu = process.cpuUsage(clientCpuBefore);
    const messagesCounted = (await liveMessages(service.url)) - messagesBefore;
    const afterChanges = await settledMemory(service, memoryFile);

    const delivered = expected.length * options.streams;
    const report: StreamsReport = {
      options,
      memory: { baseline, open, afterChanges },
      openSeconds,
      fanOut: fanOut(expected, clients.receipts),
      messagesExpected: delivered,
      messagesCounted,
      serviceCpuMicrosPerMessage:
        cpuBefore === undefined || cpuAfter === undefined
          ? undefined
          : ((cpuAfter - cpuBefore) * 1000) / delivered,
      clientCpuMicrosPerMessage: (clientCpu.user + clientCpu.system) / delivered,
      changeRoundTrip: {
        noStreams: summarizeLatencies(quietRoundTrips),
        immediate: summarizeLatencies(roundTrips.immediate),
        held: summarizeLatencies(roundTrips.held),
      },
    };
    process.stdout.write(`${formatStreamsReport(report)}\n`);
    const outDir = join(process.cwd(), 'bench-results');
    mkdirSync(outDir, { recursive: true });
    const file = join(outDir, `streams-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
    writeFileSync(file, `${JSON.stringify({ ...report, node: process.version }, null, 2)}\n`);
    process.stdout.write(`results: ${file}\n`);
    const lost = report.fanOut.missed + report.fanOut.finalMissing + missedWaits;
    if (lost > 0 || clients.closedEarly > 0) {
      process.stderr.write(
        `lost messages or streams: ${lost} missed, ${clients.closedEarly} closed\n`,
      );
      return 1;
    }
    return 0;
  } catch (error) {
    await sleep(500);
    if (service.exit) throw new Error(`the service exited (${service.exit}): ${String(error)}`);
    throw error;
  } finally {
    fleet?.close();
    await service.stop();
    await redis.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    const cause = (error as Error)?.cause;
    process.stderr.write(
      `${(error as Error)?.stack ?? String(error)}${cause ? `\ncause: ${String(cause)}` : ''}\n`,
    );
    process.exit(1);
  },
);
