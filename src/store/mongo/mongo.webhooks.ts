import { Types } from 'mongoose';
import type { StockEvent } from '../../events/stock-event-rules';
import type {
  DeadLetterInput,
  DeliveryStatus,
  DeliveryTransition,
  NewWebhookSubscription,
  VariantToPublish,
  WebhookDelivery,
  WebhookLane,
  WebhookSubscription,
} from '../webhooks';
import { idToString, parseObjectId } from './mongo.mappers';
import type { StoreModels } from './mongo.schemas';
import type {
  StockEventDoc,
  WebhookDeliveryDoc,
  WebhookLaneDoc,
  WebhookSubscriptionDoc,
} from './mongo.webhook-schemas';

/**
 * The webhook collections in MongoDB. Every write is one single-document operation (atomic on its
 * own, so no transaction): the lane and progress counters only move forward with `$max`, which is
 * what makes the publisher and the delivery workers safe to run in several processes at once.
 */
export class MongoWebhooks {
  constructor(private readonly models: StoreModels) {}

  async createSubscription(input: NewWebhookSubscription): Promise<WebhookSubscription> {
    const doc: WebhookSubscriptionDoc = { _id: new Types.ObjectId(), ...input };
    await this.models.webhookSubscriptions.insertOne(doc);
    return toSubscription(doc);
  }

  async listSubscriptions(): Promise<WebhookSubscription[]> {
    const docs = await this.models.webhookSubscriptions.find().sort({ _id: 1 }).lean();
    return docs.map(toSubscription);
  }

  async getSubscription(id: string): Promise<WebhookSubscription | null> {
    const _id = parseObjectId(id);
    if (!_id) return null;
    const doc = await this.models.webhookSubscriptions.findById(_id).read('primary').lean();
    return doc ? toSubscription(doc) : null;
  }

  /** The subscription first: once it is gone, workers drop its jobs; then what hung on it. */
  async deleteSubscription(id: string): Promise<boolean> {
    const _id = parseObjectId(id);
    if (!_id) return false;
    const { deletedCount } = await this.models.webhookSubscriptions.deleteOne({ _id });
    if (deletedCount === 0) return false;
    await this.models.webhookLanes.deleteMany({ subscriptionId: _id });
    await this.models.webhookDeliveries.deleteMany({ subscriptionId: _id });
    return true;
  }

  /**
   * Inventory joined with the progress by variant id; only the small projection leaves the
   * server. Without `variantIds` this reads every inventory document: the publisher does that
   * only on its backstop sweep (WEBHOOK_SWEEP_MS), and reads the changed variants by id otherwise.
   */
  async variantsToPublish(limit: number, variantIds?: string[]): Promise<VariantToPublish[]> {
    if (limit <= 0) return [];
    const ids = variantIds?.map(parseObjectId).filter((id): id is Types.ObjectId => id !== null);
    if (ids && ids.length === 0) return [];
    const rows = await this.models.inventory.aggregate<{
      variantId: Types.ObjectId;
      version: number;
      publishedSeq: number;
    }>([
      ...(ids ? [{ $match: { variantId: { $in: ids } } }] : []),
      {
        $lookup: {
          from: this.models.webhookProgress.collection.collectionName,
          localField: 'variantId',
          foreignField: '_id',
          as: 'progress',
        },
      },
      {
        $project: {
          _id: 0,
          variantId: 1,
          version: 1,
          publishedSeq: { $ifNull: [{ $first: '$progress.seq' }, 0] },
        },
      },
      { $match: { $expr: { $gt: ['$version', '$publishedSeq'] } } },
      { $limit: limit },
    ]);
    return rows.map((row) => ({
      variantId: idToString(row.variantId),
      version: row.version,
      publishedSeq: row.publishedSeq,
    }));
  }

  async savePublishedSeq(variantId: string, seq: number): Promise<void> {
    const _id = parseObjectId(variantId);
    if (!_id) return;
    await this.models.webhookProgress.updateOne({ _id }, { $max: { seq } }, { upsert: true });
  }

  async getLane(subscriptionId: string, variantId: string): Promise<WebhookLane | null> {
    const key = laneKey(subscriptionId, variantId);
    if (!key) return null;
    const doc = await this.models.webhookLanes.findOne(key).read('primary').lean();
    return doc ? toLane(doc) : null;
  }

  /**
   * An upsert on the unique {subscriptionId, variantId} index: two processes racing to create
   * the same lane get E11000 on one of them (the server does not retry upserts that collide),
   * so that one is retried once, finding the lane the other made.
   */
  async publishToLane(subscriptionId: string, variantId: string, first: number, last: number) {
    const key = laneKey(subscriptionId, variantId);
    if (!key) return;
    await upsertOnce(() =>
      this.models.webhookLanes.updateOne(
        key,
        { $max: { published: last }, $setOnInsert: { settled: first - 1 } },
        { upsert: true },
      ),
    );
  }

  async settleLane(subscriptionId: string, variantId: string, position: number): Promise<void> {
    const key = laneKey(subscriptionId, variantId);
    if (!key) return;
    await upsertOnce(() =>
      this.models.webhookLanes.updateOne(
        key,
        { $max: { settled: position }, $setOnInsert: { published: 0 } },
        { upsert: true },
      ),
    );
  }

