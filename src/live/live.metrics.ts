import { Injectable } from '@nestjs/common';
import { Counter, Gauge } from 'prom-client';
import { MetricsService } from '../metrics/metrics.service';

/** This process's live availability streams. */
@Injectable()
export class LiveMetrics {
  readonly openStreams: Gauge;
  readonly messages: Counter;

  constructor(metrics: MetricsService) {
    const registers = [metrics.registry];
    this.openStreams = new Gauge({
      name: 'stockhold_live_streams_open',
      help: 'Live availability streams (Server-Sent Events) open on this instance',
      registers,
    });
    this.messages = new Counter({
      name: 'stockhold_live_messages_total',
      help: 'Availability messages written to live streams (one per stream per coalesced change)',
      registers,
    });
  }
}
