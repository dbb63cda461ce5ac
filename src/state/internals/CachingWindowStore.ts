import { IllegalArgumentError, InvalidStateStoreError } from '../../errors.js';
import type { RecordContext, StateStore, StoreContext } from '../StateStore.js';
import { bytesToKey } from './Bytes.js';
import { CachedKeyIndex } from './CachedKeyIndex.js';
import type { CacheEntry, NamedCache } from './NamedCache.js';
import { type WindowBytesStore, type WindowEntry, WrappedWindowBytesStore } from './WindowBytesStore.js';
import { parseWindowStoreKey, windowStoreKey } from './WindowKeySchema.js';

/** Receives each flushed window change: key bytes, window start, new value, old value (if asked for), writer's context. */
export type WindowBytesFlushListener = (
  key: Buffer,
  windowStart: number,
  newValue: Buffer | null,
  oldValue: Buffer | null,
  context: RecordContext,
) => void;

/**
 * Keeps window writes in the thread cache until commit or eviction (Kafka's
 * CachingWindowStore), keyed by [key][windowStart][seqnum 0] in latin1, then
 * writes them below and forwards them, so several updates of one window
 * between commits reach downstream and the changelog as one. Never used for
 * stores that retain duplicates: their every put must survive.
 */
export class CachingWindowStore extends WrappedWindowBytesStore {
  private cache!: NamedCache;
  private context!: StoreContext;
  private namespace = '';
  private readonly index = new CachedKeyIndex(() => this.cache, (cacheKey) => parseWindowStoreKey(cacheKey).key);
  private listener: WindowBytesFlushListener | null = null;
  private sendOldValues = false;
  // the stream time of the writes still in the cache, which the store below has not seen yet
  private maxObserved = -1;

  constructor(inner: WindowBytesStore) {
    super(inner);
    if (inner.retainDuplicates) throw new IllegalArgumentError(`Window store ${inner.name} retains duplicates and cannot be cached`);
  }

  override get observedStreamTime(): number {
    return Math.max(this.maxObserved, this.inner.observedStreamTime);
  }

  override init(context: StoreContext, root: StateStore): void {
    super.init(context, root);
    this.context = context;
    if (context.cache === null) throw new Error(`Caching store ${this.name} needs a record cache`);
    this.namespace = `${context.taskId.toString()}-${this.name}`;
    this.cache = context.cache.namedCache(this.namespace);
    this.cache.setListener((entries) => this.flushEntries(entries));
  }

  /** Where flushed changes go; without a listener the cache only writes through. */
  setFlushListener(listener: WindowBytesFlushListener, sendOldValues: boolean): boolean {
    this.listener = listener;
    this.sendOldValues = sendOldValues;
    return true;
  }

  override put(key: Buffer, value: Buffer | null, windowStart: number): void {
    // the cache alone would accept writes to a closed store
    if (!this.isOpen()) throw new InvalidStateStoreError(`Store ${this.name} is closed`);
    const storeKey = windowStoreKey(key, windowStart, 0);
    const cacheKey = bytesToKey(storeKey);
    this.cache.put(cacheKey, storeKey, value, true, this.context.recordContext());
    this.index.add(bytesToKey(key), cacheKey);
    this.maxObserved = Math.max(this.maxObserved, windowStart);
    this.context.cache?.maybeEvict(this.namespace);
  }

  override fetch(key: Buffer, windowStart: number): Buffer | null {
    // as Kafka's CachingWindowStore: a cached window is returned whatever its age, the store
    // below applies its own retention (by the stream time of what was flushed to it)
    const hit = this.cache.get(bytesToKey(windowStoreKey(key, windowStart, 0)));
    return hit === undefined ? this.inner.fetch(key, windowStart) : hit.value;
  }

