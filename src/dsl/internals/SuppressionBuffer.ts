import { Headers } from '../../processor/Headers.js';
import type { Serde } from '../../serdes/Serde.js';
import { bytesToKey } from '../../state/internals/Bytes.js';
import type { RecordContext, StateStore, StoreContext } from '../../state/StateStore.js';
import { AbstractStoreBuilder } from '../../state/StoreBuilder.js';
import type { Change } from './Change.js';

/** One buffered update: the key, its latest change (new value plus the value before the first buffered one). */
export interface BufferedUpdate<K, V> {
  readonly key: K;
  readonly time: number;
  readonly newValue: V | null;
  readonly priorValue: V | null;
  readonly context: RecordContext;
  readonly size: number;
}

/**
 * The in-memory, time-ordered buffer behind suppress() (Kafka's
 * InMemoryTimeOrderedKeyValueChangeBuffer): one entry per key, ordered by
 * buffer time then key bytes; a newer update of a key replaces the entry and
 * its time, but keeps the value from before the key entered the buffer.
 * Changes are logged so a changelog topic shows the buffer's contents.
 */
export class SuppressionBuffer<K, V> implements StateStore {
  readonly persistent = false;
  private readonly byKey = new Map<string, BufferedUpdate<K, V> & { keyBytes: Buffer }>();
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

  put(time: number, key: K, change: Change<V>, context: RecordContext): void {
    const topic = `${this.context.applicationId}-${this.name}-changelog`;
    const keyBytes = this.keySerde.serializer().serialize(topic, key) as Buffer;
    const mapKey = bytesToKey(keyBytes);
    const existing = this.byKey.get(mapKey);
    const priorValue = existing ? existing.priorValue : change.oldValue;
    const newBytes = change.newValue === null ? null : this.valueSerde.serializer().serialize(topic, change.newValue);
    const size = keyBytes.length + (newBytes?.length ?? 0) + 64;
    if (existing) this.bytes -= existing.size;
    this.byKey.delete(mapKey);
    this.byKey.set(mapKey, { key, keyBytes, time, newValue: change.newValue, priorValue, context, size });
    this.bytes += size;
    if (this.logging) this.context.logChange(this.name, keyBytes, newBytes ?? Buffer.alloc(0), context.timestamp, Headers.EMPTY);
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

  /** Removes and hands over entries, oldest first, while `predicate` holds. */
  evictWhile(predicate: () => boolean, emit: (update: BufferedUpdate<K, V>) => void): void {
    while (this.byKey.size > 0 && predicate()) {
      let oldestKey: string | null = null;
      let oldest: (BufferedUpdate<K, V> & { keyBytes: Buffer }) | null = null;
      for (const [k, e] of this.byKey) {
        if (oldest === null || e.time < oldest.time || (e.time === oldest.time && k < (oldestKey as string))) {
          oldest = e;
          oldestKey = k;
        }
      }
      if (oldest === null || oldestKey === null) return;
      this.byKey.delete(oldestKey);
      this.bytes -= oldest.size;
      if (this.logging) this.context.logChange(this.name, oldest.keyBytes, null, oldest.context.timestamp, Headers.EMPTY);
      emit(oldest);
    }
  }

  flush(): void {}
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
