import * as path from 'node:path';
import { SystemClock, type Clock } from '../../common/clock';
import { ConfigError, loadConfig, type AppConfig } from '../../config/app-config';
import type { Store } from '../../store/store';
import { CheckpointRefusedError } from './backfill-checkpoint';
import { BACKFILL_USAGE, parseBackfillArgs, type BackfillArgs } from './backfill-args';
import {
  runBackfill,
  type BackfillProgress,
  type BackfillResult,
  type BackfillStore,
} from './backfill-engine';
import { BackfillProgressReporter, formatDuration, type ProgressOutput } from './backfill-progress';
import { backfillTargetOf } from './backfill-target';
import { FileCheckpointStore } from './checkpoint-file';

/**
 * `npm run backfill`: (re)builds every search document from the variants, resumably. Every
 * failure ends in one paragraph on stderr and a non-zero exit code, never a stack trace.
 */

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;
/** 128 + SIGINT, what a shell reports for a job stopped by Ctrl-C. */
export const EXIT_INTERRUPTED = 130;

/** What the CLI needs of an opened store (`openStore`'s result fits; tests pass a fake). */
export interface OpenedBackfillStore {
  store: BackfillStore & Pick<Store, 'kind'>;
  description: string;
  close: () => Promise<void>;
}

export interface BackfillCliDeps {
  env: Record<string, string | undefined>;
  stdout: ProgressOutput;
  stderr: ProgressOutput;
  openStore: (config: AppConfig) => Promise<OpenedBackfillStore>;
  clock: Clock;
  /** Aborted on SIGINT/SIGTERM: the walk stops at the next batch boundary. */
  signal?: AbortSignal;
  /** Milliseconds between plain progress lines when stderr is not a terminal. */
  plainProgressIntervalMs?: number;
}

/** Runs the CLI; resolves to the process exit code and never throws. */
export async function runBackfillCli(argv: string[], deps: BackfillCliDeps): Promise<number> {
  const complain = (text: string) => deps.stderr.write(`stockhold backfill: ${text}\n`);

  let args: BackfillArgs | 'help';
  try {
    args = parseBackfillArgs(argv);
  } catch (error) {
    deps.stderr.write(`stockhold backfill: ${(error as Error).message}\n\n${BACKFILL_USAGE}`);
    return EXIT_USAGE;
  }
  if (args === 'help') {
    deps.stdout.write(BACKFILL_USAGE);
    return EXIT_OK;
  }

  let config: AppConfig;
  try {
    config = loadConfig(deps.env);
  } catch (error) {
    const problems = error instanceof ConfigError ? error.problems.join('; ') : oneLine(error);
    complain(
      `the configuration is invalid, nothing was changed: ${problems}. ` +
        'The backfill reads the same environment as the service (see README, Configuration).',
    );
    return EXIT_FAILED;
  }

  let opened: OpenedBackfillStore;
  try {
    opened = await deps.openStore(config);
  } catch (error) {
    complain(
      `cannot open the store, nothing was changed: ${oneLine(error)}. Check that the database in ` +
        'MONGODB_URI (or the embedded one under MONGO_DATA_DIR) is running and reachable, then run again.',
    );
    return EXIT_FAILED;
  }
  try {
    if (opened.store.kind === 'memory' && config.store !== 'memory') {
      complain(
        'no MongoDB could be opened and the service fell back to an empty in-memory store, so there ' +
          'is nothing to backfill; nothing was changed. Set MONGODB_URI to the database to index.',
      );
      return EXIT_FAILED;
    }
    return await walk(args, config, opened, deps);
  } finally {
    await opened.close().catch(() => undefined);
  }
}

