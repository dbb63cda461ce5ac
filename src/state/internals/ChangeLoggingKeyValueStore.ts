import { Headers } from '../../processor/Headers.js';
import { readLong } from './Bytes.js';
import type { KeyValueStore } from '../KeyValueStore.js';
import type { StateStore, StoreContext } from '../StateStore.js';
import { WrappedKeyValueStore } from './WrappedKeyValueStore.js';

/** How a stored value is split into the changelog record's value and timestamp. */
export interface ChangelogValueFormat {
  /** The changelog value for a stored value (timestamped stores drop their 8-byte prefix). */
  value(stored: Buffer): Buffer;
  /** The changelog record timestamp for a stored value, or null to use the current record's. */
  timestamp(stored: Buffer): number | null;
}

export const PLAIN_CHANGELOG_FORMAT: ChangelogValueFormat = {
  value: (stored) => stored,
  timestamp: () => null,
};

/** Kafka's timestamped layout: an 8-byte big-endian timestamp, then the value. */
export const TIMESTAMPED_CHANGELOG_FORMAT: ChangelogValueFormat = {
  value: (stored) => stored.subarray(8),
  timestamp: (stored) => readLong(stored, 0),
};

/**
 * Writes every change to the store's changelog topic, then to the layer below.
 * Sits under the cache, so only flushed (compacted) changes are logged.
 */
export class ChangeLoggingKeyValueStore extends WrappedKeyValueStore {
  private context!: StoreContext;

  constructor(
    inner: KeyValueStore<Buffer, Buffer>,
    private readonly format: ChangelogValueFormat,
  ) {
    super(inner);
  }

  override init(context: StoreContext, root: StateStore): void {
    this.context = context;
    super.init(context, root);
  }

  override put(key: Buffer, value: Buffer | null): void {
    this.inner.put(key, value);
    this.log(key, value);
  }

  override delete(key: Buffer): Buffer | null {
    const old = this.inner.delete(key);
    this.log(key, null);
    return old;
  }

  private log(key: Buffer, value: Buffer | null): void {
    const rc = this.context.recordContext();
    const ts = value === null ? null : this.format.timestamp(value);
    this.context.logChange(
      this.name,
      key,
      value === null ? null : this.format.value(value),
      ts ?? rc.timestamp,
      Headers.EMPTY,
    );
  }
}
