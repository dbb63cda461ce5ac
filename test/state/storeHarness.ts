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

/** A minimal task-side StoreContext for store unit tests: a real ThreadCache and a list of changelog writes. */
export function storeContext(cacheBytes = 10 * 1024 * 1024): {
  context: StoreContext;
  changelog: LoggedChange[];
  registered: StateStore[];
  setTimestamp(ts: number): void;
  cache: ThreadCache;
} {
  const changelog: LoggedChange[] = [];
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
    logChange: (store, key, value, timestamp) => changelog.push({ store, key: key.toString(), value, timestamp }),
    register: (s) => registered.push(s),
  };
  return {
    context,
    changelog,
    registered,
    cache,
    setTimestamp: (ts) => {
      rc = { ...rc, timestamp: ts };
    },
  };
}
