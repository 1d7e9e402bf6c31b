import type { WaitlistEntryView } from '../store/waitlist.types';

export interface WaitlistEntryResponse {
  id: string;
  variantId: string;
  quantity: number;
  status: string;
  /** 1 = next in line; null when not waiting, or waiting for the opening lottery. */
  position: number | null;
  /** True while the entry, made before saleStartsAt, waits for the opening lottery. */
  lottery: boolean;
  joinedAt: string;
  expiresAt: string;
  reservationId?: string;
  skipReason?: string;
}

export function presentWaitlistEntry(entry: WaitlistEntryView): WaitlistEntryResponse {
  const body: WaitlistEntryResponse = {
    id: entry.id,
    variantId: entry.variantId,
    quantity: entry.quantity,
    status: entry.status,
    position: entry.position,
    lottery: entry.status === 'waiting' && entry.order === null,
    joinedAt: entry.joinedAt.toISOString(),
    expiresAt: entry.expiresAt.toISOString(),
  };
  if (entry.reservationId) body.reservationId = entry.reservationId;
  if (entry.skipReason) body.skipReason = entry.skipReason;
  return body;
}
