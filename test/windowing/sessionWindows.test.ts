/**
 * Session windows through the TopologyTestDriver, derived from Kafka's
 * KStreamSessionWindowAggregate: a record finds its key's sessions with
 * end >= t - gap and start <= t + gap, merges them (merger(key, agg, next)
 * from the initializer, in store order), deletes them downstream and writes
 * the merged session; dropped when the merged end < stream time - grace - gap.
 * Every forwarded record carries the session END as timestamp: directly
 * without a cache, and via SessionCacheFlushListener (withTimestamp(window
 * end)) with one.
 *
 * kstreams' session stores are Kafka's in-memory kind, which drop sessions
 * that end a retention period (gap + grace) behind the largest session end;
 * Kafka's default RocksDB stores keep them for whole 60 s segments. The
 * merge tests therefore use a grace (or retention) that keeps every session
 * they need, so both store kinds give the rows below.
 */
import { describe, expect, it } from 'vitest';
import { Consumed, EmitStrategy, Materialized, SessionWindows, StreamsBuilder } from '../../src/index.js';
import { collect, EMIT_WINDOWED, L, S, sessionKeys, windowedDriver } from './helpers.js';

function countTopology(windows: SessionWindows, onClose = false) {
  const b = new StreamsBuilder();
  const w = b.stream<string, string>('in', Consumed.with(S, S)).groupByKey().windowedBy(windows);
  if (onClose) w.emitStrategy(EmitStrategy.onWindowClose());
  w.count().toStream().to('out');
  return b.build();
}

const CACHES = [
  ['caching on', {}],
  ['cacheMaxBytes 0', { cacheMaxBytes: 0 }],
] as const;

describe('session merging', () => {
  for (const [label, config] of CACHES) {
    it(`a record bridging two sessions merges them; tombstones carry the old session ends (${label})`, () => {
      const { d, pipe } = windowedDriver(countTopology(SessionWindows.ofInactivityGapAndGrace(20, 30)), sessionKeys(), L, config);
      expect(pipe('k', 'v', 0)).toEqual(['k@0/0=1@0']);
      expect(pipe('k', 'v', 30)).toEqual(['k@30/30=1@30']); // 30 - 0 > gap: a second session
      expect(pipe('k', 'v', 15)).toEqual(['k@0/0=null@0', 'k@30/30=null@30', 'k@0/30=3@30']);
      // a record inside a session: removed and re-put under the same window; the cache
      // compacts the tombstone away, without it both are forwarded
      const rewrite = label === 'caching on' ? ['k@0/30=4@30'] : ['k@0/30=null@30', 'k@0/30=4@30'];
      expect(pipe('k', 'v', 20)).toEqual(rewrite);
      // extending the end
      expect(pipe('k', 'v', 45)).toEqual(['k@0/30=null@30', 'k@0/45=5@45']);
      d.close();
    });
  }

  it('the gap is inclusive: exactly gap apart merges, gap + 1 starts a new session', () => {
    const { d, pipe } = windowedDriver(countTopology(SessionWindows.ofInactivityGapWithNoGrace(20)), sessionKeys(), L);
    pipe('k', 'v', 0);
    expect(pipe('k', 'v', 20)).toEqual(['k@0/0=null@0', 'k@0/20=2@20']);
    expect(pipe('k', 'v', 41)).toEqual(['k@41/41=1@41']);
    // one key's sessions do not touch another key's
    expect(pipe('j', 'v', 30)).toEqual(['j@30/30=1@30']);
    d.close();
  });

  it('merger and aggregator calls: merger(key, agg, session) from the initializer, sessions by end time', () => {
    const calls: string[] = [];
    const b = new StreamsBuilder();
    b.stream<string, string>('in', Consumed.with(S, S))
      .groupByKey()
      .windowedBy(SessionWindows.ofInactivityGapAndGrace(20, 30))
      .aggregate(
        () => '',
        (key, v, agg: string) => {
          calls.push(`agg(${key},${v},${agg})`);
          return agg + v;
        },
        (key, a1, a2) => {
          calls.push(`merge(${key},${a1},${a2})`);
          return `(${a1}|${a2})`;
        },
        Materialized.as<string, string>('sessions').withValueSerde(S),
      )
      .toStream()
      .to('out');
    const { d, pipe } = windowedDriver(b.build(), sessionKeys(), S);
    expect(pipe('k', 'A', 0)).toEqual(['k@0/0=A@0']);
    expect(pipe('k', 'B', 30)).toEqual(['k@30/30=B@30']);
    expect(calls).toEqual(['agg(k,A,)', 'agg(k,B,)']);
    calls.length = 0;
    expect(pipe('k', 'C', 15)).toEqual(['k@0/0=null@0', 'k@30/30=null@30', 'k@0/30=((|A)|B)C@30']);
    expect(calls).toEqual(['merge(k,,A)', 'merge(k,(|A),B)', 'agg(k,C,((|A)|B))']);

    const store = d.getSessionStore<string, string>('sessions')!;
    expect(collect(store.fetch('k')).map(([w, v]) => `${w.key}@${w.window.start}/${w.window.end}=${v}`)).toEqual(['k@0/30=((|A)|B)C']);
    expect(store.fetchSession('k', 0, 30)).toBe('((|A)|B)C');
    expect(store.fetchSession('k', 0, 0)).toBeNull();
    expect(collect(store.findSessions('k', 31, 100))).toEqual([]);
    expect(collect(store.findSessions('k', 30, 100)).length).toBe(1);
    d.close();
  });

  it('reduce: the first value is the aggregate, merged sessions reduce their aggregates', () => {
    const b = new StreamsBuilder();
    b.stream<string, string>('in', Consumed.with(S, S))
      .groupByKey()
      .windowedBy(SessionWindows.ofInactivityGapAndGrace(5, 10))
      .reduce((a, v) => `${a}+${v}`)
      .toStream()
      .to('out');
    const { d, pipe } = windowedDriver(b.build(), sessionKeys(), S);
    expect(pipe('k', 'x', 10)).toEqual(['k@10/10=x@10']);
    expect(pipe('k', 'y', 20)).toEqual(['k@20/20=y@20']);
    expect(pipe('k', 'z', 15)).toEqual(['k@10/10=null@10', 'k@20/20=null@20', 'k@10/20=x+y+z@20']);
    d.close();
  });
});

