import type { Headers } from '../processor/Headers.js';
import type { TaskId } from '../processor/Processor.js';
import type { Serde } from '../serdes/Serde.js';

/** A state store: named, initialised once per task, flushed on commit, closed with the task. */
export interface StateStore {
  readonly name: string;
  /** Called by the task before processing. `root` is the outermost layer of this store's stack. */
  init(context: StoreContext, root: StateStore): void;
  /** Writes buffered data down (and, for caches, forwards dirty entries). */
  flush(): void;
  close(): void;
  readonly persistent: boolean;
  isOpen(): boolean;
}

/** Where the record being processed (or flushed) came from, and its time and headers. */
export interface RecordContext {
  readonly timestamp: number;
  readonly headers: Headers;
  readonly topic: string | null;
  readonly partition: number;
  readonly offset: number;
}

/** Writes one changelog record; implemented by the task's record collector. */
export type ChangelogWriter = (
  storeName: string,
  key: Buffer,
  value: Buffer | null,
  timestamp: number,
  headers: Headers,
) => void;

/**
 * What a store sees of the task it lives in. The runtime implements it; the
 * state folder never reaches into the runtime beyond this interface.
 */
export interface StoreContext {
  readonly applicationId: string;
  readonly taskId: TaskId;
  /** The default serdes of the application, used when a store has none. */
  readonly defaultKeySerde: Serde<unknown>;
  readonly defaultValueSerde: Serde<unknown>;
  /** The record cache of the thread, or null when caching is off everywhere. */
  readonly cache: RecordCacheLike | null;
  /** The current record's context (timestamp, headers, origin). */
  recordContext(): RecordContext;
  /** Runs `fn` with the record context set to `ctx` (used when a cache flush forwards). */
  withRecordContext(ctx: RecordContext, fn: () => void): void;
  /** Sets the record context and returns the previous one (a closure-free withRecordContext for hot paths). */
  setRecordContext(ctx: RecordContext): RecordContext;
  /** Sends a change to the store's changelog topic. */
  readonly logChange: ChangelogWriter;
  /** Registers the store with the task so it is flushed and closed with it. */
  register(store: StateStore): void;
  /**
   * The task's state directory, `<stateDir>/<applicationId>/<taskId>`, where
   * persistent stores keep their files. The runtime passes it (after locking
   * the directory); without it (TopologyTestDriver) a persistent store uses a
   * fresh temporary directory that is deleted when the task's stores close.
   */
  readonly stateDir?: string;
}

/** The part of the thread cache a caching store uses. */
export interface RecordCacheLike {
  namedCache(namespace: string): import('./internals/NamedCache.js').NamedCache;
  /** Evicts from `namespace` while the whole cache is over its size limit. */
  maybeEvict(namespace: string): void;
  /** Drops the cache of a closed store. */
  close(namespace: string): void;
}
