/**
 * Tumbling and hopping window aggregations through the TopologyTestDriver.
 * Expected rows follow Kafka's KStreamWindowAggregate: a record updates each
 * window of TimeWindows.windowsFor(ts) whose end > observed stream time -
 * grace, else that window is dropped (and counted once per window); the
 * aggregate's timestamp is the largest record timestamp in the window; null
 * keys are dropped, null values are aggregated. Emit-on-close follows
 * AbstractKStreamTimeWindowAggregateProcessor (range [last+1, close - size]
 * of window starts, throttled by the wall clock).
 */
import { describe, expect, it } from 'vitest';
import {
  Consumed,
  EmitStrategy,
  IllegalArgumentError,
  Materialized,
  Serdes,
  StreamsBuilder,
  TimeWindows,
  TopologyTestDriver,
} from '../../src/index.js';
import { collect, EMIT_WINDOWED, L, S, timeKeys, windowedDriver } from './helpers.js';

function countTopology(windows: TimeWindows, onClose = false) {
  const b = new StreamsBuilder();
  const windowed = b.stream<string, string>('in', Consumed.with(S, S)).groupByKey().windowedBy(windows);
  if (onClose) windowed.emitStrategy(EmitStrategy.onWindowClose());
  windowed.count().toStream().to('out');
  return b.build();
}

const CACHES = [
  ['caching on', {}],
  ['cacheMaxBytes 0', { cacheMaxBytes: 0 }],
] as const;

describe('tumbling windows', () => {
  for (const [label, config] of CACHES) {
    it(`count: in order, out of order, too late (no grace), ${label}`, () => {
      const { d, pipe } = windowedDriver(countTopology(TimeWindows.ofSizeWithNoGrace(10)), timeKeys(10), L, config);
      expect(pipe('k', 'v', 0)).toEqual(['k@0/10=1@0']);
      expect(pipe('k', 'v', 5)).toEqual(['k@0/10=2@5']);
      expect(pipe('j', 'v', 3)).toEqual(['j@0/10=1@3']);
      expect(pipe('k', 'v', 10)).toEqual(['k@10/20=1@10']);
      expect(pipe('k', 'v', 9)).toEqual([]); // [0,10) closed: end 10 is not > 10 - 0
      expect(pipe('j', 'v', 12)).toEqual(['j@10/20=1@12']);
      expect(pipe('k', 'v', 25)).toEqual(['k@20/30=1@25']);
      expect(pipe('k', 'v', 15)).toEqual([]);
      // an out-of-order record of an open window keeps the window's larger timestamp
      expect(pipe('k', 'v', 21)).toEqual(['k@20/30=2@25']);
      // null values are counted; null keys are dropped
      expect(pipe('k', null, 26)).toEqual(['k@20/30=3@26']);
      expect(pipe(null, 'v', 27)).toEqual([]);
      expect(d.droppedRecords()).toBe(3);
      d.close();
    });
  }

  for (const [streamTime, accepted] of [
    [14, true], // window end + grace - 1
    [15, false], // window end + grace
    [16, false], // window end + grace + 1
  ] as const) {
    it(`grace 5: a record for [0,10) at stream time ${streamTime} is ${accepted ? 'accepted' : 'dropped'}`, () => {
      const { d, pipe } = windowedDriver(countTopology(TimeWindows.ofSizeAndGrace(10, 5)), timeKeys(10), L);
      expect(pipe('k', 'v', 0)).toEqual(['k@0/10=1@0']);
      expect(pipe('j', 'v', streamTime)).toEqual([`j@10/20=1@${streamTime}`]);
      expect(pipe('k', 'v', 9)).toEqual(accepted ? ['k@0/10=2@9'] : []);
      expect(d.droppedRecords()).toBe(accepted ? 0 : 1);
      d.close();
    });
  }

  it('windowed keys reach the sink as [key][start int64 BE] without a Produced', () => {
    const b = new StreamsBuilder();
    b.stream<string, string>('in', Consumed.with(S, S)).groupByKey().windowedBy(TimeWindows.ofSizeWithNoGrace(10)).count().toStream().to('out');
    const d = new TopologyTestDriver(b.build(), { applicationId: 'bytes' });
    d.createInputTopic('in', S, S).pipeInput('key', 'v', 1234);
    const rec = d.createOutputTopic('out', Serdes.ByteArray(), Serdes.ByteArray()).readRecord();
    const expectedKey = Buffer.alloc(11);
    expectedKey.write('key', 0, 'utf8');
    expectedKey.writeBigInt64BE(1230n, 3);
    expect(rec.key).toEqual(expectedKey);
    expect(rec.value).toEqual(Buffer.from([0, 0, 0, 0, 0, 0, 0, 1]));
    expect([...d.producedTopicNames()].sort()).toEqual(['bytes-KSTREAM-AGGREGATE-STATE-STORE-0000000001-changelog', 'out']);
    d.close();
  });
});