  override fetchRange(keyFrom: Buffer | null, keyTo: Buffer | null, timeFrom: number, timeTo: number, backward: boolean): WindowEntry[] {
    if (keyFrom !== null && keyTo !== null && Buffer.compare(keyFrom, keyTo) > 0) return [];
    return this.merged(this.inner.fetchRange(keyFrom, keyTo, timeFrom, timeTo, false), keyFrom, keyTo, timeFrom, timeTo, backward);
  }

  override fetchAll(timeFrom: number, timeTo: number, backward: boolean): WindowEntry[] {
    return this.merged(this.inner.fetchAll(timeFrom, timeTo, false), null, null, timeFrom, timeTo, backward);
  }

  override all(backward: boolean): WindowEntry[] {
    const inf = Number.POSITIVE_INFINITY;
    return this.merged(this.inner.all(false), null, null, -inf, inf, backward);
  }

  override flush(): void {
    this.cache.flush();
    this.inner.flush();
  }

  override close(): void {
    this.cache.flush();
    this.context.cache?.close(this.namespace);
    this.index.clear();
    this.inner.close();
  }

  /** The cache entries a read of [keyFrom, keyTo] must consider: one key's through the index, else a scan. */
  private cachedCandidates(keyFrom: Buffer | null, keyTo: Buffer | null): [string, CacheEntry][] {
    if (keyFrom !== null && keyTo !== null && keyFrom.equals(keyTo)) return this.index.entries(bytesToKey(keyFrom));
    // every store key of a key >= keyFrom is itself >= keyFrom
    return this.cache.entriesInRange(keyFrom && bytesToKey(keyFrom), null);
  }

  /**
   * The store's windows with the cache's newer values laid over them, in the
   * in-memory store's order (start, then key bytes). Kafka merges by key-major
   * store key here, which interleaves oddly with the time-major in-memory
   * store below; one order for every stack is what callers can rely on.
   */
  private merged(
    stored: WindowEntry[],
    keyFrom: Buffer | null,
    keyTo: Buffer | null,
    timeFrom: number,
    timeTo: number,
    backward: boolean,
  ): WindowEntry[] {
    // as Kafka's caching window stores: the store below filters by its own retention (by the
    // stream time of what was flushed to it); cached windows, clean or dirty, are filtered by
    // the time range only, so a window past retention stays readable until the cache evicts it
    const view = new Map<string, WindowEntry | null>();
    for (const e of stored) view.set(`${e.windowStart}/${bytesToKey(e.key)}`, e);
    for (const [, c] of this.cachedCandidates(keyFrom, keyTo)) {
      const p = parseWindowStoreKey(c.key);
      if (p.windowStart < timeFrom || p.windowStart > timeTo) continue;
      if (keyFrom !== null && Buffer.compare(p.key, keyFrom) < 0) continue;
      if (keyTo !== null && Buffer.compare(p.key, keyTo) > 0) continue;
      const v = c.value;
      view.set(`${p.windowStart}/${bytesToKey(p.key)}`, v === null ? null : { key: p.key, windowStart: p.windowStart, value: v });
    }
    const out: WindowEntry[] = [];
    for (const e of view.values()) if (e !== null) out.push(e);
    out.sort((a, b) => a.windowStart - b.windowStart || Buffer.compare(a.key, b.key));
    return backward ? out.reverse() : out;
  }

  private flushEntries(entries: CacheEntry[]): void {
    const listener = this.listener;
    for (const e of entries) {
      const { key, windowStart } = parseWindowStoreKey(e.key);
      const oldValue = listener !== null && (e.value === null || this.sendOldValues) ? this.inner.fetch(key, windowStart) : null;
      // a window that was neither stored nor cached before: nothing to write or forward
      if (listener !== null && e.value === null && oldValue === null) continue;
      // the write below and the forward run with the context of the record that wrote the entry
      const previous = this.context.setRecordContext(e.context);
      try {
        this.inner.put(key, e.value, windowStart);
        if (listener !== null) listener(key, windowStart, e.value, this.sendOldValues ? oldValue : null, e.context);
      } finally {
        this.context.setRecordContext(previous);
      }
    }
  }
}
