import type { Serializer } from '../../serdes/Serde.js';
import { ArrayKeyValueIterator, type KeyValue, type KeyValueIterator } from '../KeyValueStore.js';
import type { RecordContext, StateStore, StoreContext } from '../StateStore.js';
import { bytesToKey, keyToBytes, prefixUpperBound } from './Bytes.js';
import type { CacheEntry, NamedCache } from './NamedCache.js';
import { WrappedKeyValueStore } from './WrappedKeyValueStore.js';

/** Receives each flushed change: the new value, the old value (if asked for) and the writer's record context. */
export type BytesFlushListener = (
  key: Buffer,
  newValue: Buffer | null,
  oldValue: Buffer | null,
  context: RecordContext,
) => void;

/**
 * Keeps writes in the thread cache until commit or eviction, then writes
 * them below and forwards them downstream, so several updates of one key
 * between commits reach downstream (and the changelog) as one.
 */
export class CachingKeyValueStore extends WrappedKeyValueStore {
  private cache!: NamedCache;
  private context!: StoreContext;
  private namespace = '';
  private listener: BytesFlushListener | null = null;
  private sendOldValues = false;
  private lastKeyBuffer: Buffer | null = null;
  private lastKeyString = '';

  override init(context: StoreContext, root: StateStore): void {
    super.init(context, root);
    this.context = context;
    if (context.cache === null) throw new Error(`Caching store ${this.name} needs a record cache`);
    this.namespace = `${context.taskId.toString()}-${this.name}`;
    this.cache = context.cache.namedCache(this.namespace);
    this.cache.setListener((entries) => this.flushEntries(entries));
  }

  /** Where flushed changes go; without a listener the cache only writes through. */
  setFlushListener(listener: BytesFlushListener, sendOldValues: boolean): boolean {
    this.listener = listener;
    this.sendOldValues = sendOldValues;
    return true;
  }

  /** The map key of the last Buffer seen: the typed layer passes the same Buffer to a get and the put after it. */
  private mapKey(key: Buffer): string {
    if (key !== this.lastKeyBuffer) {
      this.lastKeyBuffer = key;
      this.lastKeyString = bytesToKey(key);
    }
    return this.lastKeyString;
  }

  override get(key: Buffer): Buffer | null {
    const k = this.mapKey(key);
    const hit = this.cache.get(k);
    if (hit !== undefined) return hit.value;
    const raw = this.inner.get(key);
    if (raw !== null) this.cache.put(k, key, raw, false, this.context.recordContext());
    return raw;
  }

  override put(key: Buffer, value: Buffer | null): void {
    const k = this.mapKey(key);
    this.cache.put(k, key, value, true, this.context.recordContext());
    this.context.cache?.maybeEvict(this.namespace);
  }

  override delete(key: Buffer): Buffer | null {
    const old = this.get(key);
    this.put(key, null);
    return old;
  }

  override flush(): void {
    this.cache.flush();
    this.inner.flush();
  }

  override close(): void {
    this.cache.flush();
    this.context.cache?.close(this.namespace);
    this.inner.close();
  }

  override range(from: Buffer | null, to: Buffer | null): KeyValueIterator<Buffer, Buffer> {
    return new ArrayKeyValueIterator(this.merged(from && bytesToKey(from), to && bytesToKey(to), true));
  }

  override reverseRange(from: Buffer | null, to: Buffer | null): KeyValueIterator<Buffer, Buffer> {
    return new ArrayKeyValueIterator(this.merged(from && bytesToKey(from), to && bytesToKey(to), true).reverse());
  }

  override all(): KeyValueIterator<Buffer, Buffer> {
    return new ArrayKeyValueIterator(this.merged(null, null, true));
  }

  override reverseAll(): KeyValueIterator<Buffer, Buffer> {
    return new ArrayKeyValueIterator(this.merged(null, null, true).reverse());
  }

  override prefixScan<P>(prefix: P, prefixSerializer: Serializer<P>): KeyValueIterator<Buffer, Buffer> {
    const bytes = prefixSerializer.serialize('', prefix);
    const from = bytes ? bytesToKey(bytes) : '';
    return new ArrayKeyValueIterator(this.merged(from, prefixUpperBound(from), false));
  }

  override approximateNumEntries(): number {
    return this.inner.approximateNumEntries();
  }

  /** The store's entries in range with the cache's newer values laid over them, in key order. */
  private merged(from: string | null, to: string | null, toInclusive: boolean): KeyValue<Buffer, Buffer>[] {
    if (from !== null && to !== null && from > to) return [];
    const view = new Map<string, Buffer | null>();
    const lower = from === null ? null : keyToBytes(from);
    const upper = to === null ? null : keyToBytes(to);
    const it = this.inner.range(lower, upper);
    for (const kv of it) view.set(bytesToKey(kv.key), kv.value);
    it.close();
    for (const [k, e] of this.cache.entriesInRange(from, to)) view.set(k, e.value);
    const keys = [...view.keys()].filter((k) => toInclusive || to === null || k < to).sort();
    const out: KeyValue<Buffer, Buffer>[] = [];
    for (const k of keys) {
      const v = view.get(k);
      if (v !== null && v !== undefined) out.push({ key: keyToBytes(k), value: v });
    }
    return out;
  }

  private flushEntries(entries: CacheEntry[]): void {
    const listener = this.listener;
    for (const e of entries) {
      const oldValue = listener !== null && (e.value === null || this.sendOldValues) ? this.inner.get(e.key) : null;
      // a key that was neither stored nor cached before: nothing to write or forward
      if (listener !== null && e.value === null && oldValue === null) continue;
      // the write below and the forward run with the context of the record that wrote the entry
      const previous = this.context.setRecordContext(e.context);
      try {
        this.inner.put(e.key, e.value);
        if (listener !== null) listener(e.key, e.value, this.sendOldValues ? oldValue : null, e.context);
      } finally {
        this.context.setRecordContext(previous);
      }
    }
  }
}
