import { timingSafeEqual } from 'node:crypto';
import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { AppConfig } from '../config/app-config';
import { UnauthorizedError } from '../common/errors/domain-errors';

/**
 * Whether a scrape may read the metrics: always when METRICS_TOKEN is unset, else only with
 * `Authorization: Bearer <METRICS_TOKEN>` (compared in constant time).
 */
export function scrapeAllowed(config: AppConfig, authorization: string | undefined): boolean {
  if (config.metricsToken === undefined) return true;
  const given = Buffer.from(authorization ?? '');
  const expected = Buffer.from(`Bearer ${config.metricsToken}`);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export const METRICS_TOKEN_REFUSED = 'GET /metrics needs Authorization: Bearer <METRICS_TOKEN>';

/** Guards the API's /metrics with METRICS_TOKEN (the worker's server checks scrapeAllowed itself). */
@Injectable()
export class MetricsTokenGuard implements CanActivate {
  constructor(private readonly config: AppConfig) {}

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    if (!scrapeAllowed(this.config, request.headers.authorization)) {
      throw new UnauthorizedError(METRICS_TOKEN_REFUSED);
    }
    return true;
  }
}
