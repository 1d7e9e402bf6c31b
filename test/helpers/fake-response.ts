import { EventEmitter } from 'node:events';
import type { ServerResponse } from 'node:http';

/**
 * A response for event-stream writers: it records every write, accepts `room` of them, then
 * reports the socket congested until the test emits `drain`.
 */
export function fakeResponse(room: number) {
  const written: string[] = [];
  const emitter = new EventEmitter();
  const response = Object.assign(emitter, {
    writableEnded: false,
    destroyed: false,
    write: (text: string) => {
      written.push(text);
      return written.length < room;
    },
  });
  return { response: response as unknown as ServerResponse, written, emitter };
}
