import { BeforeApplicationShutdown, Injectable } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { ServiceUnavailableError } from '../common/errors/domain-errors';
import { EventStreamHeartbeat, startEventStream } from '../common/http/event-stream';
import { AppConfig } from '../config/app-config';
import { WaitlistBus } from './waitlist-bus';
import { WaitlistStream } from './waitlist-stream';
import { WaitlistMetrics } from './waitlist.metrics';

/**
 * The shoppers' waitlist streams on this instance, by user id: each notice (from this process
 * or, through the WaitlistBus, from any other) goes to its shopper's open streams only. One
 * heartbeat interval serves every stream, as for live availability.
 */
@Injectable()
export class WaitlistStreams implements BeforeApplicationShutdown {
  private readonly byUser = new Map<string, Set<WaitlistStream>>();
  private readonly heartbeat: EventStreamHeartbeat;
  private open = 0;

  constructor(
    private readonly config: AppConfig,
    private readonly metrics: WaitlistMetrics,
    bus: WaitlistBus,
  ) {
    this.heartbeat = new EventStreamHeartbeat(config.liveHeartbeatMs, () => this.everyStream());
    bus.onNotice((notice) => {
      for (const stream of this.byUser.get(notice.userId) ?? []) stream.send(notice);
    });
  }

  /** Opens the shopper's stream on a hijacked reply; it stays open until the client leaves. */
  attach(userId: string, reply: FastifyReply): void {
    if (this.open >= this.config.liveMaxStreams) {
      throw new ServiceUnavailableError('Too many streams on this instance; retry shortly', 5);
    }
    const response = startEventStream(reply);
    if (!response) return;
    const stream = new WaitlistStream(response);
    let streams = this.byUser.get(userId);
    if (!streams) {
      streams = new Set();
      this.byUser.set(userId, streams);
    }
    streams.add(stream);
    this.open += 1;
    this.metrics.openStreams.inc();
    this.heartbeat.start();
    response.on('close', () => {
      streams.delete(stream);
      if (streams.size === 0 && this.byUser.get(userId) === streams) this.byUser.delete(userId);
      this.open -= 1;
      this.metrics.openStreams.dec();
      if (this.open === 0) this.heartbeat.stop();
    });
    // Opened: the client knows the stream is live before any notice.
    response.write(': open\n\n');
  }

  get streamCount(): number {
    return this.open;
  }

  beforeApplicationShutdown(): void {
    this.heartbeat.stop();
    for (const stream of this.everyStream()) stream.end();
  }

  private *everyStream(): Iterable<WaitlistStream> {
    for (const streams of this.byUser.values()) yield* streams;
  }
}
