/**
 * `npm run bench`: starts the built service (in-memory store, its own redis-server) once per
 * configuration, measures the live sale, the sold-out path and reads for a fixed time each with
 * autocannon, checks that nothing was oversold, and reports against the targets and each speed-up
 * switched off. Results go to bench-results/ (JSON + HTML).
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, platform, release, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { AdminApi, tokenSigner } from './api';
import { runLoad, type LoadOutcome, type LoadSpec } from './load';
import { buildPlan, runId, scheduleRuns, type BenchPlan, type ScenarioName } from './plan';
import { BenchRedis, BenchService } from './processes';
import { formatProfileSummary, summarizeProfile, type ProfileSummary } from './profile-summary';
import { renderHtml } from './report-html';
import {
  evaluateTargets,
  formatNumber,
  formatPairsTable,
  formatRunsTable,
  formatTargets,
  pairRows,
} from './report-text';
import type { Baseline, BenchReport, MachineInfo, RunResult } from './results';
import { combineRepeats } from './repeats';
import { prepareScenario } from './scenarios';
import { buildTwoInstancePlan, parseInstances } from './two-instances';
import { runTwoInstances } from './two-instances-run';

const USAGE = `Usage: npm run bench -- [--quick] [--duration S] [--connections N] [--only SCENARIOS]
                       [--skip-ab] [--repeat N] [--profile] [--keep-logs] [--env NAME=VALUE ...]
                       [--instances 2]

  --quick          a short smoke run (3 s per run instead of 10)
  --duration S     measured seconds per run
  --connections N  concurrent keep-alive connections (default 100)
  --only LIST      comma-separated: live-sale, sold-out, reads
  --skip-ab        only the defaults, no speed-up switched off
  --repeat N       run everything N times (every other round in reverse order) and report the
                   median round with the range; a single run varies by ±15–20% here
  --profile        run each service under node --cpu-prof and summarise where the time went
  --keep-logs      keep each service's log (one JSON line per request at the default level)
  --env NAME=VALUE extra service environment for every run (repeatable), for what-if runs
  --instances 2    instead of the scenarios above: two API instances on one store and one Redis,
                   the last unit of a variant held through one, then retrying shoppers on both;
                   store calls per sold-out request with the stock bus on and off. The store is
                   MONGODB_URI's when set (one process per instance), else the in-memory store
                   (both instances in one process: separate processes could not share it)
`;

const SCENARIOS: ScenarioName[] = ['live-sale', 'sold-out', 'reads'];

/** Limits far above what the bench sends: it measures the reservation path, not 429s. */
const RAISED_LIMIT = '1000000000';

function parseOptions() {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      duration: { type: 'string' },
      connections: { type: 'string' },
      only: { type: 'string' },
      'skip-ab': { type: 'boolean', default: false },
      repeat: { type: 'string' },
      profile: { type: 'boolean', default: false },
      'keep-logs': { type: 'boolean', default: false },
      env: { type: 'string', multiple: true, default: [] },
      instances: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(USAGE);
    process.exit(0);
  }
  const positive = (raw: string | undefined, name: string) => {
    if (raw === undefined) return undefined;
    const value = Number(raw);
    if (!Number.isInteger(value) || value <= 0)
      throw new Error(`--${name} must be a positive integer`);
    return value;
  };
  const only = values.only?.split(',').map((name) => name.trim()) as ScenarioName[] | undefined;
  const unknown = only?.filter((name) => !SCENARIOS.includes(name));
  if (unknown?.length) throw new Error(`--only: unknown scenario(s) ${unknown.join(', ')}`);
  const extraEnv: Record<string, string> = {};
  for (const pair of values.env) {
    const match = /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(pair);
    if (!match) throw new Error(`--env expects NAME=VALUE, got ${pair}`);
    extraEnv[match[1]] = match[2];
  }
  const instances = parseInstances(values.instances, {
    only: values.only,
    skipAb: values['skip-ab'],
    profile: values.profile,
  });
  return {
    instances,
    quick: values.quick,
    extraEnv,
    durationSeconds: positive(values.duration, 'duration'),
    connections: positive(values.connections, 'connections'),
    only,
    skipAb: values['skip-ab'],
    repeat: positive(values.repeat, 'repeat') ?? 1,
    profile: values.profile,
    keepLogs: values['keep-logs'],
  };
}

