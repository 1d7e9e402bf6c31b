import { describe, expect, it } from 'vitest';
import { fakeResponse } from '../../test/helpers/fake-response';
import { availabilityMessage, LiveStream } from './live-stream';

const ID = '0123456789abcdef01234567';
const figures = (version: number) =>
  availabilityMessage(ID, { availableStock: 10 - version, version });

describe('LiveStream', () => {
  it('frames figures as an availability event whose id is the version', () => {
    expect(availabilityMessage(ID, { availableStock: 3, version: 7 }).frame).toBe(
      `id: 7\nevent: availability\ndata: {"variantId":"${ID}","availableStock":3,"version":7}\n\n`,
    );
  });

  it('sends only versions newer than the last one the client has', () => {
    const { response, written } = fakeResponse(100);
    const stream = new LiveStream(response, 2);
    stream.send(figures(2));
    stream.send(figures(4));
    stream.send(figures(3));
    expect(written).toEqual([figures(4).frame]);
  });

  it('owes a congested reader only the newest figures, and sends them on drain', () => {
    const { response, written, emitter } = fakeResponse(1);
    const stream = new LiveStream(response, -1);
    stream.send(figures(1));
    stream.send(figures(2));
    stream.heartbeat();
    stream.send(figures(3));
    expect(written).toEqual([figures(1).frame]);
    emitter.emit('drain');
    expect(written).toEqual([figures(1).frame, figures(3).frame]);
  });
});
