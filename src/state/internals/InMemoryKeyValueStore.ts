import { InvalidStateStoreError } from '../../errors.js';
import type { Serializer } from '../../serdes/Serde.js';
import { ArrayKeyValueIterator, type KeyValue, type KeyValueIterator, type KeyValueStore } from '../KeyValueStore.js';
import type { StateStore, StoreContext } from '../StateStore.js';
import { bytesToKey, keyToBytes, prefixUpperBound } from './Bytes.js';
import { SortedList } from './SortedArray.js';

/**
 * The in-memory bottom of a key-value store stack, in bytes. A hash map holds
 * the data for O(1) get and overwrite; a sorted key list, kept in order by
 * binary-search insertion when a key is added or removed, serves ranges
 * without re-sorting (time-ordered keys, as in join buffers, only append).
 */
export class InMemoryKeyValueStore implements KeyValueStore<Buffer, Buffer> {
  readonly persistent = false;
  private readonly map = new Map<string, Buffer>();
  private readonly sortedKeys = new SortedList<string>();
  private open = false;

  constructor(readonly name: string) {}

  init(context: StoreContext, root: StateStore): void {
    this.open = true;
    context.register(root);
  }

  flush(): void {}

  close(): void {
    this.open = false;
  }

  isOpen(): boolean {
    return this.open;
  }

  get(key: Buffer): Buffer | null {
    return this.map.get(bytesToKey(key)) ?? null;
  }

  put(key: Buffer, value: Buffer | null): void {
    this.checkOpen();
    const k = bytesToKey(key);
    if (value === null) {
      if (this.map.delete(k)) this.sortedKeys.remove(k);
    } else {
      const before = this.map.size;
      this.map.set(k, value);
      if (this.map.size !== before) this.sortedKeys.insert(k);
    }
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
    return this.scan(from && bytesToKey(from), to && bytesToKey(to), true, false);
  }

  reverseRange(from: Buffer | null, to: Buffer | null): KeyValueIterator<Buffer, Buffer> {
    return this.scan(from && bytesToKey(from), to && bytesToKey(to), true, true);
  }

  all(): KeyValueIterator<Buffer, Buffer> {
    return this.scan(null, null, true, false);
  }

  reverseAll(): KeyValueIterator<Buffer, Buffer> {
    return this.scan(null, null, true, true);
  }

  prefixScan<P>(prefix: P, prefixSerializer: Serializer<P>): KeyValueIterator<Buffer, Buffer> {
    const bytes = prefixSerializer.serialize('', prefix);
    const from = bytes ? bytesToKey(bytes) : '';
    return this.scan(from, prefixUpperBound(from), false, false);
  }

  approximateNumEntries(): number {
    return this.map.size;
  }

  /** Keys in [from, to] (or [from, to) when `toInclusive` is false), as a snapshot. */
  private scan(
    from: string | null,
    to: string | null,
    toInclusive: boolean,
    reverse: boolean,
  ): KeyValueIterator<Buffer, Buffer> {
    this.checkOpen();
    if (from !== null && to !== null && from > to) return new ArrayKeyValueIterator([]);
    const keys = this.sortedKeys;
    const lo = from === null ? 0 : keys.lowerBound(from);
    let hi = to === null ? keys.length : keys.lowerBound(to);
    if (to !== null && toInclusive && hi < keys.length && keys.at(hi) === to) hi++;
    // like Kafka's in-memory store, iterate over a snapshot of the keys (writes during iteration are safe);
    // values are read lazily, and keys deleted meanwhile are skipped
    return new LazyKeyValueIterator(keys.slice(lo, hi), reverse, this.map);
  }

  private checkOpen(): void {
    if (!this.open) throw new InvalidStateStoreError(`Store ${this.name} is closed`);
  }
}

/** Walks a key snapshot, fetching values as it goes. */
class LazyKeyValueIterator implements KeyValueIterator<Buffer, Buffer> {
  private i: number;
  private nextEntry: KeyValue<Buffer, Buffer> | undefined;

  constructor(
    private readonly keys: string[],
    private readonly reverse: boolean,
    private readonly map: Map<string, Buffer>,
  ) {
    this.i = reverse ? keys.length - 1 : 0;
    this.advance();
  }

  private advance(): void {
    this.nextEntry = undefined;
    while (this.i >= 0 && this.i < this.keys.length) {
      const k = this.keys[this.i] as string;
      this.i += this.reverse ? -1 : 1;
      const v = this.map.get(k);
      if (v !== undefined) {
        this.nextEntry = { key: keyToBytes(k), value: v };
        return;
      }
    }
  }

  next(): IteratorResult<KeyValue<Buffer, Buffer>> {
    const e = this.nextEntry;
    if (e === undefined) return { done: true, value: undefined };
    this.advance();
    return { done: false, value: e };
  }

  peekNextKey(): Buffer | undefined {
    return this.nextEntry?.key;
  }

  close(): void {
    this.nextEntry = undefined;
    this.i = -1;
  }

  [Symbol.iterator](): this {
    return this;
  }
}
