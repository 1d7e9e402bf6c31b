import { Injectable } from '@nestjs/common';
import { Clock } from '../common/clock';
import { Store } from '../store/store';
import type { SearchPage } from '../store/store.types';
import { SEARCH_DEFAULT_LIMIT, type SearchDto } from './dto/search.dto';

/** Reads the search documents (docs/architecture.md §5): what shoppers see, as fresh as the sync keeps it. */
@Injectable()
export class SearchService {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
  ) {}

  search(query: SearchDto): Promise<SearchPage> {
    // `?q=` or blanks only: no text condition, the same as leaving q out.
    const q = query.q?.trim() || undefined;
    return this.store.searchDocuments({
      q,
      inStock: query.inStock,
      limit: query.limit ?? SEARCH_DEFAULT_LIMIT,
      cursor: query.cursor?.toLowerCase(),
    });
  }

  now(): Date {
    return this.clock.now();
  }
}
