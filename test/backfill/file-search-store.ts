import { appendFile, mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import type { BackfillStore } from '../../src/search/backfill/backfill-engine';
import type { SearchDocument, VariantWithInventory } from '../../src/store/store.types';

/**
 * A durable stand-in for the database, for the crash tests: the backfill runs in a child process
 * that gets SIGKILLed, and what it wrote must outlive it. Variants are read from variants.json;
 * each search document is one file in documents/ (replaced by rename, so one document is written
 * whole or not at all, like a database write); journal.log gets one line per upsert call with the
 * number of documents offered, to measure how much work the kills made the walk redo.
 */
export class FileSearchStore implements BackfillStore {
  readonly kind = 'memory' as const;

  private constructor(
    private readonly directory: string,
    private readonly variants: VariantWithInventory[],
    private readonly delayPerDocumentMs: number,
  ) {}

  static async seed(directory: string, variants: VariantWithInventory[]): Promise<void> {
    await mkdir(path.join(directory, 'documents'), { recursive: true });
    await writeFile(path.join(directory, 'variants.json'), JSON.stringify(variants));
  }

  static async open(directory: string, delayPerDocumentMs = 0): Promise<FileSearchStore> {
    const raw = JSON.parse(
      await readFile(path.join(directory, 'variants.json'), 'utf8'),
    ) as VariantWithInventory[];
    const variants = raw
      .map(({ variant, inventory }) => ({
        variant: {
          ...variant,
          createdAt: new Date(variant.createdAt),
          updatedAt: new Date(variant.updatedAt),
          ...(variant.saleStartsAt && { saleStartsAt: new Date(variant.saleStartsAt) }),
          ...(variant.saleEndsAt && { saleEndsAt: new Date(variant.saleEndsAt) }),
        },
        inventory: { ...inventory, updatedAt: new Date(inventory.updatedAt) },
      }))
      .sort((a, b) => (a.variant.id < b.variant.id ? -1 : 1));
    return new FileSearchStore(directory, variants, delayPerDocumentMs);
  }

  async countVariants(): Promise<number> {
    return this.variants.length;
  }

  async listVariants(afterId: string | null, limit: number): Promise<VariantWithInventory[]> {
    return this.variants
      .filter(({ variant }) => afterId === null || variant.id > afterId)
      .slice(0, limit);
  }

  async upsertSearchDocuments(documents: SearchDocument[]): Promise<number> {
    await appendFile(path.join(this.directory, 'journal.log'), `${documents.length}\n`);
    let written = 0;
    for (const document of documents) {
      const file = path.join(this.directory, 'documents', `${document.variantId}.json`);
      const stored = await readFile(file, 'utf8').then(
        (text) => JSON.parse(text) as SearchDocument,
        () => null,
      );
      if (stored && stored.syncedVersion >= document.syncedVersion) continue;
      await writeFile(`${file}.tmp`, JSON.stringify(document));
      await rename(`${file}.tmp`, file);
      written += 1;
      // Widens the window in which a kill lands mid-batch.
      if (this.delayPerDocumentMs > 0) {
        await new Promise((resolve) => setTimeout(resolve, this.delayPerDocumentMs));
      }
    }
    return written;
  }
}

/** variantId → the document file's text, for comparing two runs exactly. */
export async function readDocuments(directory: string): Promise<Map<string, string>> {
  const documentsDirectory = path.join(directory, 'documents');
  const documents = new Map<string, string>();
  for (const name of (await readdir(documentsDirectory)).sort()) {
    if (!name.endsWith('.json')) continue;
    documents.set(
      name.slice(0, -'.json'.length),
      await readFile(path.join(documentsDirectory, name), 'utf8'),
    );
  }
  return documents;
}

/** Documents offered to upsertSearchDocuments over every run so far. */
export async function documentsOffered(directory: string): Promise<number> {
  const journal = await readFile(path.join(directory, 'journal.log'), 'utf8').catch(() => '');
  return journal
    .split('\n')
    .filter((line) => line !== '')
    .reduce((sum, line) => sum + Number(line), 0);
}
