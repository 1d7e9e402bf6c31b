/**
 * The backfill CLI in a child process, against the durable FileSearchStore: the real argument
 * parsing, checkpoint file, signal handling and exit codes, with only the database swapped.
 * Usage: node backfill-child.js DATA_DIR DELAY_PER_DOCUMENT_MS [backfill options…]
 * Compiled to CommonJS by compile-for-child.ts, since Node 20 cannot run TypeScript itself.
 */
import { ManualClock } from '../../src/common/clock';
import { main } from '../../src/search/backfill/backfill.cli';
import { FileSearchStore } from './file-search-store';

const [directory, delay, ...argv] = process.argv.slice(2);

void FileSearchStore.open(directory, Number(delay)).then((store) =>
  main(argv, {
    env: { NODE_ENV: 'test', STORE: 'memory', LOG_LEVEL: 'silent' },
    openStore: async () => ({ store, description: 'file store', close: async () => undefined }),
    // A fixed clock: every run writes byte-identical documents, so runs compare exactly.
    clock: new ManualClock(new Date('2030-01-01T00:00:00.000Z')),
    plainProgressIntervalMs: 0,
  }),
);
