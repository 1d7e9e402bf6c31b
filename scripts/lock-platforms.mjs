#!/usr/bin/env node
/**
 * Adds lock-file entries for native optional packages that this project's package mirror does not
 * serve (macOS, Windows and rare Linux builds of @swc/core and msgpackr-extract).
 *
 * Why: npm writes no entry for an optional dependency it cannot resolve, and `npm ci` then refuses
 * the lock ("Missing: @swc/core-darwin-arm64@ from lock file"). An entry restricted to its os/cpu
 * is skipped by npm on every other platform, so the lock installs here and stays correct on a
 * machine that has the package. Run after any `npm install` that rewrites package-lock.json:
 *   node scripts/lock-platforms.mjs
 */
import { readFileSync, writeFileSync } from 'node:fs';

const PLATFORM = {
  'darwin-arm64': { os: 'darwin', cpu: 'arm64' },
  'darwin-x64': { os: 'darwin', cpu: 'x64' },
  'linux-arm': { os: 'linux', cpu: 'arm' },
  'linux-arm-gnueabihf': { os: 'linux', cpu: 'arm' },
  'linux-ppc64-gnu': { os: 'linux', cpu: 'ppc64' },
  'linux-s390x-gnu': { os: 'linux', cpu: 's390x' },
  'win32-arm64-msvc': { os: 'win32', cpu: 'arm64' },
  'win32-ia32-msvc': { os: 'win32', cpu: 'ia32' },
  'win32-x64-msvc': { os: 'win32', cpu: 'x64' },
  'win32-x64': { os: 'win32', cpu: 'x64' },
};

const path = new URL('../package-lock.json', import.meta.url);
const lock = JSON.parse(readFileSync(path, 'utf8'));
let added = 0;
for (const [location, entry] of Object.entries(lock.packages)) {
  for (const [name, version] of Object.entries(entry.optionalDependencies ?? {})) {
    const key = `node_modules/${name}`;
    if (lock.packages[key]) continue;
    const suffix = Object.keys(PLATFORM).find((platform) => name.endsWith(`-${platform}`));
    if (!suffix) {
      process.stderr.write(
        `lock-platforms: ${name} (from ${location || 'root'}) is missing and unknown\n`,
      );
      continue;
    }
    lock.packages[key] = {
      version,
      cpu: [PLATFORM[suffix].cpu],
      ...(entry.dev && { dev: true }),
      optional: true,
      os: [PLATFORM[suffix].os],
    };
    added += 1;
  }
}
writeFileSync(path, `${JSON.stringify(lock, null, 2)}\n`);
process.stdout.write(`lock-platforms: added ${added} platform entr${added === 1 ? 'y' : 'ies'}\n`);
