/**
 * class-transformer ships the typings of its metadata storage under types/, apart from the
 * CommonJS module; this joins the two so `unknownKeys` can follow @Type to nested DTOs.
 */
declare module 'class-transformer/cjs/storage' {
  export { defaultMetadataStorage } from 'class-transformer/types/storage';
}
