/**
 * Where migrations report progress. migrate-mongo calls `up(db, client)` with nothing else, so the
 * sink is module state: the CLI keeps the default (plain lines on stdout, readable in a terminal
 * and in `docker compose logs`), tests swap it to capture or silence the lines.
 */
export type MigrationLogSink = (line: string) => void;

const toStdout: MigrationLogSink = (line) => {
  process.stdout.write(`${line}\n`);
};

let sink: MigrationLogSink = toStdout;

export function migrationLog(line: string): void {
  sink(line);
}

/** Replaces the sink; returns a function that restores the previous one. */
export function setMigrationLogSink(next: MigrationLogSink): () => void {
  const previous = sink;
  sink = next;
  return () => {
    sink = previous;
  };
}
