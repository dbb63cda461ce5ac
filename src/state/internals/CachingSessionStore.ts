import { InvalidStateStoreError } from '../../errors.js';
import type { RecordContext, StateStore, StoreContext } from '../StateStore.js';
import { bytesToKey } from './Bytes.js';
import { CachedKeyIndex } from './CachedKeyIndex.js';
import type { CacheEntry, NamedCache } from './NamedCache.js';
import { compareSessions, type SessionEntry, WrappedSessionBytesStore } from './SessionBytesStore.js';
import { parseSessionStoreKey, sessionStoreKey } from './SessionKeySchema.js';

/** Receives each flushed session change: key bytes, session start and end, new value, old value (if asked for), writer's context. */
export type SessionBytesFlushListener = (
  key: Buffer,
  start: number,
  end: number,
  newValue: Buffer | null,
  oldValue: Buffer | null,
  context: RecordContext,
) => void;

/**
 * Keeps session writes in the thread cache until commit or eviction (Kafka's
 * CachingSessionStore), keyed by [key][end][start] in latin1, then writes them
 * below and forwards them, so several updates of one session between commits
 * reach downstream and the changelog as one.
 */
export class CachingSessionStore extends WrappedSessionBytesStore {
  private cache!: NamedCache;
  private context!: StoreContext;
  private namespace = '';
  private readonly index = new CachedKeyIndex(() => this.cache, (cacheKey) => parseSessionStoreKey(cacheKey).key);
  private listener: SessionBytesFlushListener | null = null;
  private sendOldValues = false;
  // the stream time of the writes still in the cache, which the store below has not seen yet
  private maxObserved = -1;

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
  setFlushListener(listener: SessionBytesFlushListener, sendOldValues: boolean): boolean {
    this.listener = listener;
    this.sendOldValues = sendOldValues;
    return true;
  }

  override put(key: Buffer, start: number, end: number, value: Buffer | null): void {
    // the cache alone would accept writes to a closed store
    if (!this.isOpen()) throw new InvalidStateStoreError(`Store ${this.name} is closed`);
    const storeKey = sessionStoreKey(key, start, end);
    const cacheKey = bytesToKey(storeKey);
    this.cache.put(cacheKey, storeKey, value, true, this.context.recordContext());
    this.index.add(bytesToKey(key), cacheKey);
    this.maxObserved = Math.max(this.maxObserved, end);
    this.context.cache?.maybeEvict(this.namespace);
  }

  /** A cached tombstone, flushed (and logged) like any other write. */
  override remove(key: Buffer, start: number, end: number): void {
    this.put(key, start, end, null);
  }

  override fetchSession(key: Buffer, start: number, end: number): Buffer | null {
    // as Kafka's CachingSessionStore: a cached session is returned whatever its age, the
    // store below applies its own retention (by the stream time of what was flushed to it)
    const hit = this.cache.get(bytesToKey(sessionStoreKey(key, start, end)));
    return hit === undefined ? this.inner.fetchSession(key, start, end) : hit.value;
  }

  /** The store's sessions with the cache's newer values laid over them, in the in-memory store's order. */
  override findSessions(
    keyFrom: Buffer | null,
    keyTo: Buffer | null,
    earliestSessionEndTime: number,
    latestSessionStartTime: number,
    backward: boolean,
  ): SessionEntry[] {
    if (keyFrom !== null && keyTo !== null && Buffer.compare(keyFrom, keyTo) > 0) return [];
    // as Kafka's CachingSessionStore: the store below filters by its own retention (by the
    // stream time of what was flushed to it); cached sessions, clean or dirty, only by the
    // time bounds, so a session past retention stays readable until the cache evicts it
    const minEnd = earliestSessionEndTime;
    const view = new Map<string, SessionEntry | null>();
    for (const e of this.inner.findSessions(keyFrom, keyTo, minEnd, latestSessionStartTime, false)) {
      view.set(bytesToKey(sessionStoreKey(e.key, e.start, e.end)), e);
    }
    for (const [k, c] of this.cachedCandidates(keyFrom, keyTo)) {
      const p = parseSessionStoreKey(c.key);
      if (p.end < minEnd || p.start > latestSessionStartTime) continue;
      if (keyFrom !== null && Buffer.compare(p.key, keyFrom) < 0) continue;
      if (keyTo !== null && Buffer.compare(p.key, keyTo) > 0) continue;
      view.set(k, c.value === null ? null : { key: p.key, start: p.start, end: p.end, value: c.value });
    }
    const out: SessionEntry[] = [];
    for (const e of view.values()) if (e !== null) out.push(e);
    out.sort(compareSessions);
    return backward ? out.reverse() : out;
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

  private flushEntries(entries: CacheEntry[]): void {
    const listener = this.listener;
    for (const e of entries) {
      const { key, start, end } = parseSessionStoreKey(e.key);
      const oldValue = listener !== null && (e.value === null || this.sendOldValues) ? this.inner.fetchSession(key, start, end) : null;
      // a session that was neither stored nor cached before: nothing to write or forward
      if (listener !== null && e.value === null && oldValue === null) continue;
      // the write below and the forward run with the context of the record that wrote the entry
      const previous = this.context.setRecordContext(e.context);
      try {
        this.inner.put(key, start, end, e.value);
        if (listener !== null) listener(key, start, end, e.value, this.sendOldValues ? oldValue : null, e.context);
      } finally {
        this.context.setRecordContext(previous);
      }
    }
  }
}
