import { open, readFile, rename } from 'node:fs/promises';
import * as path from 'node:path';
import {
  CheckpointRefusedError,
  parseCheckpoint,
  serializeCheckpoint,
  type BackfillCheckpoint,
  type BackfillTarget,
} from './backfill-checkpoint';

/** Where a walk keeps its checkpoint between batches (and between runs). */
export interface CheckpointStore {
  /** The database the walk runs against; stamped into every checkpoint saved. */
  readonly target: BackfillTarget;
  /** The saved checkpoint, null when there is none. Throws CheckpointRefusedError for a bad one. */
  load(): Promise<BackfillCheckpoint | null>;
  save(checkpoint: BackfillCheckpoint): Promise<void>;
}

/**
 * A checkpoint in one file, replaced atomically: the new text goes to a temporary file in the same
 * directory, is fsynced, renamed over the old one (atomic on POSIX file systems), then the
 * directory is fsynced so the rename itself survives a power cut. A reader — or a run killed at
 * any instant — sees the previous checkpoint or the new one, never a torn mix.
 */
export class FileCheckpointStore implements CheckpointStore {
  readonly path: string;
  /** Fixed, so a run killed between write and rename leaves one stray file that the next save reuses. */
  readonly temporaryPath: string;

  constructor(
    filePath: string,
    readonly target: BackfillTarget,
  ) {
    this.path = path.resolve(filePath);
    this.temporaryPath = temporaryPathFor(this.path);
  }

  async load(): Promise<BackfillCheckpoint | null> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (error) {
      if (errorCode(error) === 'ENOENT') return null;
      throw new CheckpointRefusedError(
        `The checkpoint file ${this.path} cannot be read (${(error as Error).message}). ` +
          'Fix its permissions, or pass --checkpoint PATH to use another file.',
      );
    }
    return parseCheckpoint(text, this.path, this.target);
  }

  async save(checkpoint: BackfillCheckpoint): Promise<void> {
    try {
      const file = await open(this.temporaryPath, 'w', 0o644);
      try {
        await file.writeFile(serializeCheckpoint(checkpoint), 'utf8');
        await file.sync();
      } finally {
        await file.close();
      }
      await rename(this.temporaryPath, this.path);
    } catch (error) {
      throw new CheckpointRefusedError(
        `The checkpoint file ${this.path} cannot be written (${(error as Error).message}). ` +
          'Check that its directory exists and is writable, or pass --checkpoint PATH.',
      );
    }
    await syncDirectory(path.dirname(this.path));
  }
}

/** `.backfill-checkpoint.json` → `.backfill-checkpoint.tmp.json` (still matched by .gitignore). */
export function temporaryPathFor(filePath: string): string {
  const extension = path.extname(filePath);
  return extension === '.json'
    ? `${filePath.slice(0, -extension.length)}.tmp${extension}`
    : `${filePath}.tmp`;
}

async function syncDirectory(directory: string): Promise<void> {
  let handle;
  try {
    handle = await open(directory, 'r');
    await handle.sync();
  } catch (error) {
    // Some platforms (Windows) and file systems cannot open or fsync a directory; the rename has
    // still happened, it is only less certain to survive a power cut there.
    if (!['EISDIR', 'EINVAL', 'EPERM', 'EACCES', 'ENOTSUP'].includes(errorCode(error) ?? '')) {
      throw error;
    }
  } finally {
    await handle?.close();
  }
}

function errorCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}