describe('hopping windows', () => {
  it('size 10 advance 5: every window of the record, late windows dropped one by one', () => {
    const { d, pipe } = windowedDriver(countTopology(TimeWindows.ofSizeWithNoGrace(10).advanceBy(5)), timeKeys(10), L);
    expect(pipe('k', 'v', 7)).toEqual(['k@0/10=1@7', 'k@5/15=1@7']);
    expect(pipe('k', 'v', 12)).toEqual(['k@5/15=2@12', 'k@10/20=1@12']);
    // [0,10) has closed, [5,15) has not
    expect(pipe('k', 'v', 9)).toEqual(['k@5/15=3@12']);
    expect(d.droppedRecords()).toBe(1);
    expect(pipe('k', 'v', 31)).toEqual(['k@25/35=1@31', 'k@30/40=1@31']);
    expect(pipe('k', 'v', 18)).toEqual([]); // [10,20) and [15,25): two drops
    expect(d.droppedRecords()).toBe(3);
    expect(pipe('k', 'v', 3)).toEqual([]); // only [0,10)
    expect(d.droppedRecords()).toBe(4);
    d.close();
  });
});

describe('reduce and aggregate, and the stores behind them', () => {
  it('reduce keeps the first value as the aggregate; stores are fetchable with and without timestamps', () => {
    const b = new StreamsBuilder();
    b.stream<string, string>('in', Consumed.with(S, S))
      .groupByKey()
      .windowedBy(TimeWindows.ofSizeAndGrace(10, 20))
      .reduce((agg, v) => agg + v, Materialized.as('joined'))
      .toStream()
      .to('out');
    const { d, pipe } = windowedDriver(b.build(), timeKeys(10), S);
    expect(pipe('k', 'a', 1)).toEqual(['k@0/10=a@1']);
    expect(pipe('k', 'b', 4)).toEqual(['k@0/10=ab@4']);
    expect(pipe('k', 'c', 2)).toEqual(['k@0/10=abc@4']);
    expect(pipe('k', 'd', 11)).toEqual(['k@10/20=d@11']);
    expect(pipe('j', 'e', 15)).toEqual(['j@10/20=e@15']);

    const plain = d.getWindowStore<string, string>('joined');
    expect(plain?.fetch('k', 0)).toBe('abc');
    expect(plain?.fetch('k', 5)).toBeNull();
    expect(collect(plain!.fetch('k', 0, 10))).toEqual([
      [0, 'abc'],
      [10, 'd'],
    ]);
    expect(collect(plain!.fetchAll(10, 10)).map(([w, v]) => `${w.key}@${w.window.start}/${w.window.end}=${v}`)).toEqual(['j@10/20=e', 'k@10/20=d']);
    const timestamped = d.getTimestampedWindowStore<string, string>('joined');
    const vat = timestamped?.fetch('k', 0);
    expect([vat?.value, vat?.timestamp]).toEqual(['abc', 4]);
    expect(d.getTimestampedWindowStore('nope')).toBeUndefined();
    d.close();
  });

  it('aggregate starts from the initializer and sees the key', () => {
    const b = new StreamsBuilder();
    b.stream<string, string>('in', Consumed.with(S, S))
      .groupByKey()
      .windowedBy(TimeWindows.ofSizeWithNoGrace(100))
      .aggregate(
        () => 1000,
        (key, v, agg: number) => agg + Number(v) + key.length,
        Materialized.with(S, L),
      )
      .toStream()
      .to('out');
    const { d, pipe } = windowedDriver(b.build(), timeKeys(100), L);
    expect(pipe('kk', '5', 50)).toEqual(['kk@0/100=1007@50']);
    expect(pipe('kk', '1', 20)).toEqual(['kk@0/100=1010@50']);
    expect(pipe('kk', '1', 120)).toEqual(['kk@100/200=1003@120']);
    d.close();
  });

  it('the store retention must cover size + grace', () => {
    const grouped = new StreamsBuilder().stream<string, string>('in', Consumed.with(S, S)).groupByKey();
    expect(() => grouped.windowedBy(TimeWindows.ofSizeAndGrace(10, 5)).count(Materialized.as<string, number>('short').withRetention(14))).toThrow(
      new IllegalArgumentError(
        'The retention period of the window store short must be no smaller than its window size plus the grace period. Got size=[10], grace=[5], retention=[14]',
      ),
    );
    expect(() => grouped.windowedBy(TimeWindows.ofSizeAndGrace(10, 5)).count(Materialized.as<string, number>('ok').withRetention(15))).not.toThrow();
  });

  it('TimeWindows reject bad sizes and advances', () => {
    expect(() => TimeWindows.ofSizeWithNoGrace(0)).toThrow(IllegalArgumentError);
    expect(() => TimeWindows.ofSizeAndGrace(10, -1)).toThrow(IllegalArgumentError);
    expect(() => TimeWindows.ofSizeWithNoGrace(10).advanceBy(0)).toThrow(IllegalArgumentError);
    expect(() => TimeWindows.ofSizeWithNoGrace(10).advanceBy(11)).toThrow(
      'Window advancement interval should be more than zero and less than window duration which is 10 ms, but given advancement interval is: 11 ms',
    );
    expect(TimeWindows.ofSizeWithNoGrace(10).advanceBy(10).windowsFor(25).map((w) => [w.start, w.end])).toEqual([[20, 30]]);
    expect(TimeWindows.ofSizeWithNoGrace(10).advanceBy(3).windowsFor(4).map((w) => w.start)).toEqual([0, 3]);
  });
});

