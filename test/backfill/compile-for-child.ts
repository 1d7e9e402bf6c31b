import { transformFile } from '@swc/core';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import * as path from 'node:path';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');

/**
 * Compiles a TypeScript entry and every file it reaches through relative imports to CommonJS
 * under `outDir` (same layout as the repository), with SWC — fast, and independent of the state
 * of dist/ or of type errors elsewhere. Returns the compiled entry. Run it with NODE_PATH set to
 * the repository's node_modules so bare imports resolve from the temporary directory.
 */
export async function compileForChild(entry: string, outDir: string): Promise<string> {
  const pending = [path.resolve(entry)];
  const done = new Set<string>();
  while (pending.length > 0) {
    const source = pending.pop()!;
    if (done.has(source)) continue;
    done.add(source);
    const { code } = await transformFile(source, {
      jsc: {
        parser: { syntax: 'typescript', decorators: true },
        transform: { legacyDecorator: true, decoratorMetadata: true },
        target: 'es2022',
      },
      module: { type: 'commonjs' },
      sourceMaps: false,
    });
    const target = path.join(outDir, path.relative(REPO_ROOT, source)).replace(/\.ts$/, '.js');
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(target, code);
    for (const [, specifier] of code.matchAll(/require\("(\.{1,2}\/[^"]+)"\)/g)) {
      const base = path.resolve(path.dirname(source), specifier);
      const resolved = [`${base}.ts`, path.join(base, 'index.ts')].find((file) => existsSync(file));
      if (resolved) pending.push(resolved);
    }
  }
  return path.join(outDir, path.relative(REPO_ROOT, entry)).replace(/\.ts$/, '.js');
}
