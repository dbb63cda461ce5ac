import { IllegalArgumentError } from '../errors.js';

/**
 * Windows defined by record timestamps (Kafka's `SlidingWindows`): two
 * records fall in one window when their timestamps differ by at most
 * `timeDifferenceMs`; only windows that contain records exist.
 */
export class SlidingWindows {
  private constructor(
    readonly timeDifferenceMs: number,
    readonly graceMs: number,
  ) {
    if (!(timeDifferenceMs >= 0)) throw new IllegalArgumentError('Window time difference must not be negative.');
    if (!(graceMs >= 0)) throw new IllegalArgumentError('Window grace period must not be negative.');
  }

  static ofTimeDifferenceWithNoGrace(timeDifferenceMs: number): SlidingWindows {
    return new SlidingWindows(timeDifferenceMs, 0);
  }

  static ofTimeDifferenceAndGrace(timeDifferenceMs: number, graceMs: number): SlidingWindows {
    return new SlidingWindows(timeDifferenceMs, graceMs);
  }

  gracePeriodMs(): number {
    return this.graceMs;
  }
}
