import type { Serializer } from '../../serdes/Serde.js';
import { bytesToKey, keyToBytes, prefixUpperBound } from '../internals/Bytes.js';
import { lowerBound } from '../internals/SortedArray.js';
import { ArrayKeyValueIterator, type KeyValue, type KeyValueIterator, type KeyValueStore } from '../KeyValueStore.js';
import { MergingKeyValueIterator } from './MergingKeyValueIterator.js';
import { RocksDBStoreBase } from './RocksDBStoreBase.js';
import type { RocksDBStoreOptions } from './RocksDBStoreCore.js';
import type { CommitOptions } from './TaskStateStores.js';

/**
 * The RocksDB bottom of a key-value store stack, in bytes (Kafka's
 * RocksDBStore), with transactional writes: puts and deletes since the last
 * commit live in an in-memory overlay (deletes as tombstones) that every read
 * consults first, and only commit() writes them to RocksDB, in one WriteBatch
 * with the changelog offset they reflect. So the database always holds
 * exactly a committed state: a crash loses only uncommitted writes, which the
 * input offsets were not committed for either.
 *
 * flush() writes nothing: the layers above write into the overlay on flush,
 * and the task commits after Kafka has its offsets (design.md, commit step 3).
 */
export class RocksDBKeyValueStore extends RocksDBStoreBase implements KeyValueStore<Buffer, Buffer> {
  private readonly overlay = new Map<string, Buffer | null>();
  /** The overlay's keys in byte order, rebuilt lazily after a new key arrives (range reads only). */
  private sortedOverlay: string[] | null = null;
  private overlayBytes = 0;
  private readonly iterators = new Set<MergingKeyValueIterator>();

  constructor(name: string, options: RocksDBStoreOptions = {}) {
    super(name, 'keyValue', ['default'], options);
  }

  get(key: Buffer): Buffer | null {
    this.checkOpen();
    const v = this.overlay.get(bytesToKey(key));
    if (v !== undefined) return v;
    return this.read(() => this.core.db.get(key)) ?? null;
  }

  /**
   * Reads many keys with one RocksDB MultiGet (the overlay first): what a
   * task can use to prefetch the keys of a fetched batch.
   */
  getMany(keys: readonly Buffer[]): (Buffer | null)[] {
    this.checkOpen();
    const out = new Array<Buffer | null>(keys.length);
    const missing: Buffer[] = [];
    const at: number[] = [];
    for (let i = 0; i < keys.length; i++) {
      const v = this.overlay.get(bytesToKey(keys[i] as Buffer));
      if (v !== undefined) out[i] = v;
      else {
        missing.push(keys[i] as Buffer);
        at.push(i);
      }
    }
    if (missing.length > 0) {
      const found = this.read(() => this.core.db.getMany(missing));
      for (let j = 0; j < at.length; j++) out[at[j] as number] = found[j] ?? null;
    }
    return out;
  }

  put(key: Buffer, value: Buffer | null): void {
    this.checkOpen();
    const k = bytesToKey(key);
    const old = this.overlay.get(k);
    if (old === undefined) {
      this.sortedOverlay = null;
      this.overlayBytes += k.length + 16;
    } else if (old !== null) {
      this.overlayBytes -= old.length;
    }
    if (value !== null) this.overlayBytes += value.length;
    this.overlay.set(k, value);
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
    return this.scan(from, to, true, false);
  }

  reverseRange(from: Buffer | null, to: Buffer | null): KeyValueIterator<Buffer, Buffer> {
    return this.scan(from, to, true, true);
  }

  all(): KeyValueIterator<Buffer, Buffer> {
    return this.scan(null, null, true, false);
  }

  reverseAll(): KeyValueIterator<Buffer, Buffer> {
    return this.scan(null, null, true, true);
  }

  prefixScan<P>(prefix: P, prefixSerializer: Serializer<P>): KeyValueIterator<Buffer, Buffer> {
    const bytes = prefixSerializer.serialize('', prefix) ?? Buffer.alloc(0);
    const upper = prefixUpperBound(bytesToKey(bytes));
    return this.scan(bytes, upper === null ? null : keyToBytes(upper), false, false);
  }

  /** RocksDB's estimate of committed keys, adjusted by the overlay's new keys and tombstones. */
  approximateNumEntries(): number {
    this.checkOpen();
    let n = Number(this.core.db.getProperty('rocksdb.estimate-num-keys')) || 0;
    for (const v of this.overlay.values()) n += v === null ? -1 : 1;
    return Math.max(0, n);
  }

  // ---- commit protocol ----

  commit(changelogOffset: number | null, options: CommitOptions = {}): void {
    this.checkOpen();
    if (this.overlay.size === 0 && (changelogOffset === null || changelogOffset === this.core.committedOffset())) return;
    this.core.commit(
      (batch) => {
        for (const [k, v] of this.overlay) {
          if (v === null) batch.delete(keyToBytes(k));
          else batch.put(keyToBytes(k), v);
        }
      },
      changelogOffset,
      [],
      options.sync === true,
    );
    this.clearOverlay();
  }

  rollback(): void {
    this.clearOverlay();
  }

  uncommittedBytes(): number {
    return this.overlayBytes;
  }

  // ---- internals ----

  /** Keys in [from, to] (or [from, to) when `toInclusive` is false): the overlay's now, RocksDB's from a snapshot. */
  private scan(from: Buffer | null, to: Buffer | null, toInclusive: boolean, reverse: boolean): KeyValueIterator<Buffer, Buffer> {
    this.checkOpen();
    if (from !== null && to !== null && Buffer.compare(from, to) > (toInclusive ? 0 : -1)) return new ArrayKeyValueIterator([]);
    const fromKey = from === null ? null : bytesToKey(from);
    const toKey = to === null ? null : bytesToKey(to);
    const keys = this.sortedOverlayKeys();
    const slice: [string, Buffer | null][] = [];
    for (let i = fromKey === null ? 0 : lowerBound(keys, fromKey); i < keys.length; i++) {
      const k = keys[i] as string;
      if (toKey !== null && (toInclusive ? k > toKey : k >= toKey)) break;
      slice.push([k, this.overlay.get(k) as Buffer | null]);
    }
    if (reverse) slice.reverse();
    const db = this.read(() =>
      this.core.db.iterate({
        ...(from === null ? {} : { gte: from }),
        ...(to === null ? {} : toInclusive ? { lte: to } : { lt: to }),
        reverse,
      }),
    );
    const it = new MergingKeyValueIterator(slice, db, reverse, (x) => this.iterators.delete(x));
    this.iterators.add(it);
    return it;
  }

  private sortedOverlayKeys(): string[] {
    this.sortedOverlay ??= [...this.overlay.keys()].sort();
    return this.sortedOverlay;
  }

  protected clearOverlay(): void {
    this.overlay.clear();
    this.sortedOverlay = null;
    this.overlayBytes = 0;
  }

  protected override beforeClose(): void {
    for (const it of [...this.iterators]) it.close();
  }
}
