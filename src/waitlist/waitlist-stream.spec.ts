import { describe, expect, it } from 'vitest';
import { fakeResponse } from '../../test/helpers/fake-response';
import { WaitlistStream } from './waitlist-stream';

const ID = '0123456789abcdef01234567';

describe('WaitlistStream', () => {
  it("writes a shopper's notices as SSE events, without the user id", () => {
    const { response, written } = fakeResponse(100);
    const stream = new WaitlistStream(response);
    stream.send({
      type: 'offer',
      userId: 'alice',
      variantId: ID,
      entryId: ID,
      reservationId: ID,
      quantity: 1,
      expiresAt: new Date('2030-01-01T00:02:00.000Z'),
    });
    stream.heartbeat();
    expect(written).toEqual([
      `event: offer\ndata: {"entryId":"${ID}","variantId":"${ID}","reservationId":"${ID}",` +
        `"quantity":1,"expiresAt":"2030-01-01T00:02:00.000Z"}\n\n`,
      ': heartbeat\n\n',
    ]);
  });

  it('holds notices while the socket is congested and sends them, in order, on drain', () => {
    const { response, written, emitter } = fakeResponse(1);
    const stream = new WaitlistStream(response);
    const expired = (entryId: string) =>
      stream.send({ type: 'expired', userId: 'alice', variantId: ID, entryId });
    expired('a'.repeat(24));
    expired('b'.repeat(24));
    stream.heartbeat();
    expect(written).toHaveLength(1);
    emitter.emit('drain');
    expect(written).toHaveLength(2);
    expect(written[1]).toContain('b'.repeat(24));
  });
});
