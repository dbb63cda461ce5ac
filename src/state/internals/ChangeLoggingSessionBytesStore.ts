import { Headers } from '../../processor/Headers.js';
import type { StateStore, StoreContext } from '../StateStore.js';
import { WrappedSessionBytesStore } from './SessionBytesStore.js';
import { sessionStoreKey } from './SessionKeySchema.js';

/**
 * Writes every session change to the changelog, keyed [key][end][start] as
 * Kafka's ChangeLoggingSessionBytesStore does, after writing it below; a
 * removal is a tombstone. Sits under the cache, so only flushed changes are logged.
 */
export class ChangeLoggingSessionBytesStore extends WrappedSessionBytesStore {
  private context!: StoreContext;

  override init(context: StoreContext, root: StateStore): void {
    this.context = context;
    super.init(context, root);
  }

  override put(key: Buffer, start: number, end: number, value: Buffer | null): void {
    this.inner.put(key, start, end, value);
    this.log(key, start, end, value);
  }

  override remove(key: Buffer, start: number, end: number): void {
    this.inner.remove(key, start, end);
    this.log(key, start, end, null);
  }

  private log(key: Buffer, start: number, end: number, value: Buffer | null): void {
    // sessions carry no timestamp of their own: the record's time stamps the change
    this.context.logChange(this.name, sessionStoreKey(key, start, end), value, this.context.recordContext().timestamp, Headers.EMPTY);
  }
}