function machineInfo(): MachineInfo {
  const cpuList = cpus();
  let cpuModel = cpuList[0]?.model ?? 'unknown';
  try {
    // /proc/cpuinfo names the model where os.cpus() may not (some VMs).
    const line = readFileSync('/proc/cpuinfo', 'utf8')
      .split('\n')
      .find((entry) => entry.startsWith('model name'));
    if (line) cpuModel = line.split(':')[1].trim();
  } catch {
    // Not Linux: os.cpus() is what there is.
  }
  return {
    cpus: cpuList.length,
    cpuModel,
    node: process.version,
    platform: `${platform()} ${release()}`,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
  };
}

const load1 = () => Math.round(loadavg()[0] * 100) / 100;

function readProfiles(directory: string): ProfileSummary[] {
  if (!existsSync(directory)) return [];
  return readdirSync(directory)
    .filter((file) => file.endsWith('.cpuprofile'))
    .map((file) => summarizeProfile(JSON.parse(readFileSync(join(directory, file), 'utf8'))));
}

interface RunContext {
  id: string;
  server: string;
  scenario: ScenarioName;
  env: Record<string, string>;
  api: AdminApi;
  sign: (sub: string) => string;
  tag: string;
  plan: ReturnType<typeof buildPlan>;
}

/** One run: seed, warm up, measure for the fixed duration, then check the stock. */
async function measure(service: BenchService, context: RunContext): Promise<RunResult> {
  const { plan } = context;
  const prepared = await prepareScenario(context.scenario, {
    api: context.api,
    sign: context.sign,
    tag: context.tag,
    seconds: plan.warmupSeconds + plan.durationSeconds,
  });
  const spec = {
    url: service.url,
    connections: plan.connections,
    requests: prepared.requests,
    expectedStatuses: prepared.expectedStatuses,
  };
  const before = load1();
  const { measured, cpuMs } = await warmUpThenMeasure(service, spec, plan);
  // The load may stop with one request per connection in flight, unanswered.
  const verdict = await prepared.verify(measured.allStatusCounts.get(201) ?? 0, plan.connections);
  const recorder = measured.recorder;
  return {
    id: context.id,
    server: context.server,
    scenario: context.scenario,
    env: context.env,
    connections: plan.connections,
    durationSeconds: plan.durationSeconds,
    requests: recorder.count,
    requestsPerSecond: recorder.count / measured.elapsedSeconds,
    latency: recorder.summary(),
    serviceCpu:
      cpuMs === undefined || recorder.count === 0
        ? undefined
        : {
            microsPerRequest: (cpuMs * 1000) / recorder.count,
            percentOfCore: cpuMs / 10 / measured.elapsedSeconds,
          },
    statusCounts: Object.fromEntries([...recorder.statusCounts].sort((a, b) => a[0] - b[0])),
    conflicts: recorder.statusCounts.get(409) ?? 0,
    errors: recorder.unexpected + measured.socketErrors + measured.timeouts,
    oversold: verdict.oversold,
    verified: verdict.ok,
    problems: verdict.problems,
    perSecond: recorder.perSecond(plan.durationSeconds),
    loadGeneratorGc: measured.loadGeneratorGc,
    loadAverage: { before, after: load1() },
  };
}

/**
 * The warm-up (V8 optimises the hot path; its answers are checked, not measured), then the
 * measured window on the same connections, with the CPU time the server used inside the window
 * (undefined where there is no /proc).
 */
async function warmUpThenMeasure(
  server: BenchService,
  spec: Omit<LoadSpec, 'seconds' | 'warmupSeconds' | 'onWindow'>,
  plan: BenchPlan,
): Promise<{ measured: LoadOutcome; cpuMs?: number }> {
  const cpu: Partial<Record<'open' | 'close', number>> = {};
  const measured = await runLoad({
    ...spec,
    warmupSeconds: plan.warmupSeconds,
    seconds: plan.durationSeconds,
    onWindow: (edge) => {
      cpu[edge] = server.cpuTimeMs();
    },
  });
  const cpuMs =
    cpu.open === undefined || cpu.close === undefined ? undefined : cpu.close - cpu.open;
  return { measured, cpuMs };
}

function progressLine(run: RunResult): string {
  const cpu = run.serviceCpu
    ? `service CPU ${formatNumber(run.serviceCpu.microsPerRequest)} µs/req (${formatNumber(run.serviceCpu.percentOfCore)}% of a core), `
    : '';
  const problems = run.verified ? '' : ` — ${run.problems.join('; ')}`;
  const gc = run.loadGeneratorGc
    ? `, load generator GC ${run.loadGeneratorGc.count}× max ${formatNumber(run.loadGeneratorGc.maxMs)} ms`
    : '';
  return (
    `${run.id}: ${formatNumber(run.requestsPerSecond)} req/s, ` +
    `p50 ${formatNumber(run.latency.p50)} p99 ${formatNumber(run.latency.p99)} ms, ${cpu}` +
    `${run.errors} errors, ${run.oversold} oversold${problems} ` +
    `(load ${run.loadAverage.before} → ${run.loadAverage.after}${gc})`
  );
}

