import type { Clock } from '../../common/clock';
import type { Store } from '../../store/store';
import { toSearchDocument } from '../search-document';
import {
  CHECKPOINT_FORMAT,
  CHECKPOINT_VERSION,
  type BackfillCheckpoint,
} from './backfill-checkpoint';
import type { CheckpointStore } from './checkpoint-file';

/**
 * What the walk needs from a store. `countVariants` is optional so test fakes may leave it out;
 * with it the progress bar shows a total and an ETA, without it processed and rate only.
 */
export type BackfillStore = Pick<Store, 'listVariants' | 'upsertSearchDocuments'> & {
  countVariants?: () => Promise<number>;
};

export const DEFAULT_BATCH_SIZE = 500;
export const MAX_BATCH_SIZE = 10_000;

export interface BackfillOptions {
  store: BackfillStore;
  clock: Clock;
  batchSize?: number;
  /** Absent: no checkpoint at all (the daily resync walks everything every time). */
  checkpoints?: CheckpointStore;
  /** Ignore any saved checkpoint (even a refused one) and start from the first variant. */
  reset?: boolean;
  /** Read and count only: no document and no checkpoint is written. */
  dryRun?: boolean;
  /** Stops the walk at the next batch boundary, after that batch's checkpoint is saved. */
  signal?: AbortSignal;
  /** Called once the checkpoint is read, before any batch: the checkpoint resumed, or null. */
  onStart?: (resumedFrom: BackfillCheckpoint | null) => void;
  onProgress?: (progress: BackfillProgress) => void;
}

export interface BackfillProgress {
  /** Variants walked in total, including those of the runs this one resumes. */
  processed: number;
  /** Variants walked by this run alone (for the rate). */
  processedThisRun: number;
  written: number;
  lastId: string | null;
}

export type BackfillOutcome =
  /** Reached the last variant. */
  | 'completed'
  /** Stopped by the signal at a batch boundary; the checkpoint says where to resume. */
  | 'interrupted'
  /** The checkpoint records a finished walk; nothing was done. */
  | 'already-complete';

export interface BackfillResult extends BackfillProgress {
  outcome: BackfillOutcome;
  /** The checkpoint this run resumed, or null when it started from the first variant. */
  resumedFrom: BackfillCheckpoint | null;
  startedAt: Date;
}

/**
 * Walks every variant by id ascending, `batchSize` at a time (a range query after the last id,
 * never skip, so a walk over millions stays cheap and a resume is exact), upserts their search
 * documents in bulk, and saves a checkpoint after each batch. The upserts are version-guarded and
 * idempotent, so redoing the one batch a crash interrupted is harmless: a kill loses at most one
 * batch of work, never correctness.
 */
export async function runBackfill(options: BackfillOptions): Promise<BackfillResult> {
  const { store, clock, checkpoints, signal, onStart, onProgress } = options;
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  const dryRun = options.dryRun ?? false;
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > MAX_BATCH_SIZE) {
    throw new RangeError(`batch size must be an integer from 1 to ${MAX_BATCH_SIZE}`);
  }

  const saved = checkpoints && !options.reset ? await checkpoints.load() : null;
  const progress: BackfillProgress = {
    processed: saved?.processed ?? 0,
    processedThisRun: 0,
    written: saved?.written ?? 0,
    lastId: saved?.lastId ?? null,
  };
  const startedAt = saved?.startedAt ?? clock.now();
  const result = (outcome: BackfillOutcome): BackfillResult => ({
    ...progress,
    outcome,
    resumedFrom: saved,
    startedAt,
  });
  onStart?.(saved);
  if (saved?.completedAt) return result('already-complete');

  const save = async (completedAt: Date | null = null): Promise<void> => {
    if (!checkpoints || dryRun) return;
    await checkpoints.save({
      format: CHECKPOINT_FORMAT,
      version: CHECKPOINT_VERSION,
      target: checkpoints.target,
      lastId: progress.lastId,
      processed: progress.processed,
      written: progress.written,
      batchSize,
      startedAt,
      updatedAt: clock.now(),
      completedAt,
    });
  };

  // Claim the file before any work: an unwritable path fails now, not after the first batch, and
  // --reset takes effect at once (a kill right after it does not resume the discarded walk).
  if (!saved) await save();

  for (;;) {
    if (signal?.aborted) return result('interrupted');
    const page = await store.listVariants(progress.lastId, batchSize);
    if (page.length === 0) break;
    let pageLastId = progress.lastId;
    for (const { variant } of page) {
      // A store answering out of order would make the walk skip variants or never end.
      if (pageLastId !== null && !(variant.id > pageLastId)) {
        throw new Error(
          `listVariants returned ${variant.id} after ${pageLastId}: ids must ascend strictly`,
        );
      }
      pageLastId = variant.id;
    }
    const now = clock.now();
    const documents = page.map(({ variant, inventory }) =>
      toSearchDocument(variant, inventory, now),
    );
    if (!dryRun) progress.written += await store.upsertSearchDocuments(documents);
    progress.lastId = pageLastId;
    progress.processed += page.length;
    progress.processedThisRun += page.length;
    // Written only after the batch's documents are: a checkpoint never runs ahead of the data.
    await save();
    onProgress?.({ ...progress });
    // A short page is the last one; asking again would only return nothing.
    if (page.length < batchSize) break;
  }
  await save(clock.now());
  return result('completed');
}
