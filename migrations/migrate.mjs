// Behind `npm run migrate`, `migrate:status` and `migrate:down` (argument: up | status | down).
//
// The migrations are TypeScript in src/migrate/ and run from the service's compiled dist/, so they
// share its validated configuration and its index list; ensureBuilt rebuilds a stale dist/ first.
import { createRequire } from 'node:module';
import { ensureBuilt } from '../scripts/ensure-built.mjs';

const require = createRequire(import.meta.url);
const { runMigrateCli } = require(ensureBuilt('migrate/migrate.cli.js', 'migrate'));
process.exit(await runMigrateCli(process.argv.slice(2)));
