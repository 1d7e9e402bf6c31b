// Behind `npm run -s token -- --sub USER [--admin]`: the token CLI compiled from src/cli/token.ts.
import { createRequire } from 'node:module';
import { ensureBuilt } from './ensure-built.mjs';

const require = createRequire(import.meta.url);
require(ensureBuilt('cli/token.js', 'token'));
