/**
 * The worker process's modules (createWorker: the webhook publisher and delivery worker among the
 * rest) in a child process, on the parent's store over IPC (test/helpers/ipc-store.ts), so a test
 * can SIGKILL it mid-delivery. Configuration comes from the environment, as for `npm run worker`.
 * Compiled to CommonJS by test/backfill/compile-for-child.ts.
 */
import 'reflect-metadata';
import { loadConfig } from '../../src/config/app-config';
import { createWorker } from '../../src/worker.factory';
import { ipcStore } from '../helpers/ipc-store';

void createWorker({
  config: loadConfig(process.env),
  store: ipcStore(),
  closeStore: async () => undefined,
}).then(() => process.stderr.write('webhook worker child ready\n'));