describe('emitStrategy(onWindowClose)', () => {
  it('emits each window once, when close time passes its end (emit interval 0)', () => {
    const topology = countTopology(TimeWindows.ofSizeWithNoGrace(10), true);
    const { d, pipe } = windowedDriver(topology, timeKeys(10), L, { [EMIT_WINDOWED]: 0 });
    expect(pipe('k', 'v', 0)).toEqual([]);
    expect(pipe('k', 'v', 5)).toEqual([]);
    expect(pipe('j', 'v', 9)).toEqual([]);
    // window starts 0..0 are final: by start, then key bytes; each with its own max timestamp
    expect(pipe('k', 'v', 10)).toEqual(['j@0/10=1@9', 'k@0/10=2@5']);
    expect(pipe('k', 'v', 15)).toEqual([]);
    expect(pipe('k', 'v', 19)).toEqual([]);
    expect(pipe('k', 'v', 20)).toEqual(['k@10/20=3@19']);
    expect(pipe('k', 'v', 19)).toEqual([]); // too late
    expect(d.droppedRecords()).toBe(1);
    d.close();
  });

  it('grace delays the final result: emitted once stream time reaches end + grace', () => {
    const topology = countTopology(TimeWindows.ofSizeAndGrace(10, 5), true);
    const { d, pipe } = windowedDriver(topology, timeKeys(10), L, { [EMIT_WINDOWED]: '0' });
    expect(pipe('k', 'v', 3)).toEqual([]);
    expect(pipe('k', 'v', 14)).toEqual([]);
    expect(pipe('k', 'v', 8)).toEqual([]); // still inside the grace period
    expect(pipe('k', 'v', 15)).toEqual(['k@0/10=2@8']);
    d.close();
  });

  it('a 1000 ms wall-clock throttle: only a record after the clock moved emits', () => {
    const topology = countTopology(TimeWindows.ofSizeWithNoGrace(10), true);
    const { d, pipe, read } = windowedDriver(topology, timeKeys(10), L, { [EMIT_WINDOWED]: 1000 });
    expect(pipe('k', 'v', 0)).toEqual([]); // the first check arms the throttle (next emit at clock + 1000)
    expect(pipe('k', 'v', 10)).toEqual([]); // [0,10) has closed, but the throttle holds
    expect(pipe('k', 'v', 11)).toEqual([]);
    d.advanceWallClockTime(1000);
    expect(read()).toEqual([]); // no record, no emission
    expect(pipe('k', 'v', 12)).toEqual(['k@0/10=1@0']);
    expect(pipe('k', 'v', 25)).toEqual([]);
    d.advanceWallClockTime(1000);
    // a dropped late record still runs the emission
    expect(pipe('j', 'v', 1)).toEqual(['k@10/20=3@12']);
    expect(d.droppedRecords()).toBe(1);
    d.close();
  });

  // Differential fuzz against Kafka 3.9.2's driver. The emit-on-close store (time-ordered
  // RocksDB under TimeOrderedCachingWindowStore) keeps retention size + grace = 12 here, but
  // its cache filters cached windows by the range only, and the store below filters by the
  // stream time of what was flushed to it: [0,10) is still read when 22 closes it, [30,40)
  // when 60 does, although both are past retention by then. kstreams used to emit neither.
  it('emits windows past retention while the cache holds them, as Kafka\'s caching store returns them', () => {
    const { d, pipe } = windowedDriver(countTopology(TimeWindows.ofSizeAndGrace(10, 2), true), timeKeys(10), L);
    expect(pipe('k0', '1', 8)).toEqual([]);
    expect(pipe('k0', '2', 22)).toEqual(['k0@0/10=1@8']);
    expect(pipe('k0', '3', 35)).toEqual(['k0@20/30=1@22']);
    expect(pipe('k0', '3', 60)).toEqual(['k0@30/40=1@35']);
    d.close();
  });

  // Kafka's driver (since 3.8, "disable internal result emit throttling in TTD") puts
  // __emit.interval.ms.kstreams.windowed.aggregation__ = 0 into its config unless given, so
  // without any config every record may emit; kstreams' driver does the same.
  it('the driver disables the throttle by default, as Kafka\'s TopologyTestDriver does', () => {
    const { d, pipe } = windowedDriver(countTopology(TimeWindows.ofSizeWithNoGrace(10), true), timeKeys(10), L);
    expect(pipe('k', 'v', 0)).toEqual([]);
    expect(pipe('k', 'v', 10)).toEqual(['k@0/10=1@0']);
    expect(pipe('k', 'v', 20)).toEqual(['k@10/20=1@10']);
    d.close();
  });
});
