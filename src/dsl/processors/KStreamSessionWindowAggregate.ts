import type { Processor } from '../../processor/Processor.js';
import { Record } from '../../processor/Record.js';
import type { KeyValueIterator } from '../../state/KeyValueStore.js';
import type { SessionStore } from '../../state/WindowStore.js';
import { ValueAndTimestamp } from '../../state/ValueAndTimestamp.js';
import type { InternalProcessorContext } from '../../topology/InternalProcessorContext.js';
import type { SessionWindows } from '../../windowing/SessionWindows.js';
import { Window, Windowed } from '../../windowing/Window.js';
import type { EmitStrategy } from '../EmitStrategy.js';
import type { Aggregator, Initializer, Merger } from '../functions.js';
import { Change } from '../internals/Change.js';
import type { KTableProcessorSupplier, KTableValueGetterSupplier } from '../internals/KTableValueGetter.js';
import { type FlushListenable, TimestampedTupleForwarder } from '../internals/TimestampedTupleForwarder.js';
import { EMIT_INTERVAL_WINDOWED_AGGREGATION } from '../internals/WindowedAggregateBase.js';
import { internalLongConfig } from './KStreamKStreamJoin.js';

/**
 * Session-window aggregation (Kafka's KStreamSessionWindowAggregate). A
 * record joins every session of its key within the inactivity gap; those
 * sessions are merged (with the user's merger) into one, the old ones are
 * deleted downstream, and the merged session is emitted with its end as timestamp.
 */
export class KStreamSessionWindowAggregate<K, V, VA> implements KTableProcessorSupplier<K, V, Windowed<K>, VA> {
  sendOldValues = false;

  constructor(
    private readonly windows: SessionWindows,
    private readonly storeName: string,
    private readonly emitStrategy: EmitStrategy,
    private readonly initializer: Initializer<VA>,
    private readonly aggregator: Aggregator<K, V, VA>,
    private readonly merger: Merger<K, VA>,
  ) {}

  enableSendingOldValues(): boolean {
    this.sendOldValues = true;
    return true;
  }

  view(): KTableValueGetterSupplier<Windowed<K>, VA> {
    const storeName = this.storeName;
    return {
      get: () => {
        let store: SessionStore<K, VA>;
        return {
          init: (ctx) => {
            store = ctx.getStateStore(storeName);
          },
          get: (wk) => ValueAndTimestamp.make(store.fetchSession(wk.key, wk.window.start, wk.window.end), wk.window.end),
        };
      },
      storeNames: () => [storeName],
    };
  }

