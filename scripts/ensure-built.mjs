// Shared by the launchers of the CLIs compiled from src/ (migrate, backfill, token).
//
// In a development checkout (the TypeScript compiler is installed) the CLI is rebuilt when dist/
// is missing or older than any source file, so it never runs stale code; the production image has
// no dev dependencies and runs the dist/ it was built with.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

export const root = path.resolve(import.meta.dirname, '..');
const require = createRequire(import.meta.url);
const buildInputs = ['src', 'tsconfig.json', 'tsconfig.build.json', 'package.json'];

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

function stale(compiled) {
  const built = statSync(compiled, { throwIfNoEntry: false });
  if (!built) return true;
  return buildInputs.some((input) => newestChange(path.join(root, input)) > built.mtimeMs);
}

/**
 * Makes sure dist/<relativePath> exists and is current; returns its absolute path. On failure
 * prints `stockhold <name>: …` and exits 1 (nothing has been changed by then).
 */
export function ensureBuilt(relativePath, name) {
  const compiled = path.join(root, 'dist', relativePath);
  const fail = (message) => {
    process.stderr.write(`stockhold ${name}: ${message}\n`);
    process.exit(1);
  };
  if (typescriptInstalled() && stale(compiled)) {
    process.stderr.write(`stockhold ${name}: building (dist/ is missing or older than src/)…\n`);
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
        `the build (npm run build) failed, see above; the ${name} CLI runs from the compiled dist/. Nothing was changed.`,
      );
    }
  }
  if (!existsSync(compiled)) {
    fail(
      `${path.relative(root, compiled)} is missing; run npm run build first. Nothing was changed.`,
    );
  }
  return compiled;
}
