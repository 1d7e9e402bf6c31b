/** The one source of "now", so tests can move time. Domain code never calls Date.now() itself. */
export abstract class Clock {
  abstract now(): Date;
}

export class SystemClock extends Clock {
  now(): Date {
    return new Date();
  }
}

/** A clock that only moves when told to. For tests. */
export class ManualClock extends Clock {
  private current: number;

  constructor(start: Date = new Date('2030-01-01T00:00:00.000Z')) {
    super();
    this.current = start.getTime();
  }

  now(): Date {
    return new Date(this.current);
  }

  advance(ms: number): void {
    this.current += ms;
  }

  set(to: Date): void {
    this.current = to.getTime();
  }
}
