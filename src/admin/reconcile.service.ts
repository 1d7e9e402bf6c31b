import { Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { Store } from '../store/store';
import type { ReconcileReport } from '../store/store.types';

/** Checks the stock invariants (docs/architecture.md §3) over all data. */
@Injectable()
export class ReconcileService {
  constructor(
    private readonly store: Store,
    private readonly config: AppConfig,
  ) {}

  reconcile(): Promise<ReconcileReport> {
    return this.store.reconcile(this.config.maxActiveReservations);
  }
}
