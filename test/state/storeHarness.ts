import { Headers } from '../../src/processor/Headers.js';
import { TaskId } from '../../src/runtime/TaskId.js';
import { Serdes } from '../../src/serdes/Serdes.js';
import { ThreadCache } from '../../src/state/internals/ThreadCache.js';
import type { RecordContext, StateStore, StoreContext } from '../../src/state/StateStore.js';

/** A changelog record written by a store under test. */
export interface LoggedChange {
  store: string;
  key: string;
  value: Buffer | null;
  timestamp: number;
}

/** A changelog record with its key as written, for asserting binary key layouts. */
export interface RawLoggedChange {
  store: string;
  key: Buffer;
  value: Buffer | null;
  timestamp: number;
}

/**
 * A minimal task-side StoreContext for store unit tests: a real ThreadCache and
 * the changelog writes, both with keys as UTF-8 text (`changelog`) and as raw
 * bytes (`rawChangelog`, for binary window and session keys).
 */
export function storeContext(cacheBytes = 10 * 1024 * 1024): {
  context: StoreContext;
  changelog: LoggedChange[];
  rawChangelog: RawLoggedChange[];
  registered: StateStore[];
  setTimestamp(ts: number): void;
  cache: ThreadCache;
} {
  const changelog: LoggedChange[] = [];
  const rawChangelog: RawLoggedChange[] = [];
  const registered: StateStore[] = [];
  let rc: RecordContext = { timestamp: 0, headers: Headers.EMPTY, topic: 'in', partition: 0, offset: 0 };
  const cache = new ThreadCache(cacheBytes);
  const context: StoreContext = {
    applicationId: 'app',
    taskId: new TaskId(0, 0),
    defaultKeySerde: Serdes.String() as never,
    defaultValueSerde: Serdes.String() as never,
    cache,
    recordContext: () => rc,
    withRecordContext: (ctx, fn) => {
      const prev = rc;
      rc = ctx;
      try {
        fn();
      } finally {
        rc = prev;
      }
    },
    setRecordContext: (ctx) => {
      const prev = rc;
      rc = ctx;
      return prev;
    },
    logChange: (store, key, value, timestamp) => {
      changelog.push({ store, key: key.toString(), value, timestamp });
      rawChangelog.push({ store, key: Buffer.from(key), value, timestamp });
    },
    register: (s) => registered.push(s),
  };
  return {
    context,
    changelog,
    rawChangelog,
    registered,
    cache,
    setTimestamp: (ts) => {
      rc = { ...rc, timestamp: ts };
    },
  };
}

/** The store stack configurations every store suite runs against; persistent backends join here later. */
export const STACKS = [
  { name: 'in-memory', caching: false, logging: false },
  { name: 'in-memory + logging', caching: false, logging: true },
  { name: 'in-memory + cache + logging', caching: true, logging: true },
] as const;

export type Stack = (typeof STACKS)[number];

/** Applies a stack configuration to a store builder. */
export function configure<B extends { withCachingEnabled(): B; withLoggingDisabled(): B }>(builder: B, stack: Stack): B {
  if (stack.caching) builder.withCachingEnabled();
  if (!stack.logging) builder.withLoggingDisabled();
  return builder;
}

/**
 * Runs `assertions` before and after a flush: a cached stack must read the
 * same whether the data sits in the cache or in the store below.
 */
export function beforeAndAfterFlush(store: { flush(): void }, assertions: () => void): void {
  assertions();
  store.flush();
  assertions();
}
