/**
 * The backfill checkpoint (docs/architecture.md §5): where a walk over the variants stands, written after every
 * batch. Pure: building, serializing and validating; the file handling is in checkpoint-file.ts.
 */

/** Names the file's kind; anything else in `format` is not ours and is refused, never overwritten. */
export const CHECKPOINT_FORMAT = 'stockhold-backfill-checkpoint';
/** Bumped whenever the shape changes, so an old binary never misreads a newer file (or the reverse). */
export const CHECKPOINT_VERSION = 1;

/** What a walk runs against. A checkpoint from another target would skip that target's variants. */
export interface BackfillTarget {
  store: 'memory' | 'mongodb';
  /** A hash of where the data lives (hosts and database name), never credentials. */
  id: string;
}

export interface BackfillCheckpoint {
  format: typeof CHECKPOINT_FORMAT;
  version: typeof CHECKPOINT_VERSION;
  target: BackfillTarget;
  /** The last variant id whose document was written; null before the first batch. */
  lastId: string | null;
  /** Variants walked so far, over every resumed run. */
  processed: number;
  /** Documents the store actually replaced (older or missing ones), over every resumed run. */
  written: number;
  /** The batch size of the run that wrote this (informational; a resumed run may change it). */
  batchSize: number;
  startedAt: Date;
  updatedAt: Date;
  /** Set once the walk reached the end; a finished checkpoint is not resumed. */
  completedAt: Date | null;
}

/** A checkpoint file that cannot be used. The message names the file and how to proceed. */
export class CheckpointRefusedError extends Error {
  override name = 'CheckpointRefusedError';
}

export function serializeCheckpoint(checkpoint: BackfillCheckpoint): string {
  return `${JSON.stringify(
    {
      ...checkpoint,
      startedAt: checkpoint.startedAt.toISOString(),
      updatedAt: checkpoint.updatedAt.toISOString(),
      completedAt: checkpoint.completedAt?.toISOString() ?? null,
    },
    null,
    2,
  )}\n`;
}

/**
 * Parses a checkpoint file's text and checks it belongs to `expected`. A file that is corrupt,
 * of another format or version, or written for another target is refused with a message naming
 * `path` — never silently replaced, since starting over (or skipping ahead) must be a decision.
 */
export function parseCheckpoint(
  text: string,
  path: string,
  expected: BackfillTarget,
): BackfillCheckpoint {
  const howToProceed =
    'Pass --reset to discard it and walk every variant from the start, or --checkpoint PATH to use another file.';
  const refuse = (problem: string): never => {
    throw new CheckpointRefusedError(
      `The checkpoint file ${path} ${problem}; it was left untouched. ${howToProceed}`,
    );
  };

  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return refuse(
      text.trim() === '' ? 'is empty' : 'is not valid JSON (corrupt, or not a checkpoint)',
    );
  }
  if (!isRecord(raw) || raw.format !== CHECKPOINT_FORMAT) {
    return refuse('is not a stockhold backfill checkpoint');
  }
  if (raw.version !== CHECKPOINT_VERSION) {
    return refuse(
      `has format version ${JSON.stringify(raw.version)}, this backfill reads version ${CHECKPOINT_VERSION}`,
    );
  }

  const problems: string[] = [];
  const target = raw.target;
  if (
    !isRecord(target) ||
    (target.store !== 'memory' && target.store !== 'mongodb') ||
    typeof target.id !== 'string' ||
    target.id === ''
  ) {
    problems.push('target');
  }
  const lastId = raw.lastId;
  if (lastId !== null && (typeof lastId !== 'string' || lastId === '')) problems.push('lastId');
  const processed = count(raw.processed, problems, 'processed');
  const written = count(raw.written, problems, 'written');
  const batchSize = count(raw.batchSize, problems, 'batchSize');
  const startedAt = date(raw.startedAt, problems, 'startedAt');
  const updatedAt = date(raw.updatedAt, problems, 'updatedAt');
  const completedAt =
    raw.completedAt === null ? null : date(raw.completedAt, problems, 'completedAt');
  if (problems.length === 0 && lastId === null && processed > 0) problems.push('lastId');
  if (problems.length > 0) return refuse(`is corrupt (bad ${problems.join(', ')})`);

  const checkpointTarget = target as unknown as BackfillTarget;
  if (checkpointTarget.store !== expected.store || checkpointTarget.id !== expected.id) {
    return refuse(
      `belongs to another database (${describeTarget(checkpointTarget)}; this run targets ${describeTarget(expected)})`,
    );
  }
  return {
    format: CHECKPOINT_FORMAT,
    version: CHECKPOINT_VERSION,
    target: { store: checkpointTarget.store, id: checkpointTarget.id },
    lastId: lastId as string | null,
    processed,
    written,
    batchSize,
    startedAt,
    updatedAt,
    completedAt,
  };
}

export function describeTarget(target: BackfillTarget): string {
  return `${target.store} ${target.id}`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function count(value: unknown, problems: string[], name: string): number {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return value;
  problems.push(name);
  return 0;
}

function date(value: unknown, problems: string[], name: string): Date {
  const parsed = typeof value === 'string' ? new Date(value) : new Date(Number.NaN);
  if (Number.isNaN(parsed.getTime())) problems.push(name);
  return parsed;
}
