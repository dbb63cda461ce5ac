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
 * Reads hide sessions that end a retention period (gap + grace) behind the
 * largest session end put, except that (as in Kafka) a cached session stays
 * readable while the cache holds it, and that emit-on-close's default store
 * (Kafka's time-ordered RocksDB session store) expires only whole 60 s
 * segments for its final-result range fetch.
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

  // With the default retention (gap + grace) a session is past retention by the time it
  // closes. Kafka's default store for emit-on-close is RocksDbTimeOrderedSessionBytesStore,
  // whose findSessions(earliestEnd, latestEnd) filters only by live 60 s segments (not by
  // retention), so Kafka's driver emits these rows (checked against Kafka 3.9.2).
  it('emits with the default retention, as Kafka\'s default (RocksDB) session store does', () => {
    rows();
  });

  // Kafka 3.9.2's driver: segments are 60 s wide (max(retention / 2, 60 s)); a put at stream time t
  // deletes the segments older than segmentId(t - retention), and with them sessions not yet
  // emitted: k1@59999 goes with segment 0 when 120007 arrives, before its close is ever reached
  // (close time 120007 - 8 = 119999 > 59999, but k1's session is gone).
  it('sessions of an expired 60 s segment are never emitted (time-ordered store)', () => {
    const b = new StreamsBuilder();
    const w = b.stream<string, string>('in', Consumed.with(S, S)).groupByKey().windowedBy(SessionWindows.ofInactivityGapAndGrace(5, 3));
    w.emitStrategy(EmitStrategy.onWindowClose());
    w.reduce((x, y) => `${x}+${y}`).toStream().to('out');
    const { d, pipe } = windowedDriver(b.build(), sessionKeys(), S);
    expect(pipe('k0', '1', 59990)).toEqual([]);
    expect(pipe('k1', '1', 59999)).toEqual(['k0@59990/59990=1@59990']);
    expect(pipe('k0', '2', 60005)).toEqual([]);
    expect(pipe('k0', '2', 60020)).toEqual(['k0@60005/60005=2@60005']);
    expect(pipe('k0', '2', 120007)).toEqual(['k0@60020/60020=2@60020']);
    expect(pipe('k0', '2', 120009)).toEqual([]);
    expect(pipe('k0', '2', 120030)).toEqual(['k0@120007/120009=2+2@120009']);
    d.close();
  });
});

describe('merging with sessions past retention', () => {
  // Differential fuzz against Kafka 3.9.2's driver (gap 5, grace 10: retention 15). At 85 the
  // session k@80/80 ends before 100 - 15 + 1 = 86, past retention, but Kafka's CachingSessionStore
  // returns cached sessions filtered by the time bounds only (the cache keeps flushed entries), so
  // the record merges with it; kstreams used to start a new session k@85/85 instead.
  it('a record merges with a session past retention that the cache still holds', () => {
    const { d, pipe } = windowedDriver(countTopology(SessionWindows.ofInactivityGapAndGrace(5, 10)), sessionKeys(), L);
    expect(pipe('k', '1', 80)).toEqual(['k@80/80=1@80']);
    expect(pipe('j', '1', 100)).toEqual(['j@100/100=1@100']);
    expect(pipe('k', '1', 85)).toEqual(['k@80/85=2@85']);
    d.close();
  });
});
