import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ManualClock } from '../../src/common/clock';
import {
  EXIT_FAILED,
  EXIT_INTERRUPTED,
  EXIT_OK,
  EXIT_USAGE,
  runBackfillCli,
  type BackfillCliDeps,
  type OpenedBackfillStore,
} from '../../src/search/backfill/backfill.cli';
import { FakeSearchStore } from './fake-search-store';
import { makeVariants, variantId } from './variants';

let directory: string;
let checkpoint: string;

beforeEach(async () => {
  directory = await mkdtemp(path.join(tmpdir(), 'stockhold-backfill-cli-'));
  checkpoint = path.join(directory, 'checkpoint.json');
});

afterEach(async () => {
  await rm(directory, { recursive: true, force: true });
});

interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
  opened: OpenedBackfillStore & { closed: boolean };
  openStore: ReturnType<typeof vi.fn>;
}

async function cli(
  argv: string[],
  options: {
    store?: FakeSearchStore;
    env?: Record<string, string>;
    openStore?: BackfillCliDeps['openStore'];
    signal?: AbortSignal;
    tty?: boolean;
  } = {},
): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const opened = {
    store: options.store ?? new FakeSearchStore(makeVariants(95)),
    description: 'a fake store',
    closed: false,
    close: async () => {
      opened.closed = true;
    },
  };
  const openStore = vi.fn(options.openStore ?? (async () => opened));
  const code = await runBackfillCli(argv, {
    env: { NODE_ENV: 'test', STORE: 'memory', ...options.env },
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text), isTTY: options.tty ?? false },
    openStore,
    clock: new ManualClock(),
    signal: options.signal,
    plainProgressIntervalMs: 0,
  });
  return { code, stdout, stderr, opened, openStore };
}

/** A failure is one paragraph for a person, never a stack trace. */
function expectOneParagraph(text: string): void {
  expect(text.trim().split('\n')).toHaveLength(1);
  expect(text).not.toMatch(/\n\s+at /);
}

