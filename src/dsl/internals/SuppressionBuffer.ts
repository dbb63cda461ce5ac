import { Headers } from '../../processor/Headers.js';
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

/** Kafka's changelog header of the suppression buffer: v = 3. */
const CHANGELOG_HEADERS = Headers.of([{ key: 'v', value: Buffer.from([3]) }]);
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
