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
    if (e !== undefined) {
      // move to most recently used
      this.entries.delete(key);
      this.entries.set(key, e);
    }
    return e;
  }

  put(mapKey: string, key: Buffer, value: Buffer | null, dirty: boolean, context: RecordContext): void {
    const size = key.length + (value?.length ?? 0) + ENTRY_OVERHEAD;
    const old = this.entries.get(mapKey);
    if (old !== undefined) {
      this.resize(-old.size);
      this.entries.delete(mapKey);
      old.value = value;
      old.dirty = old.dirty || dirty;
      old.context = context;
      old.size = size;
      this.entries.set(mapKey, old);
    } else {
      this.entries.set(mapKey, { key, value, dirty, context, size });
    }
    if (dirty) {
      // remove then add, so the dirty order is the order of the last writes
      this.dirtyKeys.delete(mapKey);
      this.dirtyKeys.add(mapKey);
    }
    this.resize(size);
  }

  delete(mapKey: string): void {
    const e = this.entries.get(mapKey);
    if (e === undefined) return;
    this.entries.delete(mapKey);
    this.dirtyKeys.delete(mapKey);
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
    const first = this.entries.keys().next();
    if (first.done) return;
    const k = first.value;
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
    this.resize(-this.bytes);
  }
}
