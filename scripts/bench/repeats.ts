import type { RunResult } from './results';

/**
 * Folds the rounds of a `--repeat N` bench into one result per run id. On a shared 2-core machine
 * one 10 s run varies by ±15–20% from the next, so a single on/off pair cannot show a smaller
 * gain; the median of several rounds, with the spread beside it, can.
 *
 * The representative is the round with the median throughput (its latencies and per-second
 * charts are shown); the stock checks must pass in every round.
 */
export function combineRepeats(runs: RunResult[]): RunResult[] {
  const groups = new Map<string, RunResult[]>();
  for (const run of runs) {
    const group = groups.get(run.id);
    if (group) group.push(run);
    else groups.set(run.id, [run]);
  }
  return [...groups.values()].map((group) => {
    if (group.length === 1) return group[0];
    const byThroughput = [...group].sort((a, b) => a.requestsPerSecond - b.requestsPerSecond);
    const median = byThroughput[Math.floor((byThroughput.length - 1) / 2)];
    const cpu = group.map((run) => run.serviceCpu?.microsPerRequest);
    return {
      ...median,
      oversold: Math.max(...group.map((run) => run.oversold)),
      verified: group.every((run) => run.verified),
      problems: [...new Set(group.flatMap((run) => run.problems))],
      repeats: {
        requestsPerSecond: group.map((run) => run.requestsPerSecond),
        p99Ms: group.map((run) => run.latency.p99),
        ...(cpu.every((value) => value !== undefined)
          ? { cpuMicrosPerRequest: cpu as number[] }
          : {}),
      },
    };
  });
}