  get(): Processor<K, V, Windowed<K>, Change<VA>> {
    const { windows, storeName, emitStrategy, initializer, aggregator, merger, sendOldValues } = this;
    let ctx: InternalProcessorContext;
    let store: SessionStore<K, VA>;
    let forwarder: Pick<TimestampedTupleForwarder<Windowed<K>, VA>, 'maybeForward'>;
    let observedStreamTime = -1;
    let lastEmitWindowCloseTime = -1;
    let nextTimeToEmit = 0;
    let emitInterval = 1000;
    const onClose = emitStrategy.type === 'ON_WINDOW_CLOSE';

    const forwardUpdate = (key: Windowed<K>, oldAgg: VA | null, newAgg: VA | null) => {
      if (onClose) return;
      forwarder.maybeForward(new Record(key, new Change<VA>(newAgg, sendOldValues ? oldAgg : null), key.window.end));
    };

    const maybeForwardFinal = (record: Record<K, V>, closeTime: number) => {
      if (!onClose) return;
      const now = ctx.currentSystemTimeMs();
      if (now < nextTimeToEmit) return;
      nextTimeToEmit = now + emitInterval;
      if (!(lastEmitWindowCloseTime === -1 || lastEmitWindowCloseTime < closeTime)) return;
      // session ends are inclusive: sessions ending before the close time are final
      const upper = closeTime - 1;
      if (upper < 0) return;
      const lower = Math.max(0, lastEmitWindowCloseTime);
      if (upper < lower) return;
      const closed: { key: Windowed<K>; value: VA }[] = [];
      // Kafka's store.findSessions(lower, upper): sessions ending in the range, by end time; the
      // default (time-ordered RocksDB) store keeps them for whole segments, past retention
      const byEnd = (store as { findSessionsByEndTime?: (from: number, to: number) => KeyValueIterator<Windowed<K>, VA> }).findSessionsByEndTime;
      const it = byEnd ? byEnd.call(store, lower, upper) : store.fetch(null, null);
      for (const kv of it) if (kv.key.window.end >= lower && kv.key.window.end <= upper) closed.push(kv);
      it.close();
      // the store's order (fetch(null, null) is by end time too, and sorted stably for safety)
      if (!byEnd) closed.sort((a, b) => a.key.window.end - b.key.window.end);
      for (const kv of closed) {
        forwarder.maybeForward(new Record(kv.key, new Change<VA>(kv.value, null), kv.key.window.end, record.headers));
      }
      lastEmitWindowCloseTime = closeTime;
    };

    return {
      init: (c) => {
        ctx = c as unknown as InternalProcessorContext;
        store = ctx.getStateStore<SessionStore<K, VA>>(storeName);
        if (onClose) {
          emitInterval = internalLongConfig(ctx.appConfigs(), EMIT_INTERVAL_WINDOWED_AGGREGATION, 1000);
          forwarder = new TimestampedTupleForwarder(null, ctx, sendOldValues);
        } else {
          forwarder = sessionForwarder(store, ctx, sendOldValues);
        }
      },
      process: (record: Record<K, V>) => {
        if (record.key === null || record.key === undefined) {
          ctx.recordDropped('null key');
          return;
        }
        const ts = record.timestamp;
        observedStreamTime = Math.max(observedStreamTime, ts);
        const closeTime = observedStreamTime - windows.gracePeriodMs() - windows.inactivityGap();
        const merged: { key: Windowed<K>; value: VA }[] = [];
        let start = ts;
        let end = ts;
        let agg = initializer();
        const it = store.findSessions(record.key, ts - windows.inactivityGap(), ts + windows.inactivityGap());
        for (const kv of it) {
          merged.push(kv);
          agg = merger(record.key, agg, kv.value);
          start = Math.min(start, kv.key.window.start);
          end = Math.max(end, kv.key.window.end);
        }
        it.close();
        if (end < closeTime) {
          ctx.recordDropped('expired window');
        } else {
          if (start !== ts || end !== ts) {
            for (const s of merged) {
              store.remove(s.key);
              forwardUpdate(s.key, s.value, null);
            }
          }
          agg = aggregator(record.key, record.value, agg);
          const sessionKey = new Windowed(record.key, new Window(start, end));
          store.put(sessionKey, agg);
          forwardUpdate(sessionKey, null, agg);
        }
        maybeForwardFinal(record, closeTime);
      },
    };
  }
}

/**
 * Forwards session updates. With a caching store they go out when the cache
 * flushes, stamped with the session END (Kafka's SessionCacheFlushListener:
 * record.withTimestamp(key.window().end())), not the writing record's time;
 * without one, right away (their timestamp is already the session end).
 */
function sessionForwarder<K, VA>(
  store: SessionStore<K, VA>,
  ctx: InternalProcessorContext,
  sendOldValues: boolean,
): Pick<TimestampedTupleForwarder<Windowed<K>, VA>, 'maybeForward'> {
  const node = ctx.currentNode();
  const listenable = store as unknown as Partial<FlushListenable<Windowed<K>, VA>>;
  const cachingEnabled =
    typeof listenable.setFlushListener === 'function' &&
    listenable.setFlushListener((key, newValue, oldValue, rc) => {
      const prev = ctx.currentNode();
      ctx.setCurrentNode(node);
      try {
        // session stores hold plain aggregates, not ValueAndTimestamp
        const change = new Change(newValue as VA | null, oldValue as VA | null);
        ctx.forward(new Record(key, change, key.window.end, rc.headers));
      } finally {
        ctx.setCurrentNode(prev);
      }
    }, sendOldValues);
  return {
    maybeForward(record: Record<Windowed<K>, Change<VA>>): void {
      if (cachingEnabled) return;
      ctx.forward(sendOldValues ? record : record.withValue(new Change(record.value.newValue, null)));
    },
  };
}
