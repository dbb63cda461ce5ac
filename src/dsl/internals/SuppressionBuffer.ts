import { ProcessorStateError } from '../../errors.js';
import { type Header, Headers } from '../../processor/Headers.js';
import type { Serde } from '../../serdes/Serde.js';
import { bytesToKey } from '../../state/internals/Bytes.js';
import type { RecordContext, StateStore, StoreContext } from '../../state/StateStore.js';
import { AbstractStoreBuilder } from '../../state/StoreBuilder.js';
import type { Change } from './Change.js';

/**
 * One buffered update: the key, its latest change (new and old value), the
 * value from before the key entered the buffer, and the latest record context.
 */
export interface BufferedUpdate<K, V> {
  readonly key: K;
  readonly time: number;
  readonly newValue: V | null;
  /** The old value of the latest update (what Kafka emits with the new value). */
  readonly oldValue: V | null;
  /** The old value of the first update buffered for this key. */
  readonly priorValue: V | null;
  readonly context: RecordContext;
  readonly size: number;
}

interface Entry<K, V> extends BufferedUpdate<K, V> {
  readonly keyBytes: Buffer;
  readonly newBytes: Buffer | null;
  readonly oldBytes: Buffer | null;
  readonly priorBytes: Buffer | null;
}

/** Values of the changelog's "v" header: the layout versions Kafka reads. */
const V1 = Buffer.from([1]);
const V2 = Buffer.from([2]);
const V3 = Buffer.from([3]);
/** Kafka's changelog header of the suppression buffer: v = 3. */
const CHANGELOG_HEADERS = Headers.of([{ key: 'v', value: V3 }]);
const NULL_VALUE_SENTINEL = -1;
const OLD_PREV_DUPLICATE_VALUE_SENTINEL = -2;

function sameBytes(a: Buffer | null, b: Buffer | null): boolean {
  return a === null || b === null ? a === b : a.equals(b);
}

/** Java's Arrays.hashCode(byte[]) spread as in HashMap.hash: the bucket order of a HashSet<Bytes>. */
function javaSpreadHash(bytes: Buffer): number {
  let h = 1;
  for (let i = 0; i < bytes.length; i++) h = (Math.imul(31, h) + ((bytes[i] as number) << 24 >> 24)) | 0;
  return (h ^ (h >>> 16)) >>> 0;
}

/** Kafka's ProcessorRecordContext.residentMemorySizeEstimate. */
function contextSize(c: RecordContext): number {
  let size = 8 + 8 + (c.topic?.length ?? 0) + 4;
  for (const h of c.headers.toArray()) size += h.key.length + (h.value?.length ?? 0);
  return size;
}

/** Kafka's ProcessorRecordContext.serialize. */
function serializeContext(c: RecordContext): Buffer {
  const topic = Buffer.from(c.topic ?? '', 'utf8');
  const parts: Buffer[] = [];
  const head = Buffer.alloc(8 + 8 + 4);
  head.writeBigInt64BE(BigInt(c.timestamp), 0);
  head.writeBigInt64BE(BigInt(c.offset), 8);
  head.writeInt32BE(topic.length, 16);
  const mid = Buffer.alloc(8);
  const headers = c.headers.toArray();
  mid.writeInt32BE(c.partition, 0);
  mid.writeInt32BE(headers.length, 4);
  parts.push(head, topic, mid);
  for (const h of headers) {
    const k = Buffer.from(h.key, 'utf8');
    const len = Buffer.alloc(4);
    len.writeInt32BE(k.length, 0);
    const vlen = Buffer.alloc(4);
    vlen.writeInt32BE(h.value === null ? -1 : h.value.length, 0);
    parts.push(len, k, vlen, ...(h.value === null ? [] : [h.value]));
  }
  return Buffer.concat(parts);
}

/** A record of the buffer's changelog topic, as a restore reads it. */
export interface SuppressionChangelogRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly timestamp: number;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: Headers;
}

/** Reads Java ByteBuffer fields; reading past the end throws, as a BufferUnderflowException. */
class ChangelogReader {
  private pos = 0;
  constructor(private readonly b: Buffer) {}

