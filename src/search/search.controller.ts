import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { SearchDto } from './dto/search.dto';
import { presentSearchPage, SearchPageResponse } from './search.presenter';
import { SearchService } from './search.service';

@ApiTags('search')
@ApiBearerAuth()
@Controller('v1/search')
export class SearchController {
  constructor(private readonly search: SearchService) {}

  @Get()
  @ApiOperation({
    summary: 'Search variants by title and SKU, optionally only those in stock; pages by cursor',
  })
  async find(@Query() query: SearchDto): Promise<SearchPageResponse> {
    return presentSearchPage(await this.search.search(query), this.search.now());
  }
}
