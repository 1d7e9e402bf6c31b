import { describe, expect, it } from 'vitest';
import type { WaitlistNotice } from '../store/waitlist.types';
import { decodeWaitlistMessage, encodeWaitlistMessage } from './waitlist-notice.codec';

const ID = '0123456789abcdef01234567';
const about = { userId: 'alice', variantId: ID, entryId: ID };

describe('waitlist messages on the bus', () => {
  it('round-trip every kind of notice, dates included', () => {
    const notices: WaitlistNotice[] = [
      {
        type: 'offer',
        ...about,
        reservationId: ID,
        quantity: 2,
        expiresAt: new Date('2030-01-01T00:02:00.000Z'),
      },
      { type: 'skipped', ...about, reason: 'PURCHASE_LIMIT_EXCEEDED' },
      { type: 'expired', ...about },
    ];
    const message = { origin: 'instance-1', notices };
    expect(decodeWaitlistMessage(encodeWaitlistMessage(message))).toEqual(message);
  });

  it('refuses what is malformed and drops notices it cannot trust', () => {
    expect(decodeWaitlistMessage('not json')).toBeUndefined();
    expect(decodeWaitlistMessage(JSON.stringify({ notices: [] }))).toBeUndefined();
    const decoded = decodeWaitlistMessage(
      JSON.stringify({
        origin: 'i',
        notices: [
          { type: 'expired', ...about, variantId: 'x' },
          { type: 'skipped', ...about, reason: 'BECAUSE' },
          { type: 'offer', ...about, reservationId: ID, quantity: 1, expiresAt: 'soon' },
          { type: 'expired', ...about, userId: '' },
          { type: 'expired', ...about },
        ],
      }),
    );
    expect(decoded).toEqual({ origin: 'i', notices: [{ type: 'expired', ...about }] });
  });
});
