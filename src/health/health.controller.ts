import { Controller, Get, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';
import type { FastifyReply } from 'fastify';
import { Public } from '../common/auth/auth.decorators';
import { HealthService, Readiness } from './health.service';

@ApiTags('health')
@Public()
// Never rate limited: probes and scrapes must get through a flood.
@SkipThrottle({ global: true, reserve: true })
@Controller('health')
export class HealthController {
  constructor(private readonly health: HealthService) {}

  @Get('live')
  @ApiOperation({ summary: 'Liveness: the process runs (no dependency is checked)' })
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /** 200 when the service can take traffic (possibly degraded), 503 when a required dependency is down. */
  @Get('ready')
  @ApiOperation({
    summary: 'Readiness: 200 when the service can take traffic (possibly degraded), else 503',
  })
  async ready(@Res({ passthrough: true }) reply: FastifyReply): Promise<Readiness> {
    const readiness = await this.health.readiness();
    if (readiness.status === 'unavailable') void reply.status(503);
    return readiness;
  }
}
