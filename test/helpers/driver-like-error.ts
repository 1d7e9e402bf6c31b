/**
 * An error shaped like the mongodb driver's (7.8, lib/error.js): `name` is a getter per class,
 * server errors carry a numeric `code`, labels live in a private set read through `hasErrorLabel`
 * and the `errorLabels` getter. Lets tests of error handling run without importing the driver.
 */
export class DriverLikeError extends Error {
  private readonly labels: Set<string>;
  readonly code?: number;

  constructor(
    private readonly className: string,
    options: { code?: number; labels?: string[]; message?: string } = {},
  ) {
    super(options.message ?? 'driver failure');
    this.code = options.code;
    this.labels = new Set(options.labels);
  }

  override get name(): string {
    return this.className;
  }

  get errorLabels(): string[] {
    return [...this.labels];
  }

  hasErrorLabel(label: string): boolean {
    return this.labels.has(label);
  }
}
