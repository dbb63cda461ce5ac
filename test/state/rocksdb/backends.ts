import { TaskStateStores } from '../../../src/state/rocksdb/TaskStateStores.js';
import type { RocksDBKeyValueStore } from '../../../src/state/rocksdb/RocksDBKeyValueStore.js';
import type { RocksDBSessionStore } from '../../../src/state/rocksdb/RocksDBSessionStore.js';
import type { RocksDBWindowStore } from '../../../src/state/rocksdb/RocksDBWindowStore.js';
import { WrappedSessionBytesStore } from '../../../src/state/internals/SessionBytesStore.js';
import { WrappedWindowBytesStore } from '../../../src/state/internals/WindowBytesStore.js';
import { WrappedKeyValueStore } from '../../../src/state/internals/WrappedKeyValueStore.js';
import type { StateStore, StoreContext } from '../../../src/state/StateStore.js';
import { type KeyValueBytesStoreSupplier, type SessionBytesStoreSupplier, Stores, type WindowBytesStoreSupplier } from '../../../src/state/Stores.js';

/**
 * The byte-store backends the shared store suites run against:
 *  - in-memory;
 *  - rocksdb: writes stay in the uncommitted overlay (reads hit the overlay first);
 *  - rocksdb-committed: every write is committed at once, so reads come from RocksDB itself.
 * The suites' flush steps also commit RocksDB stores (see flushAndCommit), so data is read
 * from the overlay before and from RocksDB after.
 */
export type Backend = 'in-memory' | 'rocksdb' | 'rocksdb-committed';

export interface BackendStack {
  readonly name: string;
  readonly caching: boolean;
  readonly logging: boolean;
  readonly backend: Backend;
}

export const ROCKSDB_STACKS: readonly BackendStack[] = [
  { name: 'rocksdb', caching: false, logging: false, backend: 'rocksdb' },
  { name: 'rocksdb, committed after every write', caching: false, logging: false, backend: 'rocksdb-committed' },
  { name: 'rocksdb + cache + logging', caching: true, logging: true, backend: 'rocksdb' },
];

/** Adds the in-memory backend to stack configurations that name none. */
export function inMemory(stacks: readonly { name: string; caching: boolean; logging: boolean }[]): BackendStack[] {
  return stacks.map((s) => ({ ...s, backend: 'in-memory' as const }));
}

/** Applies a stack configuration to a store builder. */
export function configureStack<B extends { withCachingEnabled(): B; withLoggingDisabled(): B }>(builder: B, stack: BackendStack): B {
  if (stack.caching) builder.withCachingEnabled();
  if (!stack.logging) builder.withLoggingDisabled();
  return builder;
}

class CommittingKeyValueStore extends WrappedKeyValueStore {
  override put(key: Buffer, value: Buffer | null): void {
    super.put(key, value);
    (this.inner as RocksDBKeyValueStore).commit(null);
  }
}

class CommittingWindowStore extends WrappedWindowBytesStore {
  override put(key: Buffer, value: Buffer | null, windowStart: number): void {
    super.put(key, value, windowStart);
    (this.inner as RocksDBWindowStore).commit(null);
  }
}

class CommittingSessionStore extends WrappedSessionBytesStore {
  override put(key: Buffer, start: number, end: number, value: Buffer | null): void {
    super.put(key, start, end, value);
    (this.inner as RocksDBSessionStore).commit(null);
  }
  override remove(key: Buffer, start: number, end: number): void {
    super.remove(key, start, end);
    (this.inner as RocksDBSessionStore).commit(null);
  }
}

export function keyValueSupplier(backend: Backend, name: string): KeyValueBytesStoreSupplier {
  if (backend === 'in-memory') return Stores.inMemoryKeyValueStore(name);
  const s = Stores.persistentKeyValueStore(name);
  return backend === 'rocksdb' ? s : { ...s, get: () => new CommittingKeyValueStore(s.get()) };
}

export function windowSupplier(backend: Backend, name: string, retention: number, size: number, duplicates: boolean): WindowBytesStoreSupplier {
  if (backend === 'in-memory') return Stores.inMemoryWindowStore(name, retention, size, duplicates);
  const s = Stores.persistentWindowStore(name, retention, size, duplicates);
  return backend === 'rocksdb' ? s : { ...s, get: () => new CommittingWindowStore(s.get()) };
}

export function sessionSupplier(backend: Backend, name: string, retention: number): SessionBytesStoreSupplier {
  if (backend === 'in-memory') return Stores.inMemorySessionStore(name, retention);
  const s = Stores.persistentSessionStore(name, retention);
  return backend === 'rocksdb' ? s : { ...s, get: () => new CommittingSessionStore(s.get()) };
}

const opened: { store: StateStore; context: StoreContext }[] = [];

/** Remembers a store (and its context) so that the suite can commit and close it. */
export function track<S extends StateStore>(store: S, context: StoreContext): S {
  opened.push({ store, context });
  return store;
}

/** Flushes a store, then commits its task's RocksDB stores (a no-op for in-memory stacks). */
export function flushAndCommit(store: { flush(): void }): void {
  store.flush();
  for (const { context } of opened) TaskStateStores.find(context)?.commit();
}

/** Closes every tracked store (afterEach): RocksDB handles and temporary directories are released. */
export function closeTracked(): void {
  for (const { store } of opened.splice(0)) {
    try {
      store.close();
    } catch {
      // some tests close their store themselves
    }
  }
}
