import type { Serde } from '../serdes/Serde.js';
import { CachingSessionStore } from './internals/CachingSessionStore.js';
import { ChangeLoggingSessionBytesStore } from './internals/ChangeLoggingSessionBytesStore.js';
import { plainCodec } from './internals/MeteredKeyValueStore.js';
import { MeteredSessionStore } from './internals/MeteredSessionStore.js';
import type { SessionBytesStore } from './internals/SessionBytesStore.js';
import { AbstractStoreBuilder, type DslStoreType } from './StoreBuilder.js';
import type { SessionStore } from './WindowStore.js';

/** Makes the byte-level bottom of a session store (in-memory now; RocksDB behind the same interface). */
export interface SessionBytesStoreSupplier {
  readonly name: string;
  readonly persistent: boolean;
  readonly retentionPeriod: number;
  get(): SessionBytesStore;
}

/** Builds MeteredSessionStore over [caching] over [change-logging] over the supplied bytes store. */
export class SessionStoreBuilder<K, AGG> extends AbstractStoreBuilder<SessionStore<K, AGG>> {
  /** Session stores have one value layout: Kafka's sessions carry no timestamps. */
  readonly kind = 'session' as const;

  constructor(
    private readonly supplier: SessionBytesStoreSupplier,
    readonly keySerde: Serde<K> | null,
    readonly valueSerde: Serde<AGG> | null,
  ) {
    super(supplier.name);
  }

  get persistent(): boolean {
    return this.supplier.persistent;
  }
  get retentionPeriod(): number {
    return this.supplier.retentionPeriod;
  }

  configure(defaultStoreType: DslStoreType): void {
    this.configureSupplier(this.supplier, defaultStoreType);
  }

  build(): SessionStore<K, AGG> {
    let store: SessionBytesStore = this.supplier.get();
    if (this.loggingEnabled) store = new ChangeLoggingSessionBytesStore(store);
    if (this.cachingEnabled) store = new CachingSessionStore(store);
    return new MeteredSessionStore<K, AGG>(store, this.keySerde, plainCodec, this.valueSerde as Serde<unknown> | null);
  }
}
