import { BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { StockBus } from '../bus/stock-bus';
import { CatalogService } from '../catalog/catalog.service';
import { ServiceUnavailableError } from '../common/errors/domain-errors';
import { EventStreamHeartbeat, startEventStream } from '../common/http/event-stream';
import { AppConfig } from '../config/app-config';
import { StockEvents, type StockFigures } from '../events/stock-events';
import { LiveMetrics } from './live.metrics';
import { availabilityMessage, LiveStream, type AvailabilityMessage } from './live-stream';

/** Everything one variant's open streams share: the latest figures and one coalescing timer. */
interface VariantChannel {
  variantId: string;
  streams: Set<LiveStream>;
  latest?: StockFigures;
  /** `latest` framed for the streams, built once per version whatever the number of streams. */
  message?: AvailabilityMessage;
  /** When figures last went out (performance.now()); -Infinity before the first message. */
  sentAt: number;
  /** A message held back by the coalescing window. */
  timer?: NodeJS.Timeout;
  /** A message due now, sent once the change's own request has been answered. */
  immediate?: NodeJS.Immediate;
  /** A change arrived without figures: read them from the store before the next message. */
  stale: boolean;
  /** Streams being opened (reading the current figures): the channel must stay meanwhile. */
  joining: number;
}

/**
 * Live availability: the fan-out from stock changes (this instance's, and every other instance's
 * through the stock bus) to the open Server-Sent Events streams.
 *
 * Cost stays per variant, not per stream: a change to a variant nobody watches is one map lookup;
 * a watched variant has one coalescing timer, armed only while a message is held back, and every
 * stream shares one heartbeat interval. Coalescing: the first change after a quiet window goes
 * out at once; changes within LIVE_COALESCE_MS of a message are held and the latest figures go
 * out when the window ends — at most one message per variant per window, never a stale one.
 * A message is framed once and the same string written to every stream; "at once" means on the
 * next turn of the event loop (setImmediate), so the fan-out to a thousand streams runs after the
 * request that made the change has been answered, not inside it.
 */
@Injectable()
export class LiveAvailability implements BeforeApplicationShutdown {
  private readonly logger = new Logger(LiveAvailability.name);
  private readonly channels = new Map<string, VariantChannel>();
  private readonly heartbeat: EventStreamHeartbeat;
  private openStreams = 0;

  constructor(
    private readonly config: AppConfig,
    private readonly catalog: CatalogService,
    private readonly metrics: LiveMetrics,
    stockEvents: StockEvents,
    bus: StockBus,
  ) {
    this.heartbeat = new EventStreamHeartbeat(config.liveHeartbeatMs, () => this.everyStream());
    stockEvents.subscribe((variantId, figures) => this.changed(variantId, figures));
    bus.onRemoteChange(({ variantId, availableStock, version }) =>
      this.changed(
        variantId,
        availableStock === undefined || version === undefined
          ? undefined
          : { availableStock, version },
      ),
    );
  }

  /**
   * Opens a stream on a hijacked reply: the current figures at once unless the client's
   * Last-Event-ID is already that version, then every change. 404 for an unknown variant.
   */
  async open(
    variantId: string,
    lastEventId: string | undefined,
    reply: FastifyReply,
  ): Promise<void> {
    if (this.openStreams >= this.config.liveMaxStreams) {
      throw new ServiceUnavailableError('Too many live streams on this instance; retry shortly', 5);
    }
    // Joined before the read, so a change committed during it is not missed.
    const channel = this.join(variantId);
    channel.joining += 1;
    let current: StockFigures;
    try {
      current = await this.catalog.getInventory(variantId);
    } catch (error) {
      channel.joining -= 1;
      this.leaveIfEmpty(channel);
      throw error;
    }
    channel.joining -= 1;
    this.newer(channel, current);
    const response = startEventStream(reply);
    if (!response) {
      // The client left while the figures were read.
      this.leaveIfEmpty(channel);
      return;
    }
    const stream = new LiveStream(response, parseLastEventId(lastEventId));
    channel.streams.add(stream);
    this.openStreams += 1;
    this.metrics.openStreams.inc();
    this.heartbeat.start();
    response.on('close', () => {
      channel.streams.delete(stream);
      this.openStreams -= 1;
      this.metrics.openStreams.dec();
      this.leaveIfEmpty(channel);
      if (this.openStreams === 0) this.heartbeat.stop();
    });
    stream.send(this.messageOf(channel));
  }

  /** Streams open now (tests, the bench). */
  get streamCount(): number {
    return this.openStreams;
  }

  /** Ends every stream, so the HTTP server can close (they would hold it open forever). */
  beforeApplicationShutdown(): void {
    this.heartbeat.stop();
    for (const channel of this.channels.values()) {
      this.cancelPending(channel);
      for (const stream of channel.streams) stream.end();
    }
  }

  private changed(variantId: string, figures: StockFigures | undefined): void {
    const channel = this.channels.get(variantId);
    if (!channel) return;
    if (figures) {
      if (!this.newer(channel, figures)) return;
    } else {
      channel.stale = true;
    }
    this.schedule(channel);
  }

  /** Keeps figures only if newer than the channel's; true when they were. */
  private newer(channel: VariantChannel, figures: StockFigures): boolean {
    if (channel.latest && channel.latest.version >= figures.version) return false;
    channel.latest = { availableStock: figures.availableStock, version: figures.version };
    return true;
  }

  private schedule(channel: VariantChannel): void {
    if (channel.timer || channel.immediate) return;
    const wait = channel.sentAt + this.config.liveCoalesceMs - performance.now();
    if (wait <= 0) {
      channel.immediate = setImmediate(() => void this.flush(channel));
      return;
    }
    channel.timer = setTimeout(() => void this.flush(channel), wait);
  }

  private cancelPending(channel: VariantChannel): void {
    clearTimeout(channel.timer);
    clearImmediate(channel.immediate);
    channel.timer = undefined;
    channel.immediate = undefined;
  }

  /** The latest figures as one framed message, rebuilt only when the version moved. */
  private messageOf(channel: VariantChannel): AvailabilityMessage {
    const latest = channel.latest!;
    if (channel.message?.version !== latest.version) {
      channel.message = availabilityMessage(channel.variantId, latest);
    }
    return channel.message;
  }

  private async flush(channel: VariantChannel): Promise<void> {
    channel.timer = undefined;
    channel.immediate = undefined;
    channel.sentAt = performance.now();
    if (channel.stale) {
      channel.stale = false;
      try {
        this.newer(channel, await this.catalog.getInventory(channel.variantId));
      } catch (error) {
        this.logger.warn(`live figures of ${channel.variantId}: ${(error as Error).message}`);
      }
    }
    if (!channel.latest) return;
    const message = this.messageOf(channel);
    for (const stream of channel.streams) stream.send(message);
    this.metrics.messages.inc(channel.streams.size);
  }

  private join(variantId: string): VariantChannel {
    let channel = this.channels.get(variantId);
    if (!channel) {
      channel = { variantId, streams: new Set(), sentAt: -Infinity, stale: false, joining: 0 };
      this.channels.set(variantId, channel);
    }
    return channel;
  }

  private leaveIfEmpty(channel: VariantChannel): void {
    if (channel.streams.size > 0 || channel.joining > 0) return;
    if (this.channels.get(channel.variantId) !== channel) return;
    this.cancelPending(channel);
    this.channels.delete(channel.variantId);
  }

  private *everyStream(): Iterable<LiveStream> {
    for (const channel of this.channels.values()) yield* channel.streams;
  }
}

/** The version a reconnecting client last saw; -1 (send the current figures) when absent or odd. */
function parseLastEventId(value: string | undefined): number {
  if (value === undefined || !/^\d{1,15}$/.test(value.trim())) return -1;
  return Number(value.trim());
}