async function main(): Promise<number> {
  const options = parseOptions();
  if (options.instances === 2) return mainTwoInstances(options);
  const repoRoot = process.cwd();
  const plan = buildPlan(options);
  const machine = machineInfo();
  const startedAt = new Date();
  const stamp = startedAt.toISOString().replace(/[:.]/g, '-');
  const outDir = join(repoRoot, 'bench-results');
  const workDir = join(outDir, `run-${stamp}`);
  mkdirSync(workDir, { recursive: true });

  const secret = randomBytes(32).toString('hex');
  const sign = tokenSigner(secret);
  const redis = await BenchRedis.start();
  const baseEnv: Record<string, string> = {
    NODE_ENV: 'production',
    STORE: 'memory',
    // Production mode as deployed, on the in-memory store the bench measures; refused without this.
    ALLOW_MEMORY_STORE_IN_PRODUCTION: 'true',
    WORKERS: 'off',
    REDIS_URL: redis.url,
    RESERVE_RATE_LIMIT: RAISED_LIMIT,
    GLOBAL_RATE_LIMIT: RAISED_LIMIT,
    ...options.extraEnv,
  };
  const totalRuns =
    options.repeat * plan.servers.reduce((total, server) => total + server.scenarios.length, 0);
  process.stdout.write(
    `stockhold bench: ${totalRuns} runs of ${plan.warmupSeconds} s warm-up + ${plan.durationSeconds} s at ${plan.connections} connections\n` +
      `machine: ${machine.cpus} CPUs (${machine.cpuModel}), Node ${machine.node}, load average ${load1()}\n`,
  );

  const baseline = await measureBaseline(plan, workDir);
  process.stdout.write(`${baselineLine(baseline)}\n`);

  const rounds: RunResult[] = [];
  const profiles: Record<string, ProfileSummary[]> = {};
  // One fresh service per run, so no run inherits another's heap, JIT state or stock data.
  const schedule = scheduleRuns(plan, options.repeat);
  try {
    for (const { server, scenario, round } of schedule) {
      await redis.flush();
      const id = runId(server.id, scenario);
      const label = `${server.id}-${scenario}${options.repeat > 1 ? `-round-${round + 1}` : ''}`;
      const logFile = join(workDir, `${label}.log`);
      const profileDir = options.profile ? join(workDir, `profile-${label}`) : undefined;
      const service = await BenchService.start({
        repoRoot,
        env: { ...baseEnv, JWT_SECRET: secret, ...server.env },
        logFile,
        cpuProfileDir: profileDir,
      });
      let run: RunResult;
      try {
        run = await measure(service, {
          id,
          server: server.id,
          scenario,
          env: server.env,
          api: new AdminApi(service.url, sign('bench-admin', true)),
          sign,
          // Short and unique per run: SKUs are at most 64 characters.
          tag: `b${startedAt.getTime().toString(36)}-${rounds.length}`,
          plan,
        });
      } finally {
        await service.stop();
      }
      rounds.push(run);
      process.stdout.write(`[${rounds.length}/${schedule.length}] ${progressLine(run)}\n`);
      if (profileDir) {
        profiles[label] = readProfiles(profileDir);
        for (const summary of profiles[label]) {
          process.stdout.write(`\nprofile of ${label}:\n${formatProfileSummary(summary)}\n\n`);
        }
      }
      if (!options.keepLogs) rmSync(logFile, { force: true });
    }
  } finally {
    await redis.stop();
  }
  const runs = combineRepeats(rounds);

  const report: BenchReport & { profiles?: Record<string, ProfileSummary[]> } = {
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    machine,
    baseline,
    command: `npm run bench --${process.argv.slice(2).length ? ` ${process.argv.slice(2).join(' ')}` : ''}`,
    baseEnv: { ...baseEnv, REDIS_URL: 'redis://127.0.0.1:<private port>' },
    runs,
    pairs: plan.pairs,
    targets: evaluateTargets(runs, plan.connections),
    ...(options.profile ? { profiles } : {}),
  };
  const jsonFile = join(outDir, `bench-${stamp}.json`);
  const htmlFile = join(outDir, `bench-${stamp}.html`);
  writeFileSync(jsonFile, `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(htmlFile, renderHtml(report));
  writeFileSync(join(outDir, 'latest.json'), `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(join(outDir, 'latest.html'), renderHtml(report));
  if (readdirSync(workDir).length === 0) rmSync(workDir, { recursive: true });

  const repeated = options.repeat > 1 ? `, median of ${options.repeat} rounds (range)` : '';
  const sections = [
    `\nRuns (${plan.durationSeconds} s each at ${plan.connections} connections${repeated}; latency from every answer):`,
    formatRunsTable(runs),
  ];
  if (plan.pairs.length > 0) {
    sections.push(
      '\nA/B (on = defaults; gain = on/off req/s):',
      formatPairsTable(pairRows(plan.pairs, runs)),
    );
  }
  sections.push(
    '\nTargets:',
    formatTargets(report.targets),
    `\nmachine: ${machine.cpus} CPUs, ${machine.cpuModel}, Node ${machine.node}; load average now ${load1()}\n` +
      `${baselineLine(baseline)}; sold-out ${shareOf(runs, 'defaults/sold-out', baseline)}, ` +
      `reads ${shareOf(runs, 'defaults/reads', baseline)} of it`,
    `results: ${jsonFile}\nreport:  ${htmlFile}\n`,
  );
  process.stdout.write(`${sections.join('\n')}\n`);
  const broken = runs.filter((run) => !run.verified || run.oversold > 0);
  if (broken.length > 0) {
    process.stderr.write(`stock checks failed in: ${broken.map((run) => run.id).join(', ')}\n`);
    return 1;
  }
  return 0;
}

/** `--instances 2`: the stock bus's effect on store calls (two-instances.ts). */
async function mainTwoInstances(options: ReturnType<typeof parseOptions>): Promise<number> {
  const repoRoot = process.cwd();
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const outDir = join(repoRoot, 'bench-results');
  const workDir = join(outDir, `run-${stamp}`);
  mkdirSync(workDir, { recursive: true });
  const mongodbUri = process.env.MONGODB_URI || undefined;
  const plan = buildTwoInstancePlan({ ...options, mongodbUri });
  const secret = randomBytes(32).toString('hex');
  try {
    return await runTwoInstances({
      plan,
      repoRoot,
      workDir,
      outDir,
      stamp,
      secret,
      sign: tokenSigner(secret),
      keepLogs: options.keepLogs,
      mongodbUri,
      baseEnv: {
        NODE_ENV: 'production',
        STORE: 'memory',
        ALLOW_MEMORY_STORE_IN_PRODUCTION: 'true',
        WORKERS: 'off',
        RESERVE_RATE_LIMIT: RAISED_LIMIT,
        GLOBAL_RATE_LIMIT: RAISED_LIMIT,
        // Nothing to drain between runs; the default 5 s would only slow the bench down.
        SHUTDOWN_DRAIN_MS: '0',
        ...options.extraEnv,
      },
    });
  } finally {
    if (readdirSync(workDir).length === 0) rmSync(workDir, { recursive: true });
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`bench failed: ${(error as Error)?.stack ?? String(error)}\n`);
    process.exit(1);
  },
);

