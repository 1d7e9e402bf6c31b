// Behind `npm run migrate`, `migrate:status` and `migrate:down` (argument: up | status | down).
//
// The migrations are TypeScript in src/migrate/ and run from the service's compiled dist/, so they
// share its validated configuration and its index list. In a development checkout (the TypeScript
// compiler is installed) this rebuilds first, so dist/ is never stale; the production image has no
// dev dependencies and runs the dist/ it was built with.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const require = createRequire(import.meta.url);
const compiledCli = path.join(root, 'dist', 'migrate', 'migrate.cli.js');

function fail(message) {
  console.error(`stockhold migrate: ${message}`);
  process.exit(1);
}

function typescriptInstalled() {
  try {
    require.resolve('typescript', { paths: [root] });
    return true;
  } catch {
    return false;
  }
}

if (typescriptInstalled()) {
  // npm_execpath is the npm running this script; plain `npm` when started by hand.
  const npm = process.env.npm_execpath;
  const build = npm
    ? spawnSync(process.execPath, [npm, 'run', '--silent', 'build'], {
        cwd: root,
        stdio: 'inherit',
      })
    : spawnSync('npm', ['run', '--silent', 'build'], { cwd: root, stdio: 'inherit' });
  if (build.status !== 0) {
    fail(
      'the build (npm run build) failed, see above; migrations run from the compiled dist/, nothing was changed.',
    );
  }
}
if (!existsSync(compiledCli)) {
  fail(
    `${path.relative(root, compiledCli)} is missing; run npm run build first. Nothing was changed.`,
  );
}

const { runMigrateCli } = require(compiledCli);
process.exit(await runMigrateCli(process.argv.slice(2)));
