/**
 * KTable.suppress through the TopologyTestDriver, derived from Kafka's
 * KTableSuppressProcessorSupplier and InMemoryTimeOrderedKeyValueChangeBuffer:
 * each update is buffered under a buffer time (window end for final results,
 * record time for a time limit) and emitted once stream time - duration
 * reaches it (duration = grace, or grace + gap for sessions); a key's later
 * update keeps its place (non-resetting); when over capacity the oldest
 * entries go early (EMIT) or the task fails (SHUT_DOWN); final results drop
 * tombstones. The buffer is logged on commit to
 * <applicationId>-<store>-changelog with header v=3.
 */
import { describe, expect, it } from 'vitest';
import {
  BufferConfig,
  Consumed,
  Grouped,
  IllegalArgumentError,
  keyValue,
  Produced,
  SessionWindows,
  StreamsBuilder,
  StreamsError,
  Suppressed,
  TimeWindows,
  TopologyTestDriver,
} from '../../src/index.js';
import { L, S, sessionKeys, timeKeys, windowedDriver } from './helpers.js';

function finalCounts(windows: TimeWindows | SessionWindows, suppressed = Suppressed.untilWindowCloses(BufferConfig.unbounded())) {
  const b = new StreamsBuilder();
  const grouped = b.stream<string, string>('in', Consumed.with(S, S)).groupByKey();
  const counts = windows instanceof SessionWindows ? grouped.windowedBy(windows).count() : grouped.windowedBy(windows).count();
  counts.suppress(suppressed).toStream().to('out');
  return b.build();
}

function limitedTable(suppressed: Suppressed) {
  const b = new StreamsBuilder();
  b.table<string, string>('in', Consumed.with(S, S)).suppress(suppressed).toStream().to('out');
  const d = new TopologyTestDriver(b.build(), { applicationId: 'sup', defaultKeySerde: S, defaultValueSerde: S });
  const input = d.createInputTopic('in', S, S);
  const out = d.createOutputTopic('out', S, S);
  const pipe = (key: string, value: string | null, ts: number) => {
    input.pipeInput(key, value, ts);
    return out.readRecordsToList().map((r) => `${r.key}=${r.value}@${r.timestamp}`);
  };
  return { d, pipe };
}

