import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import type { AppConfig } from '../config/app-config';
import { completeDocument } from './complete-document';

/** The OpenAPI document of this process: the decorators, completed by completeDocument. */
export function buildOpenApiDocument(app: INestApplication, config: AppConfig): OpenAPIObject {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('stockhold')
      .setDescription(
        'Flash-sale inventory reservations: hold, commit, release. Every error is an ErrorBody; ' +
          'prices are integer minor units; limits shown are those of the serving process.',
      )
      .setVersion('1')
      .addBearerAuth()
      .build(),
  );
  return completeDocument(document, config);
}
