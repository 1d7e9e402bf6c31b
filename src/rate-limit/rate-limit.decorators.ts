import { SetMetadata } from '@nestjs/common';
import { SkipThrottle } from '@nestjs/throttler';

export const RESERVE_LIMITED = 'stockhold:reserve-limited';

/** Counts this route against the per-shopper reservation limit (RESERVE_RATE_LIMIT). */
export const ReserveRateLimited = () => SetMetadata(RESERVE_LIMITED, true);

/** Exempts a route from every limit (health checks, metrics scrapes). */
export const NoRateLimit = () => SkipThrottle({ global: true, reserve: true });
