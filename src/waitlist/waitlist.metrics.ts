import { Injectable } from '@nestjs/common';
import { Counter, Gauge } from 'prom-client';
import { MetricsService } from '../metrics/metrics.service';

/** This process's waitlist hand-overs and streams. */
@Injectable()
export class WaitlistMetrics {
  readonly notices: Counter<'type'>;
  readonly openStreams: Gauge;

  constructor(metrics: MetricsService) {
    const registers = [metrics.registry];
    this.notices = new Counter({
      name: 'stockhold_waitlist_notices_total',
      help: 'What hand-overs and expiries in this process did to waitlist entries, by type (offer, skipped, expired)',
      labelNames: ['type'] as const,
      registers,
    });
    this.openStreams = new Gauge({
      name: 'stockhold_waitlist_streams_open',
      help: 'Waitlist notice streams (Server-Sent Events) open on this instance',
      registers,
    });
  }
}
