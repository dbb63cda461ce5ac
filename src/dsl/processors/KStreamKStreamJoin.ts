import type { Processor } from '../../processor/Processor.js';
import type { Record } from '../../processor/Record.js';
import type { WindowStore } from '../../state/WindowStore.js';
import type { InternalProcessorContext } from '../../topology/InternalProcessorContext.js';
import type { OuterJoinStore, TimestampedKeyAndJoinSide } from '../internals/OuterJoinStore.js';

/** Kafka's internal config that throttles emitting unmatched outer-join records (wall-clock ms). */
export const EMIT_INTERVAL_OUTER_JOIN = '__emit.interval.ms.kstreams.outer.join.spurious.results.fix__';

/** Stands for Java's Long.MAX_VALUE as "no unmatched record waiting". */
const NO_MIN_TIME = Number.MAX_SAFE_INTEGER;

/**
 * Kafka's `minTime + lookAhead >= streamTime` in Java long arithmetic: with
 * minTime at Long.MAX_VALUE, a positive lookAhead overflows to a negative sum,
 * so an empty outer store never skips the scan (and the scan arms the throttle).
 */
function windowStillOpen(minTime: number, lookAhead: number, streamTime: number): boolean {
  if (minTime === NO_MIN_TIME && lookAhead > 0) return false;
  return minTime + lookAhead >= streamTime;
}

/** Kafka's StreamsConfig.InternalConfig.getLong: numbers or numeric strings, else the default. */
export function internalLongConfig(configs: { readonly [key: string]: unknown }, key: string, dflt: number): number {
  const v = configs[key];
  if (typeof v === 'number' && Number.isFinite(v)) return Math.trunc(v);
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'string' && /^[+-]?\d+$/.test(v.trim())) return Number.parseInt(v.trim(), 10);
  return dflt;
}

/** Stream time shared by both sides of one join in one task, and the oldest unmatched record waiting. */
export class JoinTimeTracker {
  streamTime = -1;
  /** NO_MIN_TIME when nothing waits (Java's Long.MAX_VALUE). */
  minTime = NO_MIN_TIME;
  nextTimeToEmit = 0;
  emitInterval = 1000;
}

/** Options of one side's join processor. */
export interface JoinSideOptions<K, VThis, VOther, VOut> {
  /** This side is the left input. */
  readonly leftSide: boolean;
  readonly otherStoreName: string;
  /** The join also emits unmatched records of this side (left side of leftJoin/outerJoin, right side of outerJoin). */
  readonly outer: boolean;
  readonly outerStoreName: string | null;
  /** How far before / after this side's record the other side's records may be. */
  readonly joinBeforeMs: number;
  readonly joinAfterMs: number;
  /** The JoinWindows' own before/after (for when an unmatched record's window closes). */
  readonly windowsBeforeMs: number;
  readonly windowsAfterMs: number;
  readonly graceMs: number;
  /** (key, thisValue, otherValue): the right side's processor gets the joiner with its arguments swapped back. */
  readonly joiner: (key: K, thisValue: VThis | null, otherValue: VOther | null) => VOut;
  /** Shared with the other side's processor, per task. */
  readonly tracker: (taskId: string) => JoinTimeTracker;
}

/**
 * One side of a stream-stream join (Kafka's KStreamKStreamJoin). Each record
 * joins the other side's records within the window. An unmatched record of an
 * outer side waits in the shared outer store and is emitted with null only
 * when stream time is strictly past its timestamp + window + grace, so no
 * spurious left/outer result precedes a later match.
 */