describe('grace', () => {
  it('a record is dropped only when its merged session ends before stream time - grace - gap', () => {
    const { d, pipe } = windowedDriver(countTopology(SessionWindows.ofInactivityGapAndGrace(20, 5)), sessionKeys(), L);
    expect(pipe('k', 'v', 100)).toEqual(['k@100/100=1@100']); // close time 75
    expect(pipe('j', 'v', 74)).toEqual([]);
    expect(d.droppedRecords()).toBe(1);
    expect(pipe('j', 'v', 75)).toEqual(['j@75/75=1@75']);
    // older than the close time, but merged into a session that ends at 100: kept
    expect(pipe('k', 'v', 80)).toEqual(['k@100/100=null@100', 'k@80/100=2@100']);
    expect(pipe('k', 'v', 50)).toEqual([]);
    expect(d.droppedRecords()).toBe(2);
    // null keys are dropped, null values are aggregated
    expect(pipe(null, 'v', 101)).toEqual([]);
    expect(d.droppedRecords()).toBe(3);
    expect(pipe('k', null, 101)).toEqual(['k@80/100=null@100', 'k@80/101=3@101']);
    d.close();
  });
});

describe('emitStrategy(onWindowClose)', () => {
  function onClose(materialized?: Materialized<string, number>) {
    const b = new StreamsBuilder();
    const w = b.stream<string, string>('in', Consumed.with(S, S)).groupByKey().windowedBy(SessionWindows.ofInactivityGapWithNoGrace(10));
    w.emitStrategy(EmitStrategy.onWindowClose());
    (materialized ? w.count(materialized) : w.count()).toStream().to('out');
    return b.build();
  }

  function rows(materialized?: Materialized<string, number>) {
    const { d, pipe } = windowedDriver(onClose(materialized), sessionKeys(), L, { [EMIT_WINDOWED]: 0 });
    expect(pipe('k', 'v', 0)).toEqual([]);
    expect(pipe('j', 'v', 5)).toEqual([]);
    // close time 20: session ends in [0, 19], by end time
    expect(pipe('k', 'v', 30)).toEqual(['k@0/0=1@0', 'j@5/5=1@5']);
    expect(pipe('k', 'v', 35)).toEqual([]); // merges into [30,35]; ends in [20, 24]: none
    expect(pipe('j', 'v', 46)).toEqual(['k@30/35=2@35']);
    d.close();
  }

  it('emits sessions once their end < stream time - grace - gap (store retention 1000)', () => {
    rows(Materialized.as<string, number>('final-sessions').withRetention(1000));
  });

  // DEVIATION (store kind): with the default retention (gap + grace) a session has always
  // expired from kstreams' in-memory session store by the time it closes, so nothing is ever
  // emitted. Kafka's default store for emit-on-close is RocksDbTimeOrderedSessionBytesStore,
  // whose range fetch filters only by 60 s segments, so Kafka's driver emits these rows.
  it.fails('emits with the default retention, as Kafka\'s default (RocksDB) session store does', () => {
    rows();
  });
});
