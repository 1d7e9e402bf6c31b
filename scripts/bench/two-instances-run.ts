/**
 * Runs the two-instance scenario (two-instances.ts): per run, fresh instances on one Redis and
 * one store, a warm-up stampede on a variant of its own, then the sale of a last unit through A
 * and the measured stampede split between A and B.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AdminApi, shopperAuthorizations } from './api';
import { runLoad, type RequestShape } from './load';
import { BenchRedis, BenchService, freePort } from './processes';
import {
  formatTwoInstanceReport,
  instanceResult,
  readCounters,
  type InstanceCounters,
  type TwoInstancePlan,
  type TwoInstanceResult,
  type TwoInstanceRun,
} from './two-instances';

/** Retrying shoppers in the stampede, as in the single-instance sold-out scenario. */
const RETRYING_SHOPPERS = 500;

export interface TwoInstanceContext {
  plan: TwoInstancePlan;
  repoRoot: string;
  workDir: string;
  outDir: string;
  stamp: string;
  baseEnv: Record<string, string>;
  secret: string;
  sign: (sub: string, admin?: boolean) => string;
  keepLogs: boolean;
  mongodbUri?: string;
}

/** The two instances of one run: A and B's URLs, and the process(es) behind them. */
interface Instances {
  urls: [string, string];
  stop: () => Promise<void>;
}

async function startInstances(
  context: TwoInstanceContext,
  env: Record<string, string>,
  label: string,
): Promise<Instances> {
  const { repoRoot, workDir, plan } = context;
  if (plan.store === 'mongodb') {
    // Two `node dist/main.js` on the one MongoDB: the deployment shape.
    const services: BenchService[] = [];
    try {
      for (const name of ['a', 'b']) {
        services.push(
          await BenchService.start({
            repoRoot,
            env: { ...env, STORE: 'mongodb', MONGODB_URI: context.mongodbUri! },
            logFile: join(workDir, `${label}-${name}.log`),
          }),
        );
      }
    } catch (error) {
      await Promise.all(services.map((service) => service.stop()));
      throw error;
    }
    return {
      urls: [services[0].url, services[1].url],
      stop: async () => void (await Promise.all(services.map((service) => service.stop()))),
    };
  }
  // One process, two app instances on one in-memory store (twin-service.ts says why).
  const secondPort = await freePort();
  const twin = await BenchService.start({
    repoRoot,
    entry: join(__dirname, 'twin-service.js'),
    env: { ...env, TWIN_SECOND_PORT: String(secondPort) },
    logFile: join(workDir, `${label}.log`),
  });
  return { urls: [twin.url, `http://127.0.0.1:${secondPort}`], stop: () => twin.stop() };
}

async function counters(url: string): Promise<InstanceCounters> {
  const response = await fetch(`${url}/metrics`);
  if (!response.ok) throw new Error(`GET ${url}/metrics → ${response.status}`);
  return readCounters(await response.text());
}

/**
 * Retrying shoppers in turn, one request built at a time. A fixed list (`cycle`) would be cheaper
 * per request, but autocannon builds it for every connection before the first request goes out:
 * about a second here, longer than the sold-out gate's TTL, and the stampede must start within
 * milliseconds of the sale.
 */
function stampede(variantId: string, shoppers: string[]): () => RequestShape {
  const body = JSON.stringify({ variantId, quantity: 1 });
  let next = 0;
  return () => {
    const authorization = shoppers[next];
    next = (next + 1) % shoppers.length;
    return {
      method: 'POST',
      path: '/v1/reservations',
      headers: { 'content-type': 'application/json', authorization },
      body,
    };
  };
}

/**
 * A stampede on both instances at once, `seconds` long: the outcomes of A and B, and when the
 * load generators had started (performance.now(), the later of the two).
 */
async function splitLoad(
  plan: TwoInstancePlan,
  urls: [string, string],
  next: () => RequestShape,
  seconds: number,
) {
  const started: number[] = [];
  const outcomes = await Promise.all(
    urls.map((url, index) =>
      runLoad({
        url,
        connections: plan.connections[index],
        warmupSeconds: 0,
        seconds,
        requests: { next },
        expectedStatuses: [409],
        onWindow: (edge) => {
          if (edge === 'open') started.push(performance.now());
        },
      }),
    ),
  );
  return { outcomes, startedAt: Math.max(...started) };
}

