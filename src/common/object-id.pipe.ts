import { Injectable, PipeTransform } from '@nestjs/common';
import { isObjectId } from '../store/object-id';
import { ValidationFailedError } from './errors/domain-errors';

/** Route ids are 24-hex ObjectIds: a malformed one is 400 before any lookup (a well-formed unknown one is 404 later). */
@Injectable()
export class ObjectIdPipe implements PipeTransform<unknown, string> {
  transform(value: unknown): string {
    if (!isObjectId(value)) {
      throw new ValidationFailedError('id must be a 24-character hex ObjectId');
    }
    return value.toLowerCase();
  }
}
