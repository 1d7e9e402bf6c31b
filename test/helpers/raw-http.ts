import { connect, type Socket } from 'node:net';

export interface RawExchange {
  /** Everything the server wrote before it closed the socket (or before `waitMs` ran out). */
  response: string;
  /** True when the server closed the socket. */
  closed: boolean;
  /** Milliseconds from the first byte sent until the socket closed (or the wait ended). */
  elapsedMs: number;
}

/**
 * Writes raw bytes to the app's port — what fetch cannot send: malformed HTTP, oversized headers,
 * half a body — and collects the answer until the server closes the socket or `waitMs` passes.
 */
export function rawRequest(url: string, payload: string, waitMs = 3000): Promise<RawExchange> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket: Socket = connect(Number(port), hostname);
    let response = '';
    const startedAt = Date.now();
    const finish = (closed: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ response, closed, elapsedMs: Date.now() - startedAt });
    };
    const timer = setTimeout(() => finish(false), waitMs);
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (response += chunk));
    socket.on('close', () => finish(true));
    socket.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'ECONNRESET') reject(error);
    });
    socket.on('connect', () => socket.write(payload));
  });
}

/** Sends headers and part of a body, then drops the connection without reading the answer. */
export function abortMidBody(url: string, path: string, token: string): Promise<void> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname, () => {
      socket.write(
        `POST ${path} HTTP/1.1\r\nHost: ${hostname}\r\nAuthorization: Bearer ${token}\r\n` +
          'Content-Type: application/json\r\nContent-Length: 200\r\n\r\n{"variantId":',
      );
      setTimeout(() => {
        socket.destroy();
        resolve();
      }, 50);
    });
    socket.on('error', () => undefined);
  });
}

/** The JSON body and headers of a raw HTTP/1.1 response. */
export function parseRawResponse(raw: string): {
  status: number;
  headers: Record<string, string>;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the test asserts the shape
  body: any;
} {
  const [head, ...rest] = raw.split('\r\n\r\n');
  const [statusLine, ...headerLines] = head.split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of headerLines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const text = rest.join('\r\n\r\n');
  return {
    status: Number(statusLine.split(' ')[1]),
    headers,
    body: text ? JSON.parse(text) : undefined,
  };
}
