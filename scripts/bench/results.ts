import type { PairPlan, ScenarioName } from './plan';
import type { LatencySummary, SecondSample } from './stats';

/** One measured run: one scenario against one service configuration. */
export interface RunResult {
  /** `<server>/<scenario>`, e.g. `defaults/sold-out`. */
  id: string;
  server: string;
  scenario: ScenarioName;
  /** Environment on top of the bench's base, i.e. the switches this run turned off. */
  env: Record<string, string>;
  connections: number;
  durationSeconds: number;
  requests: number;
  requestsPerSecond: number;
  latency: LatencySummary;
  statusCounts: Record<string, number>;
  /** The service's CPU time per answered request (µs) and its CPU use (% of one core), if known. */
  serviceCpu?: { microsPerRequest: number; percentOfCore: number };
  /** With `--repeat N`: every round's figures (this result is the median round). */
  repeats?: { requestsPerSecond: number[]; p99Ms: number[]; cpuMicrosPerRequest?: number[] };
  /** 409 answers (the expected answer on the sold-out path). */
  conflicts: number;
  /** Answers with an unexpected status, plus socket errors and timeouts. */
  errors: number;
  oversold: number;
  /** The after-run stock checks passed (see verify.ts). */
  verified: boolean;
  problems: string[];
  perSecond: SecondSample[];
  /** The load generator's GC pauses inside the window (they inflate every in-flight latency). */
  loadGeneratorGc?: { count: number; totalMs: number; maxMs: number };
  /** One-minute load average before and after: other work on the machine shows up here. */
  loadAverage: { before: number; after: number };
}

export interface MachineInfo {
  cpus: number;
  cpuModel: string;
  node: string;
  platform: string;
  memoryGiB: number;
}

export interface TargetResult {
  title: string;
  runId: string;
  requirement: string;
  measured: string;
  /** Judged on the median round, as every figure of a `--repeat N` bench is. */
  met: boolean;
  /** With `--repeat N`: how many rounds met the target on their own. */
  roundsMet?: { met: number; of: number };
}

/** Bare Fastify answering `{"ok":true}` under the same load: how fast the machine is right now. */
export interface Baseline {
  requestsPerSecond: number;
  cpuMicrosPerRequest?: number;
}

export interface BenchReport {
  startedAt: string;
  finishedAt: string;
  machine: MachineInfo;
  baseline?: Baseline;
  command: string;
  /** The environment every service got (secrets left out). */
  baseEnv: Record<string, string>;
  runs: RunResult[];
  pairs: PairPlan[];
  targets: TargetResult[];
}