  private need(n: number): void {
    if (n < 0 || this.pos + n > this.b.length) throw new RangeError(`needs ${n} byte(s) at ${this.pos} of ${this.b.length}`);
  }
  long(): number {
    this.need(8);
    const v = Number(this.b.readBigInt64BE(this.pos));
    this.pos += 8;
    return v;
  }
  int(): number {
    this.need(4);
    const v = this.b.readInt32BE(this.pos);
    this.pos += 4;
    return v;
  }
  /** `length` bytes, or null for a negative length (Kafka's Utils.getNullableArray). */
  array(length: number): Buffer | null {
    if (length < 0) return null;
    this.need(length);
    const v = Buffer.from(this.b.subarray(this.pos, this.pos + length));
    this.pos += length;
    return v;
  }
  /** Kafka's Utils.getNullableSizePrefixedArray. */
  sizePrefixed(): Buffer | null {
    return this.array(this.int());
  }
  /** Kafka's ProcessorRecordContext.deserialize (a null topic was written as ""). */
  context(): RecordContext {
    const timestamp = this.long();
    const offset = this.long();
    const topicBytes = this.sizePrefixed();
    if (topicBytes === null) throw new RangeError('record context without a topic');
    const partition = this.int();
    const count = this.int();
    const headers: Header[] = [];
    // -1: no headers (kept by Kafka for backward compatibility)
    for (let i = 0; i < count; i++) {
      const key = this.sizePrefixed();
      if (key === null) throw new RangeError('record header without a key');
      headers.push({ key: key.toString('utf8'), value: this.sizePrefixed() });
    }
    const topic = topicBytes.toString('utf8');
    return { timestamp, offset, topic: topic === '' ? null : topic, partition, headers: Headers.of(headers) };
  }
  /** Kafka's FullChangeSerde.decomposeLegacyFormattedArrayIntoChangeArrays: [old][new], each size-prefixed. */
  static legacyChange(b: Buffer | null): { oldBytes: Buffer | null; newBytes: Buffer | null } {
    if (b === null) throw new RangeError('a legacy change value is null');
    const r = new ChangelogReader(b);
    const oldBytes = r.sizePrefixed();
    return { oldBytes, newBytes: r.sizePrefixed() };
  }
}

/** What one changelog record restores: the bytes of Kafka's BufferValue and the buffer time. */
interface RestoredValue {
  readonly time: number;
  readonly priorBytes: Buffer | null;
  readonly oldBytes: Buffer | null;
  readonly newBytes: Buffer | null;
  readonly context: RecordContext;
}

function sizedValue(v: Buffer | null): Buffer[] {
  const len = Buffer.alloc(4);
  len.writeInt32BE(v === null ? NULL_VALUE_SENTINEL : v.length, 0);
  return v === null ? [len] : [len, v];
}

/**
 * The in-memory, time-ordered buffer behind suppress() (Kafka's
 * InMemoryTimeOrderedKeyValueChangeBuffer): one entry per key, ordered by
 * buffer time then key bytes. A newer update of a key replaces its value but
 * keeps its place and time ("non-resetting") and the value from before the
 * key entered the buffer. Changed keys are logged when the store flushes
 * (commit): the entry in Kafka's BufferValue layout plus its buffer time, or
 * a tombstone for keys that left, in the order Java's HashSet would give.
 */
export class SuppressionBuffer<K, V> implements StateStore {
  readonly persistent = false;
  private readonly byKey = new Map<string, Entry<K, V>>();
  private readonly dirty = new Map<string, { keyBytes: Buffer; seq: number; timestamp: number }>();
  private dirtyCapacity = 16;
  private dirtySeq = 0;
  private context!: StoreContext;
  private open = false;
  private keySerde!: Serde<K>;
  private valueSerde!: Serde<V>;
  private bytes = 0;

  constructor(
    readonly name: string,
    private readonly keySerdeOrNull: Serde<K> | null,
    private readonly valueSerdeOrNull: Serde<V> | null,
    private readonly logging: boolean,
  ) {}

  init(context: StoreContext, root: StateStore): void {
    this.context = context;
    this.keySerde = (this.keySerdeOrNull ?? context.defaultKeySerde) as Serde<K>;
    this.valueSerde = (this.valueSerdeOrNull ?? context.defaultValueSerde) as Serde<V>;
    this.open = true;
    context.register(root);
  }

  private get topic(): string {
    return `${this.context.applicationId}-${this.name}-changelog`;
  }

  put(time: number, key: K, change: Change<V>, context: RecordContext): void {
    const topic = this.topic;
    const keyBytes = this.keySerde.serializer().serialize(topic, key) as Buffer;
    const mapKey = bytesToKey(keyBytes);
    const ser = this.valueSerde.serializer();
    const newBytes = change.newValue === null ? null : ser.serialize(topic, change.newValue);
    const oldBytes = change.oldValue === null ? null : ser.serialize(topic, change.oldValue);
    const existing = this.byKey.get(mapKey);
    const priorBytes = existing ? existing.priorBytes : oldBytes;
    const priorValue = existing ? existing.priorValue : change.oldValue;
    const oldCounted = oldBytes === null || sameBytes(priorBytes, oldBytes) ? 0 : oldBytes.length;
    const size = 8 + keyBytes.length + (priorBytes?.length ?? 0) + oldCounted + (newBytes?.length ?? 0) + contextSize(context);
    if (existing) this.bytes -= existing.size;
    this.byKey.set(mapKey, {
      key,
      keyBytes,
      time: existing ? existing.time : time,
      newValue: change.newValue,
      oldValue: change.oldValue,
      priorValue,
      newBytes,
      oldBytes,
      priorBytes,
      context,
      size,
    });
    this.bytes += size;
    this.markDirty(mapKey, keyBytes, context.timestamp);
  }

