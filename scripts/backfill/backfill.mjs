// Behind `npm run backfill -- [options]` (DESIGN §1); `--help` lists the options.
//
// The backfill is TypeScript in src/ (src/cli/backfill.ts and src/search/backfill/) and runs from
// the compiled dist/, so it shares the service's configuration and store adapters. In a development
// checkout (the TypeScript compiler is installed) this rebuilds first when dist/ is missing or
// older than any source file; the production image has no dev dependencies and runs the dist/ it
// was built with. The CLI runs in this process, so Ctrl-C reaches it directly.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..', '..');
const require = createRequire(import.meta.url);
const compiledCli = path.join(root, 'dist', 'cli', 'backfill.js');
const buildInputs = ['src', 'tsconfig.json', 'tsconfig.build.json', 'package.json'];

function fail(message) {
  process.stderr.write(`stockhold backfill: ${message}\n`);
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

/** The newest modification time under `entry` (a file or a directory), in ms. */
function newestChange(entry) {
  const stats = statSync(entry, { throwIfNoEntry: false });
  if (!stats) return 0;
  if (!stats.isDirectory()) return stats.mtimeMs;
  let newest = stats.mtimeMs;
  for (const child of readdirSync(entry)) {
    newest = Math.max(newest, newestChange(path.join(entry, child)));
  }
  return newest;
}

function stale() {
  const built = statSync(compiledCli, { throwIfNoEntry: false });
  if (!built) return true;
  return buildInputs.some((input) => newestChange(path.join(root, input)) > built.mtimeMs);
}

if (typescriptInstalled() && stale()) {
  process.stderr.write('stockhold backfill: building (dist/ is missing or older than src/)…\n');
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
      'the build (npm run build) failed, see above; the backfill runs from the compiled dist/, nothing was changed.',
    );
  }
}
if (!existsSync(compiledCli)) {
  fail(
    `${path.relative(root, compiledCli)} is missing; run npm run build first. Nothing was changed.`,
  );
}

// Runs the CLI, which reads process.argv and exits with its own code.
require(compiledCli);