export function kstreamKStreamJoin<K, VThis, VOther, VOut>(o: JoinSideOptions<K, VThis, VOther, VOut>): () => Processor<K, VThis, K, VOut> {
  return () => {
    let ctx: InternalProcessorContext;
    let other: WindowStore<K, VOther>;
    let outerStore: OuterJoinStore<K, unknown, unknown> | null = null;
    let tracker: JoinTimeTracker;

    const thisKey = (key: K, ts: number): TimestampedKeyAndJoinSide<K> => ({ timestamp: ts, leftSide: o.leftSide, key });
    const otherKey = (key: K, ts: number): TimestampedKeyAndJoinSide<K> => ({ timestamp: ts, leftSide: !o.leftSide, key });

    const emitNonJoined = (store: OuterJoinStore<K, unknown, unknown>, record: Record<K, VThis>) => {
      if (windowStillOpen(tracker.minTime, o.joinAfterMs + o.graceMs, tracker.streamTime)) return;
      const now = ctx.currentSystemTimeMs();
      if (now < tracker.nextTimeToEmit) return;
      tracker.nextTimeToEmit = now + tracker.emitInterval;
      tracker.minTime = NO_MIN_TIME;
      const it = store.all();
      let prevKey: TimestampedKeyAndJoinSide<K> | null = null;
      let leftOpen = false;
      let rightOpen = false;
      try {
        // Kafka's outer store is a ListValueStore whose all() yields one entry per value: minTime
        // and the "both windows open" break are per value, so the scan stops (and leaves minTime)
        // at the second value of a key with duplicates rather than at the next key
        scan: for (const kv of it) {
          const k = kv.key;
          for (const v of kv.value) {
            tracker.minTime = k.timestamp;
            if (leftOpen && rightOpen) break scan;
            // left entries wait for the after-window, right entries for the before-window
            const lookBack = k.leftSide ? o.windowsAfterMs : o.windowsBeforeMs;
            if (tracker.minTime + lookBack + o.graceMs >= tracker.streamTime) {
              if (k.leftSide) leftOpen = true;
              else rightOpen = true;
              continue;
            }
            const thisValue = (o.leftSide ? v.left : v.right) as VThis | null;
            const otherValue = (o.leftSide ? v.right : v.left) as VOther | null;
            ctx.forward(record.withKey(k.key).withValue(o.joiner(k.key, thisValue, otherValue)).withTimestamp(k.timestamp));
            if (prevKey !== null && !sameKey(prevKey, k)) store.delete(prevKey);
            prevKey = k;
          }
        }
      } finally {
        it.close();
      }
      if (prevKey !== null) store.delete(prevKey);
    };

    return {
      init: (c) => {
        ctx = c as unknown as InternalProcessorContext;
        other = ctx.getStateStore(o.otherStoreName);
        tracker = o.tracker(ctx.taskId.toString());
        if (o.outerStoreName !== null) {
          outerStore = ctx.getStateStore<OuterJoinStore<K, unknown, unknown>>(o.outerStoreName);
          tracker.emitInterval = internalLongConfig(ctx.appConfigs(), EMIT_INTERVAL_OUTER_JOIN, 1000);
        }
      },
      process: (record: Record<K, VThis>) => {
        const ts = record.timestamp;
        tracker.streamTime = Math.max(tracker.streamTime, ts);
        const nullKey = record.key === null || record.key === undefined;
        const nullValue = record.value === null || record.value === undefined;
        if (o.outer && nullKey && !nullValue) {
          ctx.forward(record.withValue(o.joiner(record.key, record.value, null)));
          return;
        }
        if (nullKey || nullValue) {
          ctx.recordDropped('null key or value');
          return;
        }
        if (outerStore !== null && ts === tracker.streamTime) emitNonJoined(outerStore, record);
        const timeFrom = Math.max(0, ts - o.joinBeforeMs);
        const timeTo = Math.max(0, ts + o.joinAfterMs);
        const it = other.fetch(record.key, timeFrom, timeTo);
        let matched = false;
        try {
          for (const kv of it) {
            matched = true;
            // the matched record will never need a null-joined result
            if (outerStore !== null) {
              const ok = otherKey(record.key, kv.key);
              if (outerStore.get(ok) !== null) outerStore.delete(ok);
            }
            ctx.forward(record.withValue(o.joiner(record.key, record.value, kv.value)).withTimestamp(Math.max(ts, kv.key)));
          }
        } finally {
          it.close();
        }
        if (o.outer && !matched) {
          if (outerStore === null || timeTo < tracker.streamTime) {
            ctx.forward(record.withValue(o.joiner(record.key, record.value, null)));
          } else {
            tracker.minTime = Math.min(tracker.minTime, ts);
            const k = thisKey(record.key, ts);
            const list = outerStore.get(k) ?? [];
            list.push(o.leftSide ? { left: record.value, right: null } : { left: null, right: record.value });
            outerStore.put(k, list);
          }
        }
      },
    };
  };
}

function sameKey<K>(a: TimestampedKeyAndJoinSide<K>, b: TimestampedKeyAndJoinSide<K>): boolean {
  return a.timestamp === b.timestamp && a.leftSide === b.leftSide && JSON.stringify(a.key) === JSON.stringify(b.key);
}
