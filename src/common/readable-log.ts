import type { DestinationStream } from 'pino';

const LEVEL_NAMES: Record<number, string> = {
  10: 'TRACE',
  20: 'DEBUG',
  30: 'INFO',
  40: 'WARN',
  50: 'ERROR',
  60: 'FATAL',
};

/** pino's own fields, shown in the line's head rather than as key=value pairs. */
const HEAD_FIELDS = new Set(['level', 'time', 'pid', 'hostname', 'msg', 'context', 'err', 'stack']);

/**
 * One pino JSON line as a person reads it in a terminal:
 * `12:00:01.234 INFO  [Bootstrap] stockhold listening on … key=value`, then a stack if any.
 */
export function formatReadableLine(json: string): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json.endsWith('\n') ? json : `${json}\n`;
  }
  const time =
    typeof entry.time === 'number' ? new Date(entry.time).toISOString().slice(11, 23) : '';
  const level = (LEVEL_NAMES[entry.level as number] ?? String(entry.level)).padEnd(5);
  const context = entry.context ? `[${String(entry.context)}] ` : '';
  const fields = Object.entries(entry)
    .filter(([key]) => !HEAD_FIELDS.has(key))
    .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`);
  const err = entry.err as { stack?: string } | undefined;
  const stack = err?.stack ?? (typeof entry.stack === 'string' ? entry.stack : undefined);
  const head = [time, level, `${context}${String(entry.msg ?? '')}`, ...fields].filter(Boolean);
  return `${head.join(' ')}\n${stack ? `${stack}\n` : ''}`;
}

/**
 * Development's log destination: the same lines as production's JSON, made readable. Synchronous
 * writes to stdout; development traffic is light and a line shows the moment it is written.
 */
export function readableDestination(
  write: (text: string) => void = (text) => process.stdout.write(text),
): DestinationStream {
  return { write: (line: string) => write(formatReadableLine(line)) };
}