  /** The smallest buffer time, or +Infinity when empty. */
  minTimestamp(): number {
    let min = Number.POSITIVE_INFINITY;
    for (const e of this.byKey.values()) if (e.time < min) min = e.time;
    return min;
  }

  numRecords(): number {
    return this.byKey.size;
  }

  bufferSize(): number {
    return this.bytes;
  }

  /** Hands over and removes entries, oldest (time, then key bytes) first, while `predicate` holds. */
  evictWhile(predicate: () => boolean, emit: (update: BufferedUpdate<K, V>) => void): void {
    while (this.byKey.size > 0 && predicate()) {
      let oldestKey: string | null = null;
      let oldest: Entry<K, V> | null = null;
      for (const [k, e] of this.byKey) {
        if (oldest === null || e.time < oldest.time || (e.time === oldest.time && Buffer.compare(e.keyBytes, oldest.keyBytes) < 0)) {
          oldest = e;
          oldestKey = k;
        }
      }
      if (oldest === null || oldestKey === null) return;
      emit(oldest);
      this.byKey.delete(oldestKey);
      this.bytes -= oldest.size;
      this.markDirty(oldestKey, oldest.keyBytes, oldest.context.timestamp);
    }
  }

  /**
   * Applies one record of the buffer's changelog while the task restores (Kafka's
   * restoreBatch): a tombstone means the key was evicted (emitted) and leaves the
   * buffer; a value is the key's entry, in the layout its "v" header names (kstreams
   * writes version 3: record context, prior, old and new value, then the buffer time;
   * versions 0 to 2 are read as Kafka reads them). A key already buffered keeps its
   * buffer time (non-resetting, as a put). Nothing is marked for logging again.
   */
  restore(record: SuppressionChangelogRecord): void {
    if (record.partition !== this.context.taskId.partition) {
      throw new ProcessorStateError(
        `record partition [${record.partition}] is being restored by the wrong suppress partition [${this.context.taskId.partition}]`,
      );
    }
    if (record.key === null) throw new ProcessorStateError(`Restoring apparently invalid changelog record (null key) of ${this.name} at offset ${record.offset}`);
    const keyBytes = Buffer.from(record.key);
    const mapKey = bytesToKey(keyBytes);
    const existing = this.byKey.get(mapKey);
    if (record.value === null) {
      if (existing) {
        this.byKey.delete(mapKey);
        this.bytes -= existing.size;
      }
      return;
    }
    const restored = this.parseChangelogValue(record, existing ? existing.priorBytes : null);
    const topic = this.topic;
    const de = this.valueSerde.deserializer();
    const value = (b: Buffer | null) => (b === null ? null : (de.deserialize(topic, b) as V));
    const { priorBytes, oldBytes, newBytes, context } = restored;
    const oldCounted = oldBytes === null || sameBytes(priorBytes, oldBytes) ? 0 : oldBytes.length;
    const size = 8 + keyBytes.length + (priorBytes?.length ?? 0) + oldCounted + (newBytes?.length ?? 0) + contextSize(context);
    if (existing) this.bytes -= existing.size;
    this.byKey.set(mapKey, {
      key: existing ? existing.key : (this.keySerde.deserializer().deserialize(topic, keyBytes) as K),
      keyBytes,
      time: existing ? existing.time : restored.time,
      newValue: value(newBytes),
      oldValue: value(oldBytes),
      priorValue: value(priorBytes),
      newBytes,
      oldBytes,
      priorBytes,
      context,
      size,
    });
    this.bytes += size;
  }

