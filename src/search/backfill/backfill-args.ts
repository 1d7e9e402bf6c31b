import { parseArgs } from 'node:util';
import { DEFAULT_BATCH_SIZE, MAX_BATCH_SIZE } from './backfill-engine';

/** The backfill CLI's options: their help text and their parsing. */

export const DEFAULT_CHECKPOINT_PATH = '.backfill-checkpoint.json';

export const BACKFILL_USAGE = `Usage: npm run backfill -- [--batch-size N] [--checkpoint PATH] [--reset] [--dry-run]
       node dist/cli/backfill.js [options]

Rebuilds the search document of every variant from its inventory, walking the variants by id in
batches. After every batch the position is saved to a checkpoint file, so an interrupted run picks
up where it stopped when started again with the same options.

Options:
  --batch-size N     variants read and written per batch, 1 to ${MAX_BATCH_SIZE} (default ${DEFAULT_BATCH_SIZE})
  --checkpoint PATH  the checkpoint file (default ${DEFAULT_CHECKPOINT_PATH}, relative to the current
                     directory, which is the project root under npm run). It is refused, and left
                     untouched, when it is corrupt or was written for another database
  --reset            ignore the checkpoint and start again from the first variant (the file is
                     overwritten). Also the way to run again after a finished walk
  --dry-run          read and count only: no search document and no checkpoint is written
  -h, --help         print this help

The database is the service's own (MONGODB_URI, STORE and the rest of its configuration).
Progress goes to stderr: a bar with rate and ETA on a terminal, a plain line every few seconds
otherwise. SIGINT (Ctrl-C) or SIGTERM finishes the current batch, saves the checkpoint and exits
with code 130; a second signal stops at once (the checkpoint stays valid, one batch is redone).
Exit codes: 0 done (or nothing to do), 1 failed, 2 bad arguments, 130 interrupted.
`;

export interface BackfillArgs {
  batchSize: number;
  checkpointPath: string;
  reset: boolean;
  dryRun: boolean;
}

/** Bad arguments: reported with the usage and exit code 2. */
export class UsageError extends Error {}

export function parseBackfillArgs(argv: string[]): BackfillArgs | 'help' {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        'batch-size': { type: 'string' },
        checkpoint: { type: 'string' },
        reset: { type: 'boolean', default: false },
        'dry-run': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (values.help) return 'help';
  const batchSizeText = values['batch-size'] ?? String(DEFAULT_BATCH_SIZE);
  const batchSize = Number(batchSizeText);
  if (!/^\d+$/.test(batchSizeText) || batchSize < 1 || batchSize > MAX_BATCH_SIZE) {
    throw new UsageError(
      `--batch-size must be an integer from 1 to ${MAX_BATCH_SIZE}, got "${batchSizeText}"`,
    );
  }
  if (values.checkpoint === '') throw new UsageError('--checkpoint needs a file path');
  return {
    batchSize,
    checkpointPath: values.checkpoint ?? DEFAULT_CHECKPOINT_PATH,
    reset: values.reset,
    dryRun: values['dry-run'],
  };
}
