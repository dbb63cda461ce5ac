import { IllegalArgumentError } from '../errors.js';

/**
 * Sessions of activity separated by gaps longer than `inactivityGapMs`
 * (Kafka's `SessionWindows`). A record that bridges two sessions merges them.
 */
export class SessionWindows {
  private constructor(
    readonly gapMs: number,
    readonly graceMs: number,
  ) {
    if (!(gapMs > 0)) throw new IllegalArgumentError('Gap time cannot be zero or negative.');
    if (!(graceMs >= 0)) throw new IllegalArgumentError('Grace period must not be negative.');
  }

  static ofInactivityGapWithNoGrace(inactivityGapMs: number): SessionWindows {
    return new SessionWindows(inactivityGapMs, 0);
  }

  static ofInactivityGapAndGrace(inactivityGapMs: number, graceMs: number): SessionWindows {
    return new SessionWindows(inactivityGapMs, graceMs);
  }

  inactivityGap(): number {
    return this.gapMs;
  }

  gracePeriodMs(): number {
    return this.graceMs;
  }
}
