import { SKIP_REASONS, type SkipReason, type WaitlistNotice } from '../store/waitlist.types';

/** One batch of notices on the Redis channel, with the instance that sent it. */
export interface WaitlistMessage {
  origin: string;
  notices: WaitlistNotice[];
}

const OBJECT_ID = /^[0-9a-f]{24}$/;

export function encodeWaitlistMessage(message: WaitlistMessage): string {
  return JSON.stringify(message);
}

/** The notices a message carries (each checked, the malformed ones dropped), or undefined. */
export function decodeWaitlistMessage(text: string): WaitlistMessage | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const { origin, notices } = parsed as Record<string, unknown>;
  if (typeof origin !== 'string' || origin.length === 0 || !Array.isArray(notices)) {
    return undefined;
  }
  return {
    origin,
    notices: notices.map(decodeNotice).filter((n): n is WaitlistNotice => n !== undefined),
  };
}

function decodeNotice(value: unknown): WaitlistNotice | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const fields = value as Record<string, unknown>;
  const { type, userId, variantId, entryId } = fields;
  if (typeof userId !== 'string' || userId.length === 0) return undefined;
  if (typeof variantId !== 'string' || !OBJECT_ID.test(variantId)) return undefined;
  if (typeof entryId !== 'string' || !OBJECT_ID.test(entryId)) return undefined;
  const about = { userId, variantId, entryId };
  if (type === 'expired') return { type, ...about };
  if (type === 'skipped') {
    if (!SKIP_REASONS.includes(fields.reason as SkipReason)) return undefined;
    return { type, ...about, reason: fields.reason as SkipReason };
  }
  if (type === 'offer') {
    const { reservationId, quantity, expiresAt } = fields;
    const expiry = typeof expiresAt === 'string' ? new Date(expiresAt) : undefined;
    if (typeof reservationId !== 'string' || !OBJECT_ID.test(reservationId)) return undefined;
    if (!Number.isSafeInteger(quantity) || !expiry || Number.isNaN(expiry.getTime())) {
      return undefined;
    }
    return { type, ...about, reservationId, quantity: quantity as number, expiresAt: expiry };
  }
  return undefined;
}