async function measureRun(
  context: TwoInstanceContext,
  run: TwoInstanceRun,
  tag: string,
): Promise<TwoInstanceResult> {
  const { plan, sign } = context;
  const label = `two-instances-${run.id}-round-${run.round + 1}`;
  const instances = await startInstances(
    context,
    { ...context.baseEnv, JWT_SECRET: context.secret, ...run.env },
    label,
  );
  try {
    const [a, b] = instances.urls;
    const api = new AdminApi(a, sign('bench-admin', true));
    const shoppers = shopperAuthorizations(sign, `${tag}-retry`, RETRYING_SHOPPERS);

    // Warm-up on a variant of its own (already sold out), so both instances run optimised code.
    const warmVariant = await api.createVariant(`${tag}-warm`, 0);
    await splitLoad(plan, instances.urls, stampede(warmVariant, shoppers), plan.warmupSeconds);

    const variantId = await api.createVariant(`${tag}-last`, 1);
    const held = await fetch(`${a}/v1/reservations`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${sign(`${tag}-last-buyer`)}`,
      },
      body: JSON.stringify({ variantId, quantity: 1 }),
    });
    if (held.status !== 201)
      throw new Error(`the last unit was not held through A: ${held.status}`);
    const soldAt = performance.now();
    const atSale = await Promise.all([counters(a), counters(b)]);
    const load = splitLoad(
      plan,
      instances.urls,
      stampede(variantId, shoppers),
      plan.durationSeconds,
    );
    await new Promise((resolve) =>
      setTimeout(resolve, soldAt + plan.earlyReadMs - performance.now()),
    );
    const early = await Promise.all([counters(a), counters(b)]);
    const earlyReadAt = performance.now() - soldAt;
    const { outcomes, startedAt } = await load;
    const end = await Promise.all([counters(a), counters(b)]);

    const problems: string[] = [];
    const startDelay = startedAt - soldAt;
    // The bus's effect lies within the gate's TTL after the sale; a late stampede would miss it.
    if (startDelay > plan.earlyReadMs / 2 || earlyReadAt > plan.earlyReadMs * 1.5) {
      problems.push(
        `timing: the stampede started ${startDelay.toFixed(0)} ms and the early read came ` +
          `${earlyReadAt.toFixed(0)} ms after the sale`,
      );
    }
    const results = outcomes.map((outcome, index) => {
      const soldOut = outcome.allStatusCounts.get(409) ?? 0;
      let other = outcome.socketErrors + outcome.timeouts;
      for (const [status, count] of outcome.allStatusCounts) if (status !== 409) other += count;
      const name = index === 0 ? 'A' : 'B';
      if (other > 0) problems.push(`${name}: ${other} answers other than 409`);
      return instanceResult(
        name,
        { atSale: atSale[index], early: early[index], end: end[index] },
        {
          soldOut,
          other,
          elapsedSeconds: outcome.elapsedSeconds,
          earlySeconds: plan.earlyReadMs / 1000,
        },
      );
    }) as [ReturnType<typeof instanceResult>, ReturnType<typeof instanceResult>];
    const inventory = await api.inventory(variantId);
    if (inventory.reservedStock !== 1 || inventory.availableStock !== 0) {
      problems.push(
        `stock after the run: ${inventory.reservedStock} reserved, ${inventory.availableStock} available (expected 1 and 0)`,
      );
    }
    return { run, instances: results, startDelayMs: startDelay, problems };
  } finally {
    await instances.stop();
    if (!context.keepLogs) {
      for (const suffix of ['', '-a', '-b']) {
        rmSync(join(context.workDir, `${label}${suffix}.log`), { force: true });
      }
    }
  }
}

/** Every run of the plan; prints the table and writes the JSON. Exit code 1 on any problem. */
export async function runTwoInstances(context: TwoInstanceContext): Promise<number> {
  const { plan } = context;
  const redis = await BenchRedis.start();
  const results: TwoInstanceResult[] = [];
  process.stdout.write(
    `stockhold bench, two instances: ${plan.runs.length} runs of ${plan.warmupSeconds} s warm-up + ` +
      `${plan.durationSeconds} s at ${plan.connections[0]} + ${plan.connections[1]} connections; store: ` +
      `${plan.store === 'mongodb' ? 'MongoDB (MONGODB_URI), one process per instance' : 'in-memory, both instances in one process (no MONGODB_URI)'}\n`,
  );
  try {
    for (const [index, run] of plan.runs.entries()) {
      await redis.flush();
      const tag = `t${Date.now().toString(36)}-${index}`;
      const result = await measureRun(
        { ...context, baseEnv: { ...context.baseEnv, REDIS_URL: redis.url } },
        run,
        tag,
      );
      results.push(result);
      const [a, b] = result.instances;
      process.stdout.write(
        `[${index + 1}/${plan.runs.length}] ${run.id}: store calls A ${a.storeCalls} B ${b.storeCalls} ` +
          `(first 0.5 s: A ${a.storeCallsEarly} B ${b.storeCallsEarly}) for ` +
          `${a.soldOutAnswers} + ${b.soldOutAnswers} sold-out answers, stampede ` +
          `${result.startDelayMs.toFixed(0)} ms after the sale` +
          `${result.problems.length ? ` — ${result.problems.join('; ')}` : ''}\n`,
      );
    }
  } finally {
    await redis.stop();
  }
  process.stdout.write(
    `\nStore calls per sold-out request, the last unit held through A, then ${plan.durationSeconds} s ` +
      `of retrying shoppers on both (store calls: reserve calls${plan.store === 'mongodb' ? ' + transaction retries' : ''}):\n` +
      `${formatTwoInstanceReport(results)}\n`,
  );
  mkdirSync(context.outDir, { recursive: true });
  const file = join(context.outDir, `two-instances-${context.stamp}.json`);
  writeFileSync(file, `${JSON.stringify({ plan, results }, null, 2)}\n`);
  process.stdout.write(`results: ${file}\n`);
  return results.some((result) => result.problems.length > 0) ? 1 : 0;
}