describe('npm run backfill', () => {
  it('--help documents every option, without opening the store', async () => {
    const { code, stdout, openStore } = await cli(['--help']);
    expect(code).toBe(EXIT_OK);
    for (const option of [
      '--batch-size N',
      '--checkpoint PATH',
      '--reset',
      '--dry-run',
      '--help',
    ]) {
      expect(stdout).toContain(option);
    }
    expect(stdout).toContain('130');
    expect(openStore).not.toHaveBeenCalled();
  });

  it.each([
    [['--batch-size', '0'], '--batch-size must be an integer from 1 to 10000, got "0"'],
    [['--batch-size', '2.5'], 'got "2.5"'],
    [['--batch-size', '10001'], 'got "10001"'],
    [['--frobnicate'], "Unknown option '--frobnicate'"],
    [['stray'], 'stray'],
    [['--checkpoint'], "Option '--checkpoint <value>' argument missing"],
  ])('refuses %j with the usage and exit code 2', async (argv, message) => {
    const { code, stderr, openStore } = await cli(argv);
    expect(code).toBe(EXIT_USAGE);
    expect(stderr).toContain(message);
    expect(stderr).toContain('Usage: npm run backfill');
    expect(openStore).not.toHaveBeenCalled();
  });

  it('reports a bad configuration in one paragraph, exit 1, before opening the store', async () => {
    const { code, stderr, openStore } = await cli([], { env: { STORE: 'postgres', PORT: 'x' } });
    expect(code).toBe(EXIT_FAILED);
    expectOneParagraph(stderr);
    expect(stderr).toContain('the configuration is invalid, nothing was changed');
    expect(stderr).toContain('STORE must be one of mongodb, memory');
    expect(stderr).toContain('PORT must be an integer');
    expect(openStore).not.toHaveBeenCalled();
  });

  it('reports a store it cannot open in one paragraph, exit 1', async () => {
    const failure = new Error(
      'connect ECONNREFUSED 10.0.0.7:27017\n    at TCPConnectWrap.afterConnect',
    );
    const { code, stderr } = await cli([], {
      env: { STORE: 'mongodb', MONGODB_URI: 'mongodb://10.0.0.7:27017/stockhold' },
      openStore: async () => {
        throw failure;
      },
    });
    expect(code).toBe(EXIT_FAILED);
    expectOneParagraph(stderr);
    expect(stderr).toContain('cannot open the store, nothing was changed: connect ECONNREFUSED');
  });

  it('refuses to backfill the empty in-memory store the service falls back to without MongoDB', async () => {
    const { code, stderr, opened } = await cli(['--checkpoint', checkpoint], {
      env: { STORE: 'mongodb' },
    });
    expect(code).toBe(EXIT_FAILED);
    expectOneParagraph(stderr);
    expect(stderr).toContain('fell back to an empty in-memory store');
    expect(opened.closed).toBe(true);
    await expect(readFile(checkpoint)).rejects.toThrow();
  });

  it('walks every variant, prints plain progress lines off a terminal and a summary', async () => {
    const store = new FakeSearchStore(makeVariants(95));
    const { code, stdout, stderr, opened } = await cli(
      ['--checkpoint', checkpoint, '--batch-size', '10'],
      { store },
    );
    expect(code, stderr).toBe(EXIT_OK);
    expect(stdout).toMatch(
      /^Backfill complete: 95 variants walked \(95 by this run\), 95 search documents written, in 0:00\.\n$/,
    );
    expect(stderr).toContain(`checkpoint ${checkpoint}; batch size 10`);
    // No count on the store: processed and rate, one plain line per batch here.
    expect(stderr).toContain('backfill 10 variants · ');
    expect(stderr).toContain('backfill 95 variants · ');
    expect(stderr).not.toContain('\r');
    expect(store.documents.size).toBe(95);
    expect(opened.closed).toBe(true);
  });

  it('draws a bar with processed/total, rate and ETA on a terminal when the store can count', async () => {
    const store = new FakeSearchStore(makeVariants(95), { countable: true });
    const { code, stderr } = await cli(['--checkpoint', checkpoint, '--batch-size', '10'], {
      store,
      tty: true,
    });
    expect(code).toBe(EXIT_OK);
    expect(stderr).toContain('\r\x1b[2Kbackfill [');
    expect(stderr).toMatch(/100\.0% 95\/95 · [\d,]+\/s · ETA 0:00\n/);
  });

  it('stops at a batch boundary when signalled, saves the checkpoint and exits 130; a rerun resumes', async () => {
    const controller = new AbortController();
    const store = new FakeSearchStore(makeVariants(95));
    const list = store.listVariants.bind(store);
    store.listVariants = async (afterId, limit) => {
      if (afterId === variantId(20)) controller.abort();
      return list(afterId, limit);
    };
    const first = await cli(['--checkpoint', checkpoint, '--batch-size', '10'], {
      store,
      signal: controller.signal,
    });
    expect(first.code).toBe(EXIT_INTERRUPTED);
    expect(first.stderr).toContain(
      `Interrupted: stopped after 30 variants (last id ${variantId(30)}). Checkpoint saved to ${checkpoint}`,
    );
    expect(JSON.parse(await readFile(checkpoint, 'utf8'))).toMatchObject({ processed: 30 });

    const second = await cli(['--checkpoint', checkpoint, '--batch-size', '10']);
    expect(second.code).toBe(EXIT_OK);
    expect(second.stderr).toContain(`Resuming after variant ${variantId(30)}: 30 variants done`);
    expect(second.stdout).toContain('95 variants walked (65 by this run)');

    const third = await cli(['--checkpoint', checkpoint]);
    expect(third.code).toBe(EXIT_OK);
    expect(third.stdout).toContain(`Nothing to do: ${checkpoint} records a finished walk`);
    expect(third.stdout).toContain('Pass --reset');

    const fourth = await cli(['--checkpoint', checkpoint, '--reset']);
    expect(fourth.stdout).toContain('95 variants walked (95 by this run)');
  });

  it('refuses a corrupt checkpoint with the file and the way out, leaving it untouched', async () => {
    await writeFile(checkpoint, '{"format": "stockhold-backfill-checkpoint", "ver');
    const store = new FakeSearchStore(makeVariants(95));
    const { code, stderr } = await cli(['--checkpoint', checkpoint], { store });
    expect(code).toBe(EXIT_FAILED);
    expect(stderr).toContain(`The checkpoint file ${checkpoint} is not valid JSON`);
    expect(stderr).toContain('Pass --reset');
    expect(store.listCalls).toHaveLength(0);
    expect(await readFile(checkpoint, 'utf8')).toBe(
      '{"format": "stockhold-backfill-checkpoint", "ver',
    );
  });

  it('--dry-run counts without writing documents or the checkpoint', async () => {
    const store = new FakeSearchStore(makeVariants(95));
    const { code, stdout } = await cli(['--checkpoint', checkpoint, '--dry-run'], { store });
    expect(code).toBe(EXIT_OK);
    expect(stdout).toContain('Dry run complete: 95 variants would be indexed');
    expect(store.upsertCalls).toBe(0);
    await expect(readFile(checkpoint)).rejects.toThrow();
  });

  it('reports a failure mid-walk in one paragraph and resumes from the last finished batch', async () => {
    const { code, stderr } = await cli(['--checkpoint', checkpoint, '--batch-size', '10'], {
      store: new FakeSearchStore(makeVariants(95), { failOnUpsertCall: 3 }),
    });
    expect(code).toBe(EXIT_FAILED);
    const failure = stderr.split('\n').filter((line) => line.includes('failed'));
    expect(failure).toEqual([
      `stockhold backfill: failed after 20 variants (last id ${variantId(20)}): the sink is down. ` +
        `The checkpoint ${checkpoint} keeps the last finished batch; run the same command again to resume.`,
    ]);
  });
});
