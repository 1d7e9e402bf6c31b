import { request, type IncomingMessage } from 'node:http';

export interface SseEvent {
  event?: string;
  data?: string;
  id?: string;
  /** When the event's blank line arrived (performance.now()). */
  receivedAt: number;
}

export interface SseClient {
  status: number;
  headers: IncomingMessage['headers'];
  events: SseEvent[];
  /** Comment lines (`: …`) received, e.g. heartbeats. */
  comments: string[];
  /** Body of a non-200 answer, once it has ended. */
  body: () => Promise<string>;
  /** Resolves with the `count`-th event (1-based) once it has arrived. */
  nthEvent: (count: number, timeoutMs?: number) => Promise<SseEvent>;
  close: () => void;
}

/** A small Server-Sent Events client over node:http: parses `event:`, `data:`, `id:` and comments. */
export function openSse(url: string, headers: Record<string, string> = {}): Promise<SseClient> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: { accept: 'text/event-stream', ...headers } });
    req.on('error', reject);
    req.on('response', (response) => {
      const events: SseEvent[] = [];
      const comments: string[] = [];
      const waiters: Array<() => void> = [];
      let buffer = '';
      let current: Partial<SseEvent> = {};
      let text = '';
      const ended = new Promise<void>((done) => response.on('end', done));
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        text += chunk;
        buffer += chunk;
        let newline: number;
        while ((newline = buffer.indexOf('\n')) >= 0) {
          const line = buffer.slice(0, newline);
          buffer = buffer.slice(newline + 1);
          if (line === '') {
            if (Object.keys(current).length > 0) {
              events.push({ ...current, receivedAt: performance.now() });
              current = {};
              for (const wake of waiters.splice(0)) wake();
            }
          } else if (line.startsWith(':')) {
            comments.push(line.slice(1).trim());
            for (const wake of waiters.splice(0)) wake();
          } else {
            const colon = line.indexOf(':');
            const field = line.slice(0, colon);
            const value = line.slice(colon + 1).replace(/^ /, '');
            if (field === 'event' || field === 'data' || field === 'id') current[field] = value;
          }
        }
      });
      const nthEvent = (count: number, timeoutMs = 2000) =>
        new Promise<SseEvent>((done, fail) => {
          const timer = setTimeout(
            () => fail(new Error(`event ${count} did not arrive in ${timeoutMs} ms`)),
            timeoutMs,
          );
          const check = () => {
            if (events.length >= count) {
              clearTimeout(timer);
              done(events[count - 1]);
            } else waiters.push(check);
          };
          check();
        });
      resolve({
        status: response.statusCode ?? 0,
        headers: response.headers,
        events,
        comments,
        body: async () => {
          await ended;
          return text;
        },
        nthEvent,
        close: () => req.destroy(),
      });
    });
    req.end();
  });
}
