import { Injectable } from '@nestjs/common';
import { SoldOutGate } from '../reservations/sold-out-gate';
import { StockBus } from './stock-bus';

/**
 * Feeds this instance's sold-out gate from other instances' changes: a sell-out anywhere closes
 * the gate here (no store call for the stampede that follows), a release or restock anywhere
 * reopens it. A change without figures reopens it: the gate must never refuse stock that may exist.
 * Messages from different instances can arrive out of order; the gate ignores a figure older than
 * one it has applied (by inventory version).
 */
@Injectable()
export class SoldOutGateFeed {
  constructor(bus: StockBus, gate: SoldOutGate) {
    bus.onRemoteChange(({ variantId, availableStock, version }) => {
      if (availableStock === undefined) gate.clear(variantId);
      else gate.record(variantId, availableStock, version);
    });
  }
}
