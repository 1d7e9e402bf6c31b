/**
 * `npm run backfill -- [--batch-size N] [--checkpoint PATH] [--reset] [--dry-run]` (through
 * scripts/backfill/backfill.mjs, which builds first) or `node dist/cli/backfill.js …`. See --help.
 */
import { main } from '../search/backfill/backfill.cli';

void main(process.argv.slice(2));
