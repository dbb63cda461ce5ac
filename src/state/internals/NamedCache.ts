import type { RecordContext } from '../StateStore.js';

/** One cached value; `dirty` until flushed to the store below. */
export interface CacheEntry {
  readonly key: Buffer;
  value: Buffer | null;
  dirty: boolean;
  context: RecordContext;
  size: number;
}

/** Called on flush with the dirty entries, in the order they were last written. */
export type DirtyEntriesListener = (entries: CacheEntry[]) => void;

/** Rough per-entry bookkeeping bytes, counted so that many tiny entries still fill the cache. */
const ENTRY_OVERHEAD = 64;

/**
 * The cache of one store in one task (Kafka's NamedCache): entries in LRU
 * order, and the dirty keys in order of their last write, which is the order
 * a flush forwards them in.
 */
export class NamedCache {
  private readonly entries = new Map<string, CacheEntry>();
  private readonly dirtyKeys = new Set<string>();
  private listener: DirtyEntriesListener | null = null;
  private bytes = 0;
  /** The most recently used key and the last dirtied key: re-touching them needs no reordering. */
  private mruKey: string | null = null;
  private evictCursor: Iterator<string> | null = null;
  private lastDirtyKey: string | null = null;

  /** `onResize` tells the owning thread cache how the size changed, so it keeps a running total. */
  constructor(
    readonly namespace: string,
    private readonly onResize: (delta: number) => void = () => {},
  ) {}

  get sizeBytes(): number {
    return this.bytes;
  }

  private resize(delta: number): void {
    this.bytes += delta;
    this.onResize(delta);
  }

  setListener(listener: DirtyEntriesListener): void {
    this.listener = listener;
  }

  get(key: string): CacheEntry | undefined {
    const e = this.entries.get(key);
    if (e !== undefined && key !== this.mruKey) {
      // move to most recently used (a Map iterates in insertion order)
      this.entries.delete(key);
      this.entries.set(key, e);
      this.mruKey = key;
    }
    return e;
  }

  put(mapKey: string, key: Buffer, value: Buffer | null, dirty: boolean, context: RecordContext): void {
    const size = key.length + (value?.length ?? 0) + ENTRY_OVERHEAD;
    const old = this.entries.get(mapKey);
    if (old !== undefined) {
      this.resize(-old.size);
      // a read just before (the usual read-modify-write) already made it the most recent
      if (mapKey !== this.mruKey) {
        this.entries.delete(mapKey);
        this.entries.set(mapKey, old);
      }
      old.value = value;
      old.dirty = old.dirty || dirty;
      old.context = context;
      old.size = size;
    } else {
      this.entries.set(mapKey, { key, value, dirty, context, size });
    }
    this.mruKey = mapKey;
    if (dirty && mapKey !== this.lastDirtyKey) {
      // remove then add, so the dirty order is the order of the last writes
      this.dirtyKeys.delete(mapKey);
      this.dirtyKeys.add(mapKey);
      this.lastDirtyKey = mapKey;
    }
    this.resize(size);
  }

  delete(mapKey: string): void {
    const e = this.entries.get(mapKey);
    if (e === undefined) return;
    this.entries.delete(mapKey);
    this.dirtyKeys.delete(mapKey);
    if (mapKey === this.mruKey) this.mruKey = null;
    if (mapKey === this.lastDirtyKey) this.lastDirtyKey = null;
    this.resize(-e.size);
  }

  /** Hands every dirty entry to the listener, marks them clean and drops cached tombstones. */
  flush(): void {
    if (this.dirtyKeys.size === 0) return;
    const batch: CacheEntry[] = [];
    for (const k of this.dirtyKeys) {
      const e = this.entries.get(k) as CacheEntry;
      batch.push({ ...e });
      e.dirty = false;
    }
    this.dirtyKeys.clear();
    this.lastDirtyKey = null;
    this.listener?.(batch);
    for (const e of batch) {
      if (e.value === null) {
        const k = e.key.toString('latin1');
        const cur = this.entries.get(k);
        if (cur !== undefined && !cur.dirty && cur.value === null) this.delete(k);
      }
    }
  }

  /** Evicts the least recently used entry, flushing all dirty entries first if it is dirty. */
  evictOne(): void {
    // A Map keeps deleted slots until it rehashes, so a fresh keys() iterator would
    // walk over every entry evicted before: keep one live iterator instead (it
    // skips deletions once and also sees entries moved to the end later).
    let next = this.evictCursor?.next();
    if (next === undefined || next.done) {
      this.evictCursor = this.entries.keys();
      next = this.evictCursor.next();
    }
    if (next.done) return;
    const k = next.value;
    const e = this.entries.get(k) as CacheEntry;
    if (e.dirty) this.flush();
    this.delete(k);
  }

  /** Dirty and clean entries whose keys lie in [from, to] (null bounds are open), unsorted. */
  entriesInRange(from: string | null, to: string | null): [string, CacheEntry][] {
    const out: [string, CacheEntry][] = [];
    for (const [k, e] of this.entries) {
      if ((from === null || k >= from) && (to === null || k <= to)) out.push([k, e]);
    }
    return out;
  }

  get size(): number {
    return this.entries.size;
  }

  clear(): void {
    this.entries.clear();
    this.dirtyKeys.clear();
    this.evictCursor = null;
    this.mruKey = null;
    this.lastDirtyKey = null;
    this.resize(-this.bytes);
  }
}
