import { IllegalArgumentError } from '../errors.js';
import { Window } from './Window.js';

/** Default retention of window stores: one day, at least window size plus grace. */
export const DEFAULT_WINDOW_RETENTION_MS = 24 * 60 * 60 * 1000;

/**
 * Fixed-size windows, epoch-aligned (Kafka's `TimeWindows`): tumbling when
 * the advance equals the size, hopping when it is smaller.
 */
export class TimeWindows {
  private constructor(
    readonly sizeMs: number,
    readonly advanceMs: number,
    readonly graceMs: number,
  ) {
    if (!(sizeMs > 0)) throw new IllegalArgumentError('Window size (sizeMs) must be larger than zero.');
    if (!(advanceMs > 0 && advanceMs <= sizeMs)) {
      throw new IllegalArgumentError(`Window advancement interval should be more than zero and less than window duration which is ${sizeMs} ms, but given advancement interval is: ${advanceMs} ms`);
    }
    if (!(graceMs >= 0)) throw new IllegalArgumentError('Grace period must not be negative.');
  }

  /** Tumbling windows of `sizeMs`; records after window end are dropped. */
  static ofSizeWithNoGrace(sizeMs: number): TimeWindows {
    return new TimeWindows(sizeMs, sizeMs, 0);
  }

  /** Tumbling windows of `sizeMs` that accept out-of-order records until `graceMs` after their end. */
  static ofSizeAndGrace(sizeMs: number, graceMs: number): TimeWindows {
    return new TimeWindows(sizeMs, sizeMs, graceMs);
  }

  /** Hopping windows: a new window every `advanceMs`. */
  advanceBy(advanceMs: number): TimeWindows {
    return new TimeWindows(this.sizeMs, advanceMs, this.graceMs);
  }

  size(): number {
    return this.sizeMs;
  }

  gracePeriodMs(): number {
    return this.graceMs;
  }

  /** Every window that contains `timestamp`, by start time, earliest first. */
  windowsFor(timestamp: number): Window[] {
    let start = Math.floor(Math.max(0, timestamp - this.sizeMs + this.advanceMs) / this.advanceMs) * this.advanceMs;
    const out: Window[] = [];
    while (start <= timestamp) {
      out.push(new Window(start, start + this.sizeMs));
      start += this.advanceMs;
    }
    return out;
  }
}
