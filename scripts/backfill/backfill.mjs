// Behind `npm run backfill -- [options]` (docs/architecture.md §1); `--help` lists the options.
//
// The backfill is TypeScript in src/ (src/cli/backfill.ts and src/search/backfill/) and runs from
// the compiled dist/, so it shares the service's configuration and store adapters; ensureBuilt
// rebuilds a stale dist/ first. The CLI runs in this process, so Ctrl-C reaches it directly.
import { createRequire } from 'node:module';
import { ensureBuilt } from '../ensure-built.mjs';

const require = createRequire(import.meta.url);
// Runs the CLI, which reads process.argv and exits with its own code.
require(ensureBuilt('cli/backfill.js', 'backfill'));