  /** A collection scan with $expr (a backstop, run every WEBHOOK_SWEEP_MS, not per delivery). */
  async lanesBehind(limit: number): Promise<WebhookLane[]> {
    if (limit <= 0) return [];
    const docs = await this.models.webhookLanes
      .find({ $expr: { $lt: ['$settled', '$published'] } })
      .limit(limit)
      .lean();
    return docs.map(toLane);
  }

  async recordDeadLetter(input: DeadLetterInput): Promise<WebhookDelivery> {
    const subscriptionId = parseObjectId(input.subscriptionId);
    if (!subscriptionId) throw new Error(`not a subscription id: ${input.subscriptionId}`);
    const filter = { subscriptionId, eventId: input.event.id };
    const doc = await upsertOnce(() =>
      this.models.webhookDeliveries.findOneAndUpdate(
        filter,
        {
          $set: {
            event: toEventDoc(input.event),
            status: 'failed',
            lastError: input.lastError,
            failedAt: input.now,
          },
          $inc: { attempts: input.attempts },
        },
        { upsert: true, returnDocument: 'after', lean: true },
      ),
    );
    if (!doc) throw new Error('dead letter upsert returned nothing');
    return toDelivery(doc);
  }

  async listDeliveries(
    subscriptionId: string,
    status: DeliveryStatus | undefined,
    limit: number,
  ): Promise<WebhookDelivery[]> {
    const _id = parseObjectId(subscriptionId);
    if (!_id || limit <= 0) return [];
    const docs = await this.models.webhookDeliveries
      .find({ subscriptionId: _id, ...(status && { status }) })
      .sort({ failedAt: -1, _id: -1 })
      .limit(limit)
      .lean();
    return docs.map(toDelivery);
  }

  async getDelivery(deliveryId: string): Promise<WebhookDelivery | null> {
    const _id = parseObjectId(deliveryId);
    if (!_id) return null;
    const doc = await this.models.webhookDeliveries.findById(_id).read('primary').lean();
    return doc ? toDelivery(doc) : null;
  }

  async transitionDelivery(transition: DeliveryTransition): Promise<WebhookDelivery | null> {
    const _id = parseObjectId(transition.deliveryId);
    if (!_id) return null;
    const dated = { redriving: 'redrivenAt', delivered: 'deliveredAt', failed: 'failedAt' };
    const doc = await this.models.webhookDeliveries.findOneAndUpdate(
      { _id, status: { $in: transition.from } },
      {
        $set: {
          status: transition.to,
          [dated[transition.to]]: transition.now,
          ...(transition.lastError !== undefined && { lastError: transition.lastError }),
        },
        $inc: { attempts: transition.attempts ?? 0 },
      },
      { returnDocument: 'after', lean: true },
    );
    return doc ? toDelivery(doc) : null;
  }
}

const DUPLICATE_KEY = 11000;

/** Runs an upsert, and once more if it lost a race to insert the same key (E11000). */
async function upsertOnce<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if ((error as { code?: number }).code !== DUPLICATE_KEY) throw error;
    return run();
  }
}

function laneKey(subscriptionId: string, variantId: string) {
  const subscription = parseObjectId(subscriptionId);
  const variant = parseObjectId(variantId);
  return subscription && variant ? { subscriptionId: subscription, variantId: variant } : null;
}

function toSubscription(doc: WebhookSubscriptionDoc): WebhookSubscription {
  return {
    id: idToString(doc._id),
    url: doc.url,
    events: [...doc.events],
    secret: doc.secret,
    createdAt: new Date(doc.createdAt.getTime()),
  };
}

function toLane(doc: WebhookLaneDoc): WebhookLane {
  return {
    subscriptionId: idToString(doc.subscriptionId),
    variantId: idToString(doc.variantId),
    settled: doc.settled,
    published: doc.published,
  };
}

function toEventDoc(event: StockEvent): StockEventDoc {
  return { ...event, stock: { ...event.stock }, at: new Date(event.at.getTime()) };
}

function toDelivery(doc: WebhookDeliveryDoc): WebhookDelivery {
  const event = doc.event;
  return {
    id: idToString(doc._id),
    subscriptionId: idToString(doc.subscriptionId),
    eventId: doc.eventId,
    event: {
      id: event.id,
      type: event.type,
      variantId: event.variantId,
      seq: event.seq,
      movement: event.movement,
      stock: { ...event.stock },
      ...(event.lowStockThreshold != null && { lowStockThreshold: event.lowStockThreshold }),
      at: new Date(new Date(event.at).getTime()),
    },
    status: doc.status,
    attempts: doc.attempts,
    lastError: doc.lastError ?? '',
    failedAt: new Date(doc.failedAt.getTime()),
    ...(doc.redrivenAt && { redrivenAt: new Date(doc.redrivenAt.getTime()) }),
    ...(doc.deliveredAt && { deliveredAt: new Date(doc.deliveredAt.getTime()) }),
  };
}
