import { Headers } from '../../processor/Headers.js';
import type { StateStore, StoreContext } from '../StateStore.js';
import type { ChangelogValueFormat } from './ChangeLoggingKeyValueStore.js';
import { type WindowBytesStore, WrappedWindowBytesStore } from './WindowBytesStore.js';
import { windowStoreKey } from './WindowKeySchema.js';

/**
 * Writes every window put to the changelog, keyed [key][windowStart][seqnum]
 * as Kafka's ChangeLoggingWindowBytesStore does, after writing it below. Sits
 * under the cache, so only flushed (compacted) changes are logged.
 */
export class ChangeLoggingWindowBytesStore extends WrappedWindowBytesStore {
  private context!: StoreContext;
  // Kafka keeps its own counter here (advanced on every put, nulls included),
  // independent of the bottom store's; with duplicates each record gets a new key
  private seqnum = 0;

  constructor(
    inner: WindowBytesStore,
    private readonly format: ChangelogValueFormat,
  ) {
    super(inner);
  }

  override init(context: StoreContext, root: StateStore): void {
    this.context = context;
    super.init(context, root);
  }

  override put(key: Buffer, value: Buffer | null, windowStart: number): void {
    this.inner.put(key, value, windowStart);
    if (this.retainDuplicates) this.seqnum = (this.seqnum + 1) & 0x7fffffff;
    // logged even when the store dropped the window as expired, as Kafka does
    const ts = value === null ? null : this.format.timestamp(value);
    this.context.logChange(
      this.name,
      windowStoreKey(key, windowStart, this.seqnum),
      value === null ? null : this.format.value(value),
      ts ?? this.context.recordContext().timestamp,
      Headers.EMPTY,
    );
  }
}