  /**
   * Decodes a changelog value by its "v" header, as Kafka's restoreBatch does. Versions 0
   * and 1 carry no prior value: it is the buffered entry's, else the old value.
   */
  private parseChangelogValue(record: SuppressionChangelogRecord, bufferedPrior: Buffer | null): RestoredValue {
    const value = record.value as Buffer;
    const version = record.headers.lastHeader('v')?.value ?? null;
    const fail = (cause?: unknown) =>
      new ProcessorStateError(`Restoring apparently invalid changelog record of ${this.name} at ${record.topic}-${record.partition}@${record.offset}`, { cause });
    const v3 = (): RestoredValue => {
      const r = new ChangelogReader(value);
      const context = r.context();
      const priorBytes = r.sizePrefixed();
      const oldLength = r.int();
      const oldBytes = oldLength === OLD_PREV_DUPLICATE_VALUE_SENTINEL ? priorBytes : r.array(oldLength);
      const newBytes = r.sizePrefixed();
      return { context, priorBytes, oldBytes, newBytes, time: r.long() };
    };
    try {
      if (version === null) {
        // version 0: buffer time, then the change in the legacy layout; the record's own context
        const r = new ChangelogReader(value);
        const time = r.long();
        const { oldBytes, newBytes } = ChangelogReader.legacyChange(r.array(value.length - 8));
        const context = { timestamp: record.timestamp, offset: record.offset, partition: record.partition, topic: record.topic, headers: record.headers };
        return { time, context, oldBytes, newBytes, priorBytes: bufferedPrior ?? oldBytes };
      }
      if (version.equals(V3)) return v3();
      if (version.equals(V2)) {
        // version 2: context, legacy change, prior value, buffer time; Kafka 2.4.0 to 2.5.0
        // wrote version 3 data under this header, so a record that does not parse is tried as 3
        try {
          const r = new ChangelogReader(value);
          const context = r.context();
          const { oldBytes, newBytes } = ChangelogReader.legacyChange(r.sizePrefixed());
          const priorBytes = r.sizePrefixed();
          return { context, oldBytes, newBytes, priorBytes, time: r.long() };
        } catch {
          return v3();
        }
      }
      if (version.equals(V1)) {
        // version 1: buffer time, then context and the change in the legacy layout
        const r = new ChangelogReader(value);
        const time = r.long();
        const context = r.context();
        const { oldBytes, newBytes } = ChangelogReader.legacyChange(r.sizePrefixed());
        return { time, context, oldBytes, newBytes, priorBytes: bufferedPrior ?? oldBytes };
      }
    } catch (e) {
      throw fail(e);
    }
    throw fail();
  }

  private markDirty(mapKey: string, keyBytes: Buffer, timestamp: number): void {
    if (!this.logging) return;
    const seen = this.dirty.get(mapKey);
    if (seen) {
      seen.timestamp = timestamp;
      return;
    }
    this.dirty.set(mapKey, { keyBytes, seq: this.dirtySeq++, timestamp });
    // java.util.HashSet grows (and never shrinks) once its size passes 3/4 of the table
    if (this.dirty.size > this.dirtyCapacity * 0.75) this.dirtyCapacity *= 2;
  }

  /** Kafka's BufferValue.serialize plus the buffer time. */
  private serializeEntry(e: Entry<K, V>): Buffer {
    let old: Buffer[];
    if (e.oldBytes === null) old = sizedValue(null);
    else if (sameBytes(e.priorBytes, e.oldBytes)) {
      const dup = Buffer.alloc(4);
      dup.writeInt32BE(OLD_PREV_DUPLICATE_VALUE_SENTINEL, 0);
      old = [dup];
    } else old = sizedValue(e.oldBytes);
    const time = Buffer.alloc(8);
    time.writeBigInt64BE(BigInt(e.time), 0);
    return Buffer.concat([serializeContext(e.context), ...sizedValue(e.priorBytes), ...old, ...sizedValue(e.newBytes), time]);
  }

  flush(): void {
    if (!this.logging || this.dirty.size === 0) return;
    const mask = this.dirtyCapacity - 1;
    const order = [...this.dirty.entries()].sort(
      ([, a], [, b]) => (javaSpreadHash(a.keyBytes) & mask) - (javaSpreadHash(b.keyBytes) & mask) || a.seq - b.seq,
    );
    for (const [mapKey, d] of order) {
      const e = this.byKey.get(mapKey);
      if (e === undefined) this.context.logChange(this.name, d.keyBytes, null, d.timestamp, Headers.EMPTY);
      else this.context.logChange(this.name, d.keyBytes, this.serializeEntry(e), e.context.timestamp, CHANGELOG_HEADERS);
    }
    this.dirty.clear();
  }

  close(): void {
    this.open = false;
  }
  isOpen(): boolean {
    return this.open;
  }
}

/** Builds a fresh suppression buffer per task. */
export class SuppressionBufferBuilder<K, V> extends AbstractStoreBuilder<SuppressionBuffer<K, V>> {
  readonly persistent = false;

  constructor(
    name: string,
    private readonly keySerde: Serde<K> | null,
    private readonly valueSerde: Serde<V> | null,
  ) {
    super(name);
  }

  build(): SuppressionBuffer<K, V> {
    return new SuppressionBuffer(this.name, this.keySerde, this.valueSerde, this.loggingEnabled);
  }
}
