import { Headers } from './Headers.js';

/**
 * A record flowing through the processor graph (Kafka's `api.Record`).
 * Immutable: the `withX` methods return a copy with one field changed.
 */
export class Record<K, V> {
  readonly headers: Headers;
  constructor(
    readonly key: K,
    readonly value: V,
    readonly timestamp: number,
    headers?: Headers,
  ) {
    this.headers = headers ?? Headers.EMPTY;
  }

  withKey<NK>(key: NK): Record<NK, V> {
    return new Record(key, this.value, this.timestamp, this.headers);
  }

  withValue<NV>(value: NV): Record<K, NV> {
    return new Record(this.key, value, this.timestamp, this.headers);
  }

  withTimestamp(timestamp: number): Record<K, V> {
    return new Record(this.key, this.value, timestamp, this.headers);
  }

  withHeaders(headers: Headers): Record<K, V> {
    return new Record(this.key, this.value, this.timestamp, headers);
  }
}

/**
 * A record whose key cannot be changed (Kafka's `FixedKeyRecord`), used by
 * `processValues`: the type system proves the key is forwarded unchanged.
 */
export class FixedKeyRecord<K, V> {
  readonly headers: Headers;
  /** @internal use {@link FixedKeyRecord.from} or the `withX` methods. */
  constructor(
    readonly key: K,
    readonly value: V,
    readonly timestamp: number,
    headers?: Headers,
  ) {
    this.headers = headers ?? Headers.EMPTY;
  }

  /** @internal wraps a record for a fixed-key processor. */
  static from<K, V>(record: Record<K, V>): FixedKeyRecord<K, V> {
    return new FixedKeyRecord(record.key, record.value, record.timestamp, record.headers);
  }

  withValue<NV>(value: NV): FixedKeyRecord<K, NV> {
    return new FixedKeyRecord(this.key, value, this.timestamp, this.headers);
  }

  withTimestamp(timestamp: number): FixedKeyRecord<K, V> {
    return new FixedKeyRecord(this.key, this.value, timestamp, this.headers);
  }

  withHeaders(headers: Headers): FixedKeyRecord<K, V> {
    return new FixedKeyRecord(this.key, this.value, this.timestamp, headers);
  }
}