/**
 * Bare Fastify under the same load as the runs, before them: the machine's speed right now. On
 * this VM it moves by up to ×1.5 from one hour to the next; the runs' shares of it move less.
 */
async function measureBaseline(plan: BenchPlan, workDir: string): Promise<Baseline> {
  const server = await BenchService.start({
    repoRoot: process.cwd(),
    entry: join(__dirname, 'bare-fastify.js'),
    env: {},
    logFile: join(workDir, 'bare-fastify.log'),
  });
  try {
    const spec = {
      url: server.url,
      connections: plan.connections,
      requests: { cycle: [{ method: 'GET' as const, path: '/', headers: {} }] },
      expectedStatuses: [200],
    };
    const { measured, cpuMs } = await warmUpThenMeasure(server, spec, plan);
    const count = measured.recorder.count;
    return {
      requestsPerSecond: count / measured.elapsedSeconds,
      cpuMicrosPerRequest: cpuMs === undefined || count === 0 ? undefined : (cpuMs * 1000) / count,
    };
  } finally {
    await server.stop();
  }
}

function baselineLine(baseline: Baseline): string {
  const cpu =
    baseline.cpuMicrosPerRequest === undefined
      ? ''
      : `, ${formatNumber(baseline.cpuMicrosPerRequest)} µs/req`;
  return `yardstick: bare Fastify {"ok":true} ${formatNumber(baseline.requestsPerSecond)} req/s${cpu} (the issue measured ~28,000 here)`;
}

function shareOf(runs: RunResult[], id: string, baseline: Baseline): string {
  const run = runs.find((candidate) => candidate.id === id);
  return run ? `${Math.round((100 * run.requestsPerSecond) / baseline.requestsPerSecond)}%` : 'n/a';
}
