import type { Serializer } from '../../serdes/Serde.js';
import type { KeyValue, KeyValueIterator, KeyValueStore } from '../KeyValueStore.js';
import type { StateStore, StoreContext } from '../StateStore.js';

/** A byte-level layer that passes every call to the layer below; layers override what they change. */
export abstract class WrappedKeyValueStore implements KeyValueStore<Buffer, Buffer> {
  constructor(protected readonly inner: KeyValueStore<Buffer, Buffer>) {}

  get name(): string {
    return this.inner.name;
  }
  get persistent(): boolean {
    return this.inner.persistent;
  }
  /** The layer below this one. */
  wrapped(): KeyValueStore<Buffer, Buffer> {
    return this.inner;
  }
  init(context: StoreContext, root: StateStore): void {
    this.inner.init(context, root);
  }
  flush(): void {
    this.inner.flush();
  }
  close(): void {
    this.inner.close();
  }
  isOpen(): boolean {
    return this.inner.isOpen();
  }
  get(key: Buffer): Buffer | null {
    return this.inner.get(key);
  }
  put(key: Buffer, value: Buffer | null): void {
    this.inner.put(key, value);
  }
  putIfAbsent(key: Buffer, value: Buffer | null): Buffer | null {
    const old = this.get(key);
    if (old === null) this.put(key, value);
    return old;
  }
  putAll(entries: readonly KeyValue<Buffer, Buffer | null>[]): void {
    for (const e of entries) this.put(e.key, e.value);
  }
  delete(key: Buffer): Buffer | null {
    const old = this.get(key);
    this.put(key, null);
    return old;
  }
  range(from: Buffer | null, to: Buffer | null): KeyValueIterator<Buffer, Buffer> {
    return this.inner.range(from, to);
  }
  reverseRange(from: Buffer | null, to: Buffer | null): KeyValueIterator<Buffer, Buffer> {
    return this.inner.reverseRange(from, to);
  }
  all(): KeyValueIterator<Buffer, Buffer> {
    return this.inner.all();
  }
  reverseAll(): KeyValueIterator<Buffer, Buffer> {
    return this.inner.reverseAll();
  }
  prefixScan<P>(prefix: P, prefixSerializer: Serializer<P>): KeyValueIterator<Buffer, Buffer> {
    return this.inner.prefixScan(prefix, prefixSerializer);
  }
  approximateNumEntries(): number {
    return this.inner.approximateNumEntries();
  }
}