async function walk(
  args: BackfillArgs,
  config: AppConfig,
  opened: OpenedBackfillStore,
  deps: BackfillCliDeps,
): Promise<number> {
  const say = (text: string) => deps.stdout.write(`${text}\n`);
  const note = (text: string) => deps.stderr.write(`${text}\n`);
  const store: BackfillStore = opened.store;
  const checkpoints = new FileCheckpointStore(
    path.resolve(args.checkpointPath),
    backfillTargetOf(config, opened.store.kind),
  );
  note(
    `stockhold backfill: ${opened.description}; checkpoint ${checkpoints.path}; batch size ${args.batchSize}` +
      `${args.reset ? '; --reset: starting from the first variant' : ''}` +
      `${args.dryRun ? '; DRY RUN: nothing is written' : ''}`,
  );

  const total = await store.countVariants?.().catch(() => null);
  const reporter = new BackfillProgressReporter(deps.stderr, {
    total: total ?? null,
    plainIntervalMs: deps.plainProgressIntervalMs,
  });
  const startedAt = deps.clock.now();
  // Kept in an object: TypeScript does not see assignments made inside the callback.
  const seen: { last: BackfillProgress | null } = { last: null };
  let result: BackfillResult;
  try {
    result = await runBackfill({
      store,
      clock: deps.clock,
      batchSize: args.batchSize,
      checkpoints,
      reset: args.reset,
      dryRun: args.dryRun,
      signal: deps.signal,
      onStart: (resumedFrom) => {
        if (resumedFrom && !resumedFrom.completedAt) {
          note(
            `Resuming after variant ${resumedFrom.lastId ?? '(none)'}: ${resumedFrom.processed} variants ` +
              `done since ${resumedFrom.startedAt.toISOString()}.`,
          );
        }
      },
      onProgress: (progress) => {
        seen.last = progress;
        reporter.update(progress);
      },
    });
  } catch (error) {
    reporter.finish(seen.last);
    if (error instanceof CheckpointRefusedError) {
      deps.stderr.write(`stockhold backfill: ${error.message}\n`);
    } else {
      const where = seen.last
        ? ` after ${seen.last.processed} variants (last id ${seen.last.lastId})`
        : '';
      deps.stderr.write(
        `stockhold backfill: failed${where}: ${oneLine(error)}. ${
          args.dryRun
            ? 'Nothing was written.'
            : `The checkpoint ${checkpoints.path} keeps the last finished batch; run the same command again to resume.`
        }\n`,
      );
    }
    return EXIT_FAILED;
  }
  reporter.finish(result);
  const took = formatDuration((deps.clock.now().getTime() - startedAt.getTime()) / 1000);

  switch (result.outcome) {
    case 'already-complete':
      say(
        `Nothing to do: ${checkpoints.path} records a finished walk (${result.processed} variants, ` +
          `finished ${result.resumedFrom?.completedAt?.toISOString()}). Pass --reset to walk every variant again.`,
      );
      return EXIT_OK;
    case 'interrupted':
      note(
        `Interrupted: stopped after ${result.processed} variants (last id ${result.lastId ?? '(none)'}). ` +
          (args.dryRun
            ? 'Dry run: nothing was saved.'
            : `Checkpoint saved to ${checkpoints.path}; run the same command again to resume.`),
      );
      return EXIT_INTERRUPTED;
    case 'completed':
      say(
        args.dryRun
          ? `Dry run complete: ${result.processedThisRun} variants would be indexed, in ${took}; nothing was written.`
          : `Backfill complete: ${result.processed} variants walked (${result.processedThisRun} by this run), ` +
              `${result.written} search documents written, in ${took}.`,
      );
      return EXIT_OK;
  }
}

function oneLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/\s*\n\s*/g, ' ').replace(/[.\s]+$/, '');
}

/**
 * The process entry: wires SIGINT/SIGTERM to a graceful stop, runs, exits with the code. The first
 * signal lets the current batch finish and be checkpointed; a second stops at once, which is still
 * safe because the checkpoint on disk is always a complete one.
 */
export async function main(
  argv: string[],
  overrides: Partial<BackfillCliDeps> = {},
): Promise<never> {
  const controller = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (controller.signal.aborted) {
      process.stderr.write(`\n${signal} again: stopping now.\n`);
      process.exit(EXIT_INTERRUPTED);
    }
    process.stderr.write(
      `\n${signal}: stopping after the current batch (send it again to stop at once).\n`,
    );
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  let code: number;
  try {
    code = await runBackfillCli(argv, {
      env: process.env,
      stdout: process.stdout,
      stderr: process.stderr,
      // Loaded on demand: --help and bad arguments answer without loading the database drivers.
      openStore: async (config) => (await import('../../store/open-store')).openStore(config),
      clock: new SystemClock(),
      ...overrides,
      signal: controller.signal,
    });
  } catch (error) {
    process.stderr.write(`stockhold backfill: failed: ${oneLine(error)}.\n`);
    code = EXIT_FAILED;
  }
  process.exit(code);
}