describe('untilWindowCloses', () => {
  it('one final result per window, once stream time reaches window end + grace', () => {
    const { d, pipe } = windowedDriver(finalCounts(TimeWindows.ofSizeAndGrace(10, 5)), timeKeys(10), L);
    expect(pipe('k', 'v', 0)).toEqual([]);
    expect(pipe('k', 'v', 9)).toEqual([]);
    expect(pipe('k', 'v', 14)).toEqual([]); // end 10 + grace 5 - 1
    expect(pipe('j', 'v', 3)).toEqual([]); // still inside the grace period
    // end + grace: both [0,10) results, by buffer time then key bytes, with their last update's timestamp
    expect(pipe('k', 'v', 15)).toEqual(['j@0/10=1@3', 'k@0/10=2@9']);
    expect(pipe('k', 'v', 9)).toEqual([]); // too late: the aggregation drops it
    expect(pipe('k', 'v', 24)).toEqual([]);
    expect(pipe('k', 'v', 100)).toEqual(['k@10/20=2@15', 'k@20/30=1@24']);
    expect(d.droppedRecords()).toBe(1);
    d.close();
  });

  it('session windows wait for grace + gap; merged-away sessions (tombstones) are not emitted', () => {
    const { d, pipe } = windowedDriver(finalCounts(SessionWindows.ofInactivityGapAndGrace(10, 2)), sessionKeys(), L);
    expect(pipe('k', 'v', 0)).toEqual([]);
    expect(pipe('k', 'v', 5)).toEqual([]); // [0,0] becomes [0,5]
    expect(pipe('j', 'v', 16)).toEqual([]); // 5 + gap 10 + grace 2 - 1
    expect(pipe('j', 'v', 17)).toEqual(['k@0/5=2@5']);
    d.close();
  });

  it('the buffer store and its changelog topic have Kafka names', () => {
    const { d, pipe } = windowedDriver(finalCounts(TimeWindows.ofSizeWithNoGrace(10)), timeKeys(10), L);
    pipe('k', 'v', 1);
    expect([...d.getAllStateStores().keys()].sort()).toEqual(['KSTREAM-AGGREGATE-STATE-STORE-0000000001', 'KTABLE-SUPPRESS-STATE-STORE-0000000004']);
    expect([...d.producedTopicNames()].sort()).toEqual([
      'win-KSTREAM-AGGREGATE-STATE-STORE-0000000001-changelog',
      'win-KTABLE-SUPPRESS-STATE-STORE-0000000004-changelog',
    ]);
    d.close();

    const named = windowedDriver(
      finalCounts(TimeWindows.ofSizeWithNoGrace(10), Suppressed.untilWindowCloses(BufferConfig.unbounded().withLoggingDisabled()).withName('final')),
      timeKeys(10),
      L,
    );
    named.pipe('k', 'v', 1);
    expect([...named.d.getAllStateStores().keys()]).toContain('final-store');
    expect([...named.d.producedTopicNames()]).toEqual(['win-KSTREAM-AGGREGATE-STATE-STORE-0000000001-changelog']);
    named.d.close();
  });

  it('the changelog holds the buffered entry (Kafka BufferValue layout, header v=3) and a tombstone once it is emitted', () => {
    const { d, pipe } = windowedDriver(finalCounts(TimeWindows.ofSizeWithNoGrace(10)), timeKeys(10), L);
    const changelog = d.createOutputTopic('win-KTABLE-SUPPRESS-STATE-STORE-0000000004-changelog', timeKeys(10), {
      deserialize: (_t: string, b: Buffer | null) => b,
    });
    pipe('k', 'v', 3);
    const [entry] = changelog.readRecordsToList();
    expect(`${entry?.key?.key}@${entry?.key?.window.start}`).toBe('k@0');
    const v = entry?.value as Buffer;
    // record context: timestamp 3, offset 0, topic "in", partition 0, no headers
    expect(v.readBigInt64BE(0)).toBe(3n);
    expect(v.readBigInt64BE(8)).toBe(0n);
    expect(v.readInt32BE(16)).toBe(2);
    expect(v.subarray(20, 22).toString()).toBe('in');
    expect(v.readInt32BE(22)).toBe(0);
    expect(v.readInt32BE(26)).toBe(0);
    // prior value null (-1), old value null (-1), new value 8 bytes (count 1), then the buffer time (window end 10)
    expect(v.readInt32BE(30)).toBe(-1);
    expect(v.readInt32BE(34)).toBe(-1);
    expect(v.readInt32BE(38)).toBe(8);
    expect(v.readBigInt64BE(42)).toBe(1n);
    expect(v.readBigInt64BE(50)).toBe(10n);
    expect(v.length).toBe(58);
    pipe('k', 'v', 10);
    const logged = changelog.readRecordsToList().map((r) => [`${r.key?.key}@${r.key?.window.start}`, r.value === null ? null : 'value']);
    // one record per changed key and commit, in java.util.HashSet order of the key bytes
    // (bucket 7 for [k][10], bucket 9 for [k][0]): [10,20) entered the buffer, [0,10) left it
    expect(logged).toEqual([
      ['k@10', 'value'],
      ['k@0', null],
    ]);
    d.close();
  });

  // The buffer's changelog records carry Kafka's "v"=3 header.
  it('changelog records of the buffer carry the header v=3', () => {
    const { d, pipe } = windowedDriver(finalCounts(TimeWindows.ofSizeWithNoGrace(10)), timeKeys(10), L);
    const changelog = d.createOutputTopic('win-KTABLE-SUPPRESS-STATE-STORE-0000000004-changelog', S, S);
    pipe('k', 'v', 3);
    expect(changelog.readRecord().headers.lastHeader('v')?.value).toEqual(Buffer.from([3]));
  });

  it('finds the grace through a filter between the aggregation and suppress', () => {
    const b = new StreamsBuilder();
    b.stream<string, string>('in', Consumed.with(S, S))
      .groupByKey()
      .windowedBy(TimeWindows.ofSizeAndGrace(10, 5))
      .count()
      .filter((_k, v) => v > 1)
      .suppress(Suppressed.untilWindowCloses(BufferConfig.unbounded()))
      .toStream()
      .to('out');
    const { d, pipe } = windowedDriver(b.build(), timeKeys(10), L);
    pipe('k', 'v', 1);
    pipe('k', 'v', 2);
    expect(pipe('j', 'v', 14)).toEqual([]);
    expect(pipe('j', 'v', 15)).toEqual(['k@0/10=2@2']);
    d.close();
  });

  it('needs a strict buffer: an emit-early config is rejected', () => {
    expect(() => Suppressed.untilWindowCloses(BufferConfig.maxRecords(1))).toThrow(IllegalArgumentError);
    expect(() => Suppressed.untilWindowCloses(BufferConfig.maxRecords(1).shutDownWhenFull())).not.toThrow();
  });

  it('a full strict buffer shuts the task down with a StreamsError', () => {
    const t = finalCounts(TimeWindows.ofSizeWithNoGrace(10), Suppressed.untilWindowCloses(BufferConfig.maxRecords(1).shutDownWhenFull()));
    const { pipe } = windowedDriver(t, timeKeys(10), L);
    expect(pipe('k', 'v', 1)).toEqual([]);
    expect(pipe('k', 'v', 2)).toEqual([]); // same window: still one entry
    let error: unknown;
    try {
      pipe('j', 'v', 3);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(StreamsError);
    expect((error as Error).message).toMatch(/^KTABLE-SUPPRESS-0000000003 buffer exceeded its max capacity\. Currently \[2\/1\] records/);
  });
});

describe('untilTimeLimit', () => {
  it('maxRecords(2).emitEarlyWhenFull(): the oldest entry goes early; an updated key keeps its place', () => {
    const { d, pipe } = limitedTable(Suppressed.untilTimeLimit(10, BufferConfig.maxRecords(2).emitEarlyWhenFull()));
    expect(pipe('a', '1', 0)).toEqual([]);
    expect(pipe('b', '1', 1)).toEqual([]);
    expect(pipe('c', '1', 2)).toEqual(['a=1@0']); // three entries: a goes early
    expect(pipe('a', '2', 3)).toEqual(['b=1@1']);
    // c is updated: value and timestamp 4, but it stays buffered under time 2
    expect(pipe('c', '2', 4)).toEqual([]);
    // stream time 12: time limit passed for buffer time 2 (c), not for 3 (a)
    expect(pipe('d', '1', 12)).toEqual(['c=2@4']);
    expect(pipe('e', '1', 13)).toEqual(['a=2@3']);
    // tombstones are emitted by a time limit
    expect(pipe('a', null, 20)).toEqual(['d=1@12']);
    expect(pipe('x', '1', 30)).toEqual(['e=1@13', 'a=null@20']);
    d.close();
  });

  it('maxBytes counts like Kafka: 8 + key + prior + old + new + record context (8 + 8 + topic + 4)', () => {
    // a=1 from topic "in": 8 + 1 + 0 + 0 + 1 + 22 = 32 bytes; two fit in 64, three do not
    const { d, pipe } = limitedTable(Suppressed.untilTimeLimit(100, BufferConfig.maxBytes(64).emitEarlyWhenFull()));
    expect(pipe('a', '1', 0)).toEqual([]);
    expect(pipe('b', '1', 1)).toEqual([]);
    expect(pipe('c', '1', 2)).toEqual(['a=1@0']);
    // b=22 replacing b=1: prior null, old "1", new "22": 34 bytes, 66 in all; b (buffer time 1) goes
    expect(pipe('b', '22', 3)).toEqual(['b=22@3']);
    d.close();
  });

  it('an emitted update carries the old value of its latest change (seen by a downstream groupBy)', () => {
    const b = new StreamsBuilder();
    b.table<string, string>('in', Consumed.with(S, S))
      .suppress(Suppressed.untilTimeLimit(10, BufferConfig.unbounded()))
      .groupBy((_k, v) => keyValue(v, v), Grouped.with(S, S))
      .count()
      .toStream()
      .to('out', Produced.with(S, L));
    const d = new TopologyTestDriver(b.build(), { applicationId: 'sup-old' });
    const input = d.createInputTopic('in', S, S);
    const out = d.createOutputTopic('out', S, L);
    const pipe = (k: string, v: string, ts: number) => {
      input.pipeInput(k, v, ts);
      return out.readRecordsToList().map((r) => `${r.key}=${r.value}`);
    };
    pipe('a', 'x', 0);
    expect(pipe('z', 'q', 10)).toEqual(['x=1']);
    pipe('a', 'y', 11);
    pipe('a', 'w', 12);
    // a leaves as Change(w, old y): "y" is subtracted (it was never counted, so nothing comes
    // out for it), "x" (the value before a entered the buffer) is not
    expect(pipe('z', 'q', 21)).toEqual(['q=1', 'w=1']);
    d.close();
  });

  it('time limit 0 emits every update right away', () => {
    const { d, pipe } = limitedTable(Suppressed.untilTimeLimit(0, BufferConfig.unbounded()));
    expect(pipe('a', '1', 5)).toEqual(['a=1@5']);
    expect(pipe('a', '2', 3)).toEqual(['a=2@3']);
    d.close();
  });

  it('shutDownWhenFull() fails the task once the buffer holds more than maxRecords', () => {
    const { pipe } = limitedTable(Suppressed.untilTimeLimit(100, BufferConfig.maxRecords(1).shutDownWhenFull()));
    expect(pipe('a', '1', 0)).toEqual([]);
    expect(pipe('a', '2', 1)).toEqual([]);
    expect(() => pipe('b', '1', 2)).toThrow(/^KTABLE-SUPPRESS-0000000003 buffer exceeded its max capacity\. Currently \[2\/1\] records/);
  });
});
