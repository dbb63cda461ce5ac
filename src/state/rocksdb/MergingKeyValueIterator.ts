import { bytesToKey, keyToBytes } from '../internals/Bytes.js';
import type { KeyValue, KeyValueIterator } from '../KeyValueStore.js';
import type { RocksDBIterator } from './RocksDBBinding.js';

/** Chunk sizes of the RocksDB read: small first (many range reads want a few entries), then larger. */
const FIRST_CHUNK = 16;
const MAX_CHUNK = 1024;

/**
 * A key-value range over the uncommitted writes (a snapshot of the overlay's
 * entries in the range, in scan order, tombstones as null) and the committed
 * data (a RocksDB iterator, read lazily in chunks over its own snapshot).
 * Where both hold a key the overlay wins; a tombstone hides the committed
 * value. Keys compare as latin1 strings, whose order is unsigned byte order.
 */
export class MergingKeyValueIterator implements KeyValueIterator<Buffer, Buffer> {
  private oi = 0;
  private dbKeys: Buffer[] = [];
  private dbValues: Buffer[] = [];
  private dbStrings: (string | undefined)[] = [];
  private di = 0;
  private dbDone: boolean;
  private chunk = FIRST_CHUNK;
  private pending: KeyValue<Buffer, Buffer> | null = null;
  private closed = false;

  constructor(
    private readonly overlay: readonly (readonly [string, Buffer | null])[],
    private readonly db: RocksDBIterator | null,
    private readonly reverse: boolean,
    private readonly onClose: (it: MergingKeyValueIterator) => void,
  ) {
    this.dbDone = db === null;
  }

  next(): IteratorResult<KeyValue<Buffer, Buffer>> {
    const kv = this.pending ?? this.advance();
    this.pending = null;
    return kv === null ? { done: true, value: undefined } : { done: false, value: kv };
  }

  peekNextKey(): Buffer | undefined {
    this.pending ??= this.advance();
    return this.pending?.key;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.pending = null;
    this.db?.close();
    this.onClose(this);
  }

  [Symbol.iterator](): this {
    return this;
  }

  private advance(): KeyValue<Buffer, Buffer> | null {
    for (;;) {
      if (this.closed) return null;
      const o = this.overlay[this.oi];
      const dbKey = this.peekDb();
      if (o === undefined && dbKey === undefined) {
        this.close();
        return null;
      }
      let cmp: number;
      if (o === undefined) cmp = 1;
      else if (dbKey === undefined) cmp = -1;
      else {
        const c = o[0] < dbKey ? -1 : o[0] > dbKey ? 1 : 0;
        cmp = this.reverse ? -c : c;
      }
      if (cmp > 0) {
        // the committed entry comes first
        const kv = { key: this.dbKeys[this.di] as Buffer, value: this.dbValues[this.di] as Buffer };
        this.di++;
        return kv;
      }
      this.oi++;
      if (cmp === 0) this.di++; // the overlay shadows the committed value
      const [k, v] = o as readonly [string, Buffer | null];
      if (v !== null) return { key: keyToBytes(k), value: v };
    }
  }

  /** The next committed key (latin1), reading a chunk when needed. */
  private peekDb(): string | undefined {
    while (this.di >= this.dbKeys.length) {
      if (this.dbDone) return undefined;
      const c = (this.db as RocksDBIterator).next(this.chunk);
      this.chunk = Math.min(MAX_CHUNK, this.chunk * 4);
      this.dbKeys = c.keys;
      this.dbValues = c.values;
      this.dbStrings = new Array(c.keys.length);
      this.di = 0;
      this.dbDone = c.done;
    }
    let s = this.dbStrings[this.di];
    if (s === undefined) {
      s = bytesToKey(this.dbKeys[this.di] as Buffer);
      this.dbStrings[this.di] = s;
    }
    return s;
  }
}
