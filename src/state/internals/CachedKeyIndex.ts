import { bytesToKey } from './Bytes.js';
import type { CacheEntry, NamedCache } from './NamedCache.js';

/**
 * Which cache entries of a caching window or session store belong to which
 * record key, so that single-key reads (one per record in session and sliding
 * window aggregations) look at that key's entries only instead of scanning
 * the store's whole cache, which NamedCache can only do linearly.
 *
 * NamedCache evicts entries and drops flushed tombstones by itself, so the
 * index may name entries that are gone: a read checks each against the cache
 * and forgets the stale ones, and the index is rebuilt from the cache when it
 * has grown to twice the cache's size, which bounds it and amortises the scan.
 */
export class CachedKeyIndex {
  private readonly byKey = new Map<string, Set<string>>();
  private size = 0;

  constructor(
    private readonly cache: () => NamedCache,
    /** The record key bytes inside a cache key (the store key layout). */
    private readonly recordKeyOf: (cacheKey: Buffer) => Buffer,
  ) {}

  /** Notes that the cache holds `cacheKey` (latin1) of `recordKey` (latin1). */
  add(recordKey: string, cacheKey: string): void {
    let keys = this.byKey.get(recordKey);
    if (keys === undefined) {
      keys = new Set();
      this.byKey.set(recordKey, keys);
    }
    if (keys.has(cacheKey)) return;
    keys.add(cacheKey);
    this.size++;
    if (this.size > 2 * this.cache().size + 64) this.rebuild();
  }

  /**
   * The cache entries of one record key that are still cached. Like any cache
   * read it marks them recently used (NamedCache has no other lookup).
   */
  entries(recordKey: string): [string, CacheEntry][] {
    const out: [string, CacheEntry][] = [];
    const keys = this.byKey.get(recordKey);
    if (keys === undefined) return out;
    for (const cacheKey of keys) {
      const e = this.cache().get(cacheKey);
      if (e !== undefined) {
        out.push([cacheKey, e]);
      } else {
        keys.delete(cacheKey);
        this.size--;
      }
    }
    if (keys.size === 0) this.byKey.delete(recordKey);
    return out;
  }

  clear(): void {
    this.byKey.clear();
    this.size = 0;
  }

  private rebuild(): void {
    this.clear();
    for (const [cacheKey, e] of this.cache().entriesInRange(null, null)) {
      const recordKey = bytesToKey(this.recordKeyOf(e.key));
      let keys = this.byKey.get(recordKey);
      if (keys === undefined) {
        keys = new Set();
        this.byKey.set(recordKey, keys);
      }
      keys.add(cacheKey);
      this.size++;
    }
  }
}
