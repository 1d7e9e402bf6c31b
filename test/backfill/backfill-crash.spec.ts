import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  parseCheckpoint,
  type BackfillCheckpoint,
} from '../../src/search/backfill/backfill-checkpoint';
import { backfillTargetOf } from '../../src/search/backfill/backfill-target';
import { compileForChild, REPO_ROOT } from './compile-for-child';
import { documentsOffered, FileSearchStore, readDocuments } from './file-search-store';
import { makeVariants, variantId } from './variants';

const VARIANTS = 400;
const BATCH = 20;
const KILLS = 5;
const target = backfillTargetOf({ mongoDataDir: '' }, 'memory');

let workDirectory: string;
let childScript: string;
let reference: Map<string, string>;
let referenceRunMs: number;

interface ChildRun {
  /** Resolves once stderr contains the text. */
  waitFor: (text: string) => Promise<void>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  kill: (signal: NodeJS.Signals) => void;
  output: () => { stdout: string; stderr: string };
}

function startChild(directory: string, delayPerDocumentMs: number, args: string[] = []): ChildRun {
  const child = spawn(
    process.execPath,
    [childScript, directory, String(delayPerDocumentMs), '--batch-size', String(BATCH), ...args],
    {
      env: { ...process.env, NODE_PATH: path.join(REPO_ROOT, 'node_modules') },
      cwd: directory,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stdout = '';
  let stderr = '';
  const waiters: Array<{ text: string; resolve: () => void }> = [];
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    for (const waiter of waiters.filter((w) => stderr.includes(w.text))) waiter.resolve();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  return {
    waitFor: (text) =>
      stderr.includes(text)
        ? Promise.resolve()
        : new Promise<void>((resolve, reject) => {
            waiters.push({ text, resolve });
            void exited.then(() =>
              reject(new Error(`child exited before printing "${text}":\n${stderr}`)),
            );
          }),
    exited,
    kill: (signal) => child.kill(signal),
    output: () => ({ stdout, stderr }),
  };
}

async function seededDirectory(name: string): Promise<string> {
  const directory = path.join(workDirectory, name);
  await FileSearchStore.seed(directory, makeVariants(VARIANTS));
  return directory;
}

/** The checkpoint as the next run would read it; null when none was written yet. */
async function readCheckpoint(directory: string): Promise<BackfillCheckpoint | null> {
  const file = path.join(directory, '.backfill-checkpoint.json');
  const text = await readFile(file, 'utf8').catch(() => null);
  return text === null ? null : parseCheckpoint(text, file, target);
}

/** The checkpoint never runs ahead of the data: every variant up to lastId has its document. */
async function expectCheckpointBehindData(
  checkpoint: BackfillCheckpoint,
  directory: string,
): Promise<void> {
  const documents = await readDocuments(directory);
  const covered = Array.from({ length: VARIANTS }, (_, i) => variantId(i + 1)).filter(
    (id) => checkpoint.lastId !== null && id <= checkpoint.lastId,
  );
  expect(checkpoint.processed).toBe(covered.length);
  for (const id of covered) expect(documents.has(id), `document ${id}`).toBe(true);
}

beforeAll(async () => {
  workDirectory = await mkdtemp(path.join(tmpdir(), 'stockhold-backfill-'));
  childScript = await compileForChild(
    path.join(__dirname, 'backfill-child.ts'),
    path.join(workDirectory, 'build'),
  );
  // The uninterrupted run every interrupted one must end up equal to.
  const directory = await seededDirectory('reference');
  const run = startChild(directory, 1);
  await run.waitFor('stockhold backfill:');
  const started = performance.now();
  const { code } = await run.exited;
  referenceRunMs = performance.now() - started;
  expect(code, run.output().stderr).toBe(0);
  reference = await readDocuments(directory);
  expect(reference.size).toBe(VARIANTS);
});

afterAll(async () => {
  if (workDirectory) await rm(workDirectory, { recursive: true, force: true });
});

describe('backfill in a child process', () => {
  it('SIGKILLed at random points and resumed each time, ends with exactly the documents of an uninterrupted run', async () => {
    const directory = await seededDirectory('killed');
    const delays: number[] = [];
    let previousProcessed = 0;
    for (let kill = 0; kill < KILLS; kill += 1) {
      const run = startChild(directory, 1);
      await run.waitFor('stockhold backfill:');
      // Up to a tenth of a whole run each, so the kills land before the walk can finish.
      const delay = Math.floor(Math.random() * (referenceRunMs / 10));
      delays.push(delay);
      await new Promise((resolve) => setTimeout(resolve, delay));
      run.kill('SIGKILL');
      const { signal } = await run.exited;
      expect(signal, `kill ${kill} (delays ${delays.join(', ')} ms) landed`).toBe('SIGKILL');

      const checkpoint = await readCheckpoint(directory);
      if (checkpoint) {
        expect(checkpoint.completedAt).toBeNull();
        expect(checkpoint.processed).toBeGreaterThanOrEqual(previousProcessed);
        await expectCheckpointBehindData(checkpoint, directory);
        previousProcessed = checkpoint.processed;
      }
    }

    const last = startChild(directory, 1);
    const { code } = await last.exited;
    expect(code, last.output().stderr).toBe(0);
    expect(last.output().stdout).toContain('Backfill complete: 400 variants walked');

    expect(await readDocuments(directory)).toEqual(reference);
    const checkpoint = await readCheckpoint(directory);
    expect(checkpoint?.completedAt).not.toBeNull();
    expect(checkpoint?.processed).toBe(VARIANTS);
    // Each kill cost at most the batch it interrupted.
    const offered = await documentsOffered(directory);
    expect(offered).toBeGreaterThanOrEqual(VARIANTS);
    expect(offered).toBeLessThanOrEqual(VARIANTS + KILLS * BATCH);
  });

  it.each(['SIGINT', 'SIGTERM'] as const)(
    '%s finishes the batch, saves the checkpoint at its boundary and exits 130; a rerun resumes',
    async (signal) => {
      const directory = await seededDirectory(signal);
      const run = startChild(directory, 2);
      // Plain progress lines (stderr is a pipe), one per batch: the walk is under way.
      await run.waitFor('backfill [');
      run.kill(signal);
      const { code } = await run.exited;
      const { stderr } = run.output();
      expect(code, stderr).toBe(130);
      expect(stderr).toContain(`${signal}: stopping after the current batch`);
      expect(stderr).toContain('Interrupted: stopped after');

      const checkpoint = await readCheckpoint(directory);
      expect(checkpoint).not.toBeNull();
      expect(checkpoint!.completedAt).toBeNull();
      expect(checkpoint!.processed % BATCH).toBe(0);
      expect(checkpoint!.processed).toBeGreaterThan(0);
      expect(checkpoint!.processed).toBeLessThan(VARIANTS);
      await expectCheckpointBehindData(checkpoint!, directory);
      // Nothing past the saved batch was started.
      expect((await readDocuments(directory)).size).toBe(checkpoint!.processed);

      const rerun = startChild(directory, 0);
      const rerunExit = await rerun.exited;
      expect(rerunExit.code, rerun.output().stderr).toBe(0);
      expect(rerun.output().stderr).toContain(`Resuming after variant ${checkpoint!.lastId}`);
      expect(await readDocuments(directory)).toEqual(reference);
      expect(await documentsOffered(directory)).toBe(VARIANTS);
    },
  );
});
