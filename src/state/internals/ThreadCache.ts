import type { RecordCacheLike } from '../StateStore.js';
import { NamedCache } from './NamedCache.js';

/**
 * The record cache shared by the stores of one stream thread (Kafka's
 * ThreadCache). `maxBytes` bounds the sum of all named caches; a put that goes
 * over evicts (and so flushes) entries of the store being written.
 */
export class ThreadCache implements RecordCacheLike {
  private readonly caches = new Map<string, NamedCache>();
  private totalBytes = 0;

  constructor(readonly maxBytes: number) {}

  namedCache(namespace: string): NamedCache {
    let c = this.caches.get(namespace);
    if (c === undefined) {
      c = new NamedCache(namespace, (delta) => {
        this.totalBytes += delta;
      });
      this.caches.set(namespace, c);
    }
    return c;
  }

  sizeBytes(): number {
    return this.totalBytes;
  }

  maybeEvict(namespace: string): void {
    if (this.totalBytes <= this.maxBytes) return;
    const cache = this.caches.get(namespace);
    if (cache === undefined) return;
    while (this.totalBytes > this.maxBytes) {
      // a put on this cache may have filled another one; only this one is ours to evict
      if (cache.size === 0) return;
      cache.evictOne();
    }
  }

  /** Drops the caches of a closed task's stores. */
  close(namespace: string): void {
    this.caches.get(namespace)?.clear();
    this.caches.delete(namespace);
  }
}
