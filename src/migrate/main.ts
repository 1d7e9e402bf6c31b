import { runMigrateCli } from './migrate.cli';

// Entry point: `node dist/migrate/main.js up|status|down` (the compose `migrate` service runs this).
// process.exit, not exitCode: a one-shot job must end even if a driver timer lingers.
void runMigrateCli(process.argv.slice(2)).then((code) => process.exit(code));
