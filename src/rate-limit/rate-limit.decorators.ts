import { SetMetadata } from '@nestjs/common';

export const RESERVE_LIMITED = 'stockhold:reserve-limited';
export const NOT_RATE_LIMITED = 'stockhold:not-rate-limited';

/** Counts this route against the per-shopper reservation limit (RESERVE_RATE_LIMIT). */
export const ReserveRateLimited = () => SetMetadata(RESERVE_LIMITED, true);

/** Exempts a route (or a controller) from every limit: health checks, metrics scrapes. */
export const NoRateLimit = () => SetMetadata(NOT_RATE_LIMITED, true);
