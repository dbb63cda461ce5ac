import { IllegalArgumentError } from '../errors.js';

/** What a full suppression buffer does (Kafka's BufferConfig strategies). */
export type BufferFullStrategy = 'EMIT' | 'SHUT_DOWN';

/** Bounds of a suppression buffer (Kafka's `Suppressed.BufferConfig`). */
export class BufferConfig {
  private constructor(
    readonly maxRecords: number,
    readonly maxBytes: number,
    readonly fullStrategy: BufferFullStrategy,
    readonly loggingEnabled: boolean,
  ) {}

  /** No bound: the buffer holds everything until it may emit. */
  static unbounded(): BufferConfig {
    return new BufferConfig(Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER, 'SHUT_DOWN', true);
  }
  static maxRecords(n: number): BufferConfig {
    if (!(n >= 0)) throw new IllegalArgumentError('maxRecords must not be negative');
    return new BufferConfig(n, Number.MAX_SAFE_INTEGER, 'EMIT', true);
  }
  static maxBytes(n: number): BufferConfig {
    if (!(n >= 0)) throw new IllegalArgumentError('maxBytes must not be negative');
    return new BufferConfig(Number.MAX_SAFE_INTEGER, n, 'EMIT', true);
  }
  withMaxRecords(n: number): BufferConfig {
    return new BufferConfig(n, this.maxBytes, this.fullStrategy, this.loggingEnabled);
  }
  withMaxBytes(n: number): BufferConfig {
    return new BufferConfig(this.maxRecords, n, this.fullStrategy, this.loggingEnabled);
  }
  /** When full, emit the oldest records early (breaks "one result per window"). */
  emitEarlyWhenFull(): BufferConfig {
    return new BufferConfig(this.maxRecords, this.maxBytes, 'EMIT', this.loggingEnabled);
  }
  /** When full, fail the application instead of emitting early. */
  shutDownWhenFull(): BufferConfig {
    return new BufferConfig(this.maxRecords, this.maxBytes, 'SHUT_DOWN', this.loggingEnabled);
  }
  withLoggingDisabled(): BufferConfig {
    return new BufferConfig(this.maxRecords, this.maxBytes, this.fullStrategy, false);
  }
  withLoggingEnabled(): BufferConfig {
    return new BufferConfig(this.maxRecords, this.maxBytes, this.fullStrategy, true);
  }
}

/**
 * How KTable.suppress() holds back updates (Kafka's `Suppressed`): until a
 * window closes (final results), or until a time limit passes.
 */
export class Suppressed {
  private constructor(
    readonly kind: 'untilWindowCloses' | 'untilTimeLimit',
    readonly timeLimitMs: number,
    readonly bufferConfig: BufferConfig,
    readonly name: string | null,
  ) {}

  /** One final result per window, after window end + grace (the windowed aggregation's grace). */
  static untilWindowCloses(bufferConfig: BufferConfig): Suppressed {
    if (bufferConfig.fullStrategy === 'EMIT') {
      // Kafka only allows strict buffers for final results
      throw new IllegalArgumentError('untilWindowCloses needs a buffer config that shuts down when full: use BufferConfig.unbounded() or .shutDownWhenFull()');
    }
    return new Suppressed('untilWindowCloses', 0, bufferConfig, null);
  }

  /** Holds each key's latest update until `timeLimitMs` of stream time passed since the update's timestamp. */
  static untilTimeLimit(timeLimitMs: number, bufferConfig: BufferConfig): Suppressed {
    if (!(timeLimitMs >= 0)) throw new IllegalArgumentError('timeToWaitForMoreEvents must not be negative');
    return new Suppressed('untilTimeLimit', timeLimitMs, bufferConfig, null);
  }

  /** Names the suppression node (and its buffer store `<name>-store`). */
  withName(name: string): Suppressed {
    return new Suppressed(this.kind, this.timeLimitMs, this.bufferConfig, name);
  }
}
