import { Injectable, OnModuleInit } from '@nestjs/common';
import { HealthService } from '../../health/health.service';
import { SearchSyncQueue } from './search-sync.queue';

/** Readiness detail for the search sync: never required (search keeps working off the store). */
@Injectable()
export class SearchSyncHealth implements OnModuleInit {
  constructor(
    private readonly health: HealthService,
    private readonly queue: SearchSyncQueue,
  ) {}

  onModuleInit(): void {
    this.health.register(
      'searchSync',
      async () => {
        const counts = await this.queue.counts();
        if (!counts) {
          return {
            ok: false,
            degraded: true,
            detail: 'queue unavailable: the needsSync sweeper syncs search directly',
          };
        }
        const depth = counts.waiting + counts.active + counts.delayed;
        return { ok: true, detail: `${depth} queued, ${counts.failed} in the dead-letter queue` };
      },
      false,
    );
  }
}
