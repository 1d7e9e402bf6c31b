/**
 * The store cannot be opened for a reason the operator must fix (unreachable database, database
 * not migrated). The message is one self-explaining line: the entry points print it without a
 * stack trace and exit 1.
 */
export class StoreStartupError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreStartupError';
  }
}

/** An error's message on one line (driver messages may span several). */
export function oneLineMessage(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).replace(/\s+/g, ' ').trim();
}
