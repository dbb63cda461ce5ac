import { InvalidStateStoreError } from '../../errors.js';
import type { Serializer } from '../../serdes/Serde.js';
import { ArrayKeyValueIterator, type KeyValue, type KeyValueIterator, type KeyValueStore } from '../KeyValueStore.js';
import type { StateStore, StoreContext } from '../StateStore.js';
import { bytesToKey, keyToBytes, prefixUpperBound } from './Bytes.js';

/**
 * The in-memory bottom of a key-value store stack, in bytes. A hash map holds
 * the data; a sorted key list is rebuilt lazily for range queries, which keeps
 * put and get O(1) on the hot path.
 */
export class InMemoryKeyValueStore implements KeyValueStore<Buffer, Buffer> {
  readonly persistent = false;
  private readonly map = new Map<string, Buffer>();
  private sortedKeys: string[] | null = null;
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
      if (this.map.delete(k)) this.sortedKeys = null;
    } else {
      if (!this.map.has(k)) this.sortedKeys = null;
      this.map.set(k, value);
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
    const keys = this.sorted();
    const out: KeyValue<Buffer, Buffer>[] = [];
    let i = from === null ? 0 : lowerBound(keys, from);
    for (; i < keys.length; i++) {
      const k = keys[i] as string;
      if (to !== null && (toInclusive ? k > to : k >= to)) break;
      out.push({ key: keyToBytes(k), value: this.map.get(k) as Buffer });
    }
    if (reverse) out.reverse();
    return new ArrayKeyValueIterator(out);
  }

  private sorted(): string[] {
    if (this.sortedKeys === null) {
      this.sortedKeys = [...this.map.keys()].sort();
    }
    return this.sortedKeys;
  }

  private checkOpen(): void {
    if (!this.open) throw new InvalidStateStoreError(`Store ${this.name} is closed`);
  }
}

function lowerBound(keys: string[], target: string): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((keys[mid] as string) < target) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
