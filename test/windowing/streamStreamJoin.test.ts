/**
 * KStream-KStream joins through the TopologyTestDriver. Expected rows are
 * derived by hand from Kafka's KStreamKStreamJoin / KStreamJoinWindow (and
 * the in-memory window store's retention), not from kstreams' output:
 *  - a record joins the other side's records within [t - before, t + after]
 *    (sides swapped for right records), result timestamp max(t1, t2);
 *  - with ofTimeDifferenceAndGrace/WithNoGrace (the "spurious result fix"),
 *    an unmatched left/outer record waits in the shared outer store and is
 *    emitted only when a record with ts == stream time arrives and
 *    stream time > t + after (left) / + before (right) + grace;
 *  - that scan is skipped while minTime + thisSide.after + grace >= stream
 *    time, and throttled by wall-clock time (`__emit.interval.ms...`), where
 *    Java's `Long.MAX_VALUE + after + grace` overflows for an empty store.
 */
import { describe, expect, it } from 'vitest';
import { JoinWindows, Serdes, StreamJoined, StreamsBuilder, TopologyTestDriver, type KStream } from '../../src/index.js';

const S = Serdes.String();
const EMIT_INTERVAL = '__emit.interval.ms.kstreams.outer.join.spurious.results.fix__';
const CLOCK = 1_000_000;
type Kind = 'inner' | 'left' | 'outer';

const joiner = (l: string | null, r: string | null) => `${l}-${r}`;

function build(kind: Kind, windows: JoinWindows, joined = StreamJoined.with(S, S, S)) {
  const b = new StreamsBuilder();
  const left: KStream<string, string> = b.stream('left');
  const right: KStream<string, string> = b.stream('right');
  const out =
    kind === 'inner'
      ? left.join(right, joiner, windows, joined)
      : kind === 'left'
        ? left.leftJoin(right, joiner, windows, joined)
        : left.outerJoin(right, joiner, windows, joined);
  out.to('out');
  return b.build();
}

function setup(kind: Kind, windows: JoinWindows, config: Record<string, unknown> = { [EMIT_INTERVAL]: 0 }) {
  const d = new TopologyTestDriver(build(kind, windows), { applicationId: 'ssj', defaultKeySerde: S, defaultValueSerde: S, ...config }, CLOCK);
  const l = d.createInputTopic('left', S, S);
  const r = d.createInputTopic('right', S, S);
  const out = d.createOutputTopic('out', S, S);
  const read = () => out.readRecordsToList().map((x) => `${x.key}:${x.value}@${x.timestamp}`);
  const L = (key: string | null, value: string | null, ts: number) => {
    l.pipeInput(key, value, ts);
    return read();
  };
  const R = (key: string | null, value: string | null, ts: number) => {
    r.pipeInput(key, value, ts);
    return read();
  };
  return { d, L, R, read };
}

const GUIDE = JoinWindows.ofTimeDifferenceAndGrace(15_000, 5_000);
// The developer guide's input, one key, timestamps in seconds (here ms = s * 1000).
const ROWS: [number, 'L' | 'R', string | null][] = [
  [1, 'L', null], [2, 'R', null], [3, 'L', 'A'], [4, 'R', 'a'], [5, 'L', 'B'], [6, 'R', 'b'], [7, 'L', null], [8, 'R', null],
  [9, 'L', 'C'], [10, 'R', 'c'], [11, 'R', null], [12, 'L', null], [13, 'R', null], [14, 'R', 'd'], [15, 'L', 'D'],
];
// Every non-null record is within 15 s of the others; A, the only record without
// a partner when it arrives, is matched by a at 4 s before its window closes,
// so with the spurious-result fix all three joins give the same rows.
const GUIDE_OUT: Record<number, string[]> = {
  4: ['A-a'],
  5: ['B-a'],
  6: ['A-b', 'B-b'],
  9: ['C-a', 'C-b'],
  10: ['A-c', 'B-c', 'C-c'],
  14: ['A-d', 'B-d', 'C-d'],
  15: ['D-a', 'D-b', 'D-c', 'D-d'],
};

describe('developer guide table, JoinWindows.ofTimeDifferenceAndGrace(15 s, 5 s)', () => {
  for (const kind of ['inner', 'left', 'outer'] as const) {
    for (const [label, config] of [
      ['emit interval 0', { [EMIT_INTERVAL]: 0 }],
      ['emit interval 1000', { [EMIT_INTERVAL]: 1000 }],
    ] as const) {
      it(`${kind} join, ${label}: row by row`, () => guideTable(kind, config, label === 'emit interval 1000'));
    }
    // Kafka's driver defaults the outer-join emit interval to 0 (putIfAbsent since Kafka 3.8),
    // and so does kstreams': with no config the results equal those with interval 0.
    it(`${kind} join, driver defaults: as with emit interval 0`, () => guideTable(kind, {}, false));
  }
});

function guideTable(kind: Kind, config: Record<string, unknown>, throttled: boolean) {
  const { d, L, R } = setup(kind, GUIDE, config);
  for (const [s, side, v] of ROWS) {
    const got = (side === 'L' ? L : R)('k', v, s * 1000);
    expect(got, `row ${s}`).toEqual((GUIDE_OUT[s] ?? []).map((x) => `k:${x}@${s * 1000}`));
  }
  // extension: E at 40 s has no partner; its window (after 15 s + grace 5 s) closes at 60 s
  expect(L('k', 'E', 40_000)).toEqual([]);
  // x at 60 s: stream time is 60 s, not strictly past 40 + 15 + 5, and x is 20 s after E
  expect(R('k', 'x', 60_000)).toEqual([]);
  // F at 60.001 s passes E's window end: E-null first (from the scan before the join), then F-x
  const emitted = kind === 'inner' ? [] : ['k:E-null@40000'];
  const afterF = L('k', 'F', 60_001);
  if (throttled && kind !== 'inner') {
    // the scan ran at A (3 s, empty store: Java's MAX_VALUE overflow) and set the next
    // emit time to clock + 1000; the wall clock never moved, so E stays buffered
    expect(afterF).toEqual(['k:F-x@60001']);
    d.advanceWallClockTime(1000);
    expect(L('k', 'G', 60_001)).toEqual([...emitted, 'k:G-x@60001']);
  } else {
    expect(afterF).toEqual([...emitted, 'k:F-x@60001']);
  }
  d.close();
}

describe('when unmatched records are emitted', () => {
  it('left join: never before the window + grace has passed strictly, never after a late match', () => {
    const { d, L, R } = setup('left', GUIDE);
    expect(L('a', 'A', 10_000)).toEqual([]); // waits until stream time > 30 000
    expect(L('b', 'B', 12_000)).toEqual([]); // waits until stream time > 32 000
    expect(L('z', 'Z', 30_000)).toEqual([]); // 10 000 + 20 000 is not strictly past: nothing
    // an out-of-order right record (behind stream time, inside B's window and grace) matches B
    expect(R('b', 'b', 25_000)).toEqual(['b:B-b@25000']);
    expect(L('z', 'Z2', 30_001)).toEqual(['a:A-null@10000']);
    // B was matched: no B-null, ever
    expect(L('z', 'Z3', 100_000)).toEqual(['z:Z-null@30000', 'z:Z2-null@30001']);
    expect(d.droppedRecords()).toBe(0);
    d.close();
  });

  it('only a record carrying the stream time triggers the scan; null values move stream time', () => {
    const { d, L } = setup('left', GUIDE);
    expect(L('a', 'A', 0)).toEqual([]);
    expect(L('x', 'X', 50_000)).toEqual(['a:A-null@0']);
    // late and unmatched: its window is already over (timeTo 16 000 < 50 000), so it is emitted at once
    expect(L('c', 'C', 1_000)).toEqual(['c:C-null@1000']);
    expect(L('b', 'B', 60_000)).toEqual([]); // X waits until stream time > 70 000
    // a null value is dropped, but first moves the join's stream time to 80 000 (without a scan)
    expect(L('y', null, 80_000)).toEqual([]);
    // behind stream time: no scan, so X stays buffered though closed; V itself waits (timeTo 90 000)
    expect(L('v', 'V', 75_000)).toEqual([]);
    // carrying the stream time: X closes; B (60 000 + 20 000 is not < 80 000) does not
    expect(L('u', 'U', 80_000)).toEqual(['x:X-null@50000']);
    expect(d.droppedRecords()).toBe(1);
    d.close();
  });

  it('outer join with before(2 s) / after(10 s): left records wait `after`, right records wait `before`', () => {
    const w = JoinWindows.ofTimeDifferenceAndGrace(10_000, 0).before(2_000);
    const { d, L, R } = setup('outer', w);
    expect(L('k1', 'A', 20_000)).toEqual([]); // closes when stream time > 30 000
    expect(R('k2', 'x', 25_000)).toEqual([]); // closes when stream time > 27 000
    // the left processor skips the scan while minTime(20 000) + after(10 000) >= stream time
    expect(L('k3', 'B', 27_001)).toEqual([]);
    // the right processor checks minTime + before(2 000): it scans; x is past, A and B are not
    expect(R('k4', 'y', 27_002)).toEqual(['k2:null-x@25000']);
    // the scan left minTime at B's 27 001 (the last entry it looked at), so A is skipped once more
    expect(L('k5', 'C', 30_001)).toEqual([]);
    expect(R('k6', 'z', 30_002)).toEqual(['k1:A-null@20000', 'k4:null-y@27002']);
    d.close();
  });

  it('outer join: same-timestamp duplicates wait together; a later match clears a waiting record', () => {
    const { d, L, R } = setup('outer', GUIDE);
    expect(R('k', 'r', 1_000)).toEqual([]);
    expect(L('k', 'A', 10_000)).toEqual(['k:A-r@10000']); // r will never be null-joined
    expect(L('d', 'D1', 20_000)).toEqual([]);
    expect(L('d', 'D2', 20_000)).toEqual([]);
    expect(R('e', 'e', 20_000)).toEqual([]);
    // one scan, in store order [timestamp][side: right 0, left 1][key]: A was matched and r was
    // cleared; then e (right side first at 20 000), then D1 and D2 in arrival order
    expect(L('z', 'Z', 100_000)).toEqual(['e:null-e@20000', 'd:D1-null@20000', 'd:D2-null@20000']);
    d.close();
  });

  // Differential fuzz against Kafka 3.9.2's driver (minimized). Kafka's outer store is a
  // ListValueStore: its all() yields one entry per value, and the scan sets minTime and checks
  // "both sides' windows open" per value. At 228 the scan emits 4 and sees 223 right (open),
  // 223 left "1" (open) and stops at 223 left "9" with minTime 223, so 232 (223 + 5 + 3 < 232)
  // scans again and emits the three 223 records. kstreams used to stop at the next key (225),
  // skipping the scan at 232 (225 + 8 >= 232).
  it('outer join: the scan stops per value, so a key with duplicates leaves minTime at its own timestamp', () => {
    const { d, L, R } = setup('outer', JoinWindows.ofTimeDifferenceAndGrace(5, 3));
    expect(L('k0', '4', 219)).toEqual([]);
    expect(L('k0', '1', 223)).toEqual([]);
    expect(R('k2', '0', 223)).toEqual([]);
    expect(L('k0', '9', 223)).toEqual([]);
    expect(R('k1', '3', 225)).toEqual([]);
    expect(R('k1', '6', 228)).toEqual(['k0:4-null@219']);
    expect(R('k1', '3', 232)).toEqual(['k2:null-0@223', 'k0:1-null@223', 'k0:9-null@223']);
    d.close();
  });

  it('asymmetric windows bound matches on both sides (inner join)', () => {
    const w = JoinWindows.ofTimeDifferenceWithNoGrace(10_000).before(2_000);
    const { d, L, R } = setup('inner', w);
    expect(L('k', 'A', 20_000)).toEqual([]);
    expect(R('k', 'r1', 17_999)).toEqual([]); // 2 001 before A
    expect(R('k', 'r2', 18_000)).toEqual(['k:A-r2@20000']); // exactly `before`
    expect(R('k', 'r3', 30_000)).toEqual(['k:A-r3@30000']); // exactly `after`
    expect(R('k', 'r4', 30_001)).toEqual([]);
    // a left record looks `before` back and `after` ahead: 30 000 - 2 000 .. 40 000
    expect(L('k', 'B', 28_000)).toEqual(['k:B-r3@30000', 'k:B-r4@30001']);
    d.close();
  });

  it('emit interval 1000: the empty-store scan arms the wall-clock throttle', () => {
    const { d, L } = setup('left', GUIDE, { [EMIT_INTERVAL]: 1000 });
    expect(L('k1', 'A', 0)).toEqual([]); // scans the empty store: next emit at CLOCK + 1000
    expect(L('k2', 'B', 30_000)).toEqual([]); // A is closed, but the throttle holds
    d.advanceWallClockTime(999);
    expect(L('k3', 'C', 30_000)).toEqual([]);
    d.advanceWallClockTime(1);
    expect(L('k4', 'D', 30_000)).toEqual(['k1:A-null@0']); // next emit at CLOCK + 2000
    expect(L('k5', 'E', 60_000)).toEqual([]);
    d.advanceWallClockTime(5_000);
    expect(L('k6', 'F', 60_000)).toEqual(['k2:B-null@30000', 'k3:C-null@30000', 'k4:D-null@30000']);
    d.close();
  });

  it('the emit interval config may be given as a string, like Kafka InternalConfig.getLong', () => {
    const { d, L } = setup('left', GUIDE, { [EMIT_INTERVAL]: '0' });
    L('k1', 'A', 0);
    expect(L('k2', 'B', 30_000)).toEqual(['k1:A-null@0']);
    // no throttle: the next scan runs without the wall clock moving
    expect(L('k3', 'C', 60_000)).toEqual(['k2:B-null@30000']);
    d.close();
  });
});

describe('timestamps, null keys, late records', () => {
  it('the result timestamp is the larger of both', () => {
    const { d, L, R } = setup('inner', GUIDE);
    L('k', 'A', 20_000);
    expect(R('k', 'a', 12_000)).toEqual(['k:A-a@20000']);
    R('k', 'c', 9_000);
    expect(L('k', 'B', 5_000)).toEqual(['k:B-c@9000', 'k:B-a@12000']);
    d.close();
  });

  it('null keys: left/outer emit at once with null, inner drops; null values are always dropped', () => {
    for (const kind of ['inner', 'left', 'outer'] as const) {
      const { d, L, R } = setup(kind, GUIDE);
      expect(L(null, 'A', 1_000)).toEqual(kind === 'inner' ? [] : ['null:A-null@1000']);
      expect(R(null, 'a', 2_000)).toEqual(kind === 'outer' ? ['null:null-a@2000'] : []);
      expect(L('k', null, 3_000)).toEqual([]);
      expect(L(null, null, 4_000)).toEqual([]);
      const dropped = { inner: 4, left: 3, outer: 2 }[kind];
      expect(d.droppedRecords(), kind).toBe(dropped);
      // null-keyed records never enter a window store: a right record for key "null" finds nothing
      d.close();
    }
  });

  it('late records: joined while the other store still retains the partner, else null-joined at once', () => {
    // store retention = before + after + grace = 35 s
    for (const kind of ['inner', 'left', 'outer'] as const) {
      const { d, L, R } = setup(kind, GUIDE);
      R('k', 'a', 10_000);
      // the outer join gives up on a: 10 000 + before 15 000 + grace 5 000 < 50 000
      expect(L('k2', 'X', 50_000)).toEqual(kind === 'outer' ? ['k:null-a@10000'] : []);
      // A is 40 s behind stream time: it still finds a (right store time 10 000)
      expect(L('k', 'A', 0)).toEqual(['k:A-a@10000']);
      // unmatched and its window already closed: emitted right away by left/outer
      expect(L('k3', 'B', 1_000)).toEqual(kind === 'inner' ? [] : ['k3:B-null@1000']);
      // A was too old for the left store (0 <= 50 000 - 35 000): b cannot find it
      expect(R('k', 'b', 5_000)).toEqual(kind === 'outer' ? ['k:null-b@5000'] : []);
      d.close();
    }
  });
});

describe('window shapes and self-joins', () => {
  it('a negative after(): left records join right records strictly before them', () => {
    expect(() => JoinWindows.ofTimeDifferenceWithNoGrace(10).after(-11)).toThrow('Window interval (ie, beforeMs+afterMs) must not be negative.');
    // [t - 10, t - 5]; grace 10 only to give the stores a retention (size 5 + grace) that keeps r90
    const { d, L, R } = setup('inner', JoinWindows.ofTimeDifferenceAndGrace(10, 10).after(-5));
    R('k', 'r89', 89);
    R('k', 'r90', 90);
    R('k', 'r95', 95);
    R('k', 'r96', 96);
    expect(L('k', 'A', 100)).toEqual(['k:A-r90@100', 'k:A-r95@100']);
    // a right record looks 5 .. 10 ahead: [r + 5, r + 10]
    expect(R('k', 'r93', 93)).toEqual(['k:A-r93@100']);
    d.close();
  });

  it('a stream joined with itself: this side runs first, so the other side sees the record itself', () => {
    const b = new StreamsBuilder();
    const s = b.stream<string, string>('in');
    s.join(s, joiner, JoinWindows.ofTimeDifferenceWithNoGrace(10)).to('out');
    const d = new TopologyTestDriver(b.build(), { applicationId: 'self', defaultKeySerde: S, defaultValueSerde: S });
    const input = d.createInputTopic('in', S, S);
    const out = d.createOutputTopic('out', S, S);
    input.pipeInput('k', 'A', 0);
    expect(out.readValuesToList()).toEqual(['A-A']);
    input.pipeInput('k', 'B', 5);
    expect(out.readValuesToList()).toEqual(['B-A', 'A-B', 'B-B']);
    d.close();
  });

  // KStreamJoinWindow puts null values too. Kafka's default RocksDB window store
  // (RocksDBWindowStore.put) skips a null put when duplicates are kept, so its stream time stays
  // and a is still found; kstreams' join stores behave the same (Kafka's InMemoryWindowStore
  // would move its stream time to 40 s and expire a).
  it('a null value does not age the other side\'s window store (Kafka default RocksDB store)', () => {
    const { d, L, R } = setup('inner', GUIDE); // retention 35 s
    R('k', 'a', 0);
    R('k', null, 40_000);
    expect(L('k', 'A', 10_000)).toEqual(['k:A-a@10000']);
    d.close();
  });
});

describe('topology', () => {
  it('describes a left join with Kafka names and stores', () => {
    const b = new StreamsBuilder();
    const l = b.stream<string, string>('left');
    const r = b.stream<string, string>('right');
    l.leftJoin(r, joiner, GUIDE, StreamJoined.with(S, S, S)).to('out');
    const topology = b.build();
    // both inputs must be co-partitioned
    expect(topology.internal.copartitionGroupsDecorated().map((g) => [...g].sort())).toEqual([['left', 'right']]);
    expect(topology.describe().toString()).toBe(
      'Topologies:\n' +
        '   Sub-topology: 0\n' +
        '    Source: KSTREAM-SOURCE-0000000000 (topics: [left])\n' +
        '      --> KSTREAM-WINDOWED-0000000002\n' +
        '    Source: KSTREAM-SOURCE-0000000001 (topics: [right])\n' +
        '      --> KSTREAM-WINDOWED-0000000003\n' +
        '    Processor: KSTREAM-WINDOWED-0000000002 (stores: [KSTREAM-JOINTHIS-0000000004-store])\n' +
        '      --> KSTREAM-JOINTHIS-0000000004\n' +
        '      <-- KSTREAM-SOURCE-0000000000\n' +
        '    Processor: KSTREAM-WINDOWED-0000000003 (stores: [KSTREAM-OUTEROTHER-0000000005-store])\n' +
        '      --> KSTREAM-OUTEROTHER-0000000005\n' +
        '      <-- KSTREAM-SOURCE-0000000001\n' +
        '    Processor: KSTREAM-JOINTHIS-0000000004 (stores: [KSTREAM-OUTEROTHER-0000000005-store, KSTREAM-OUTERSHARED-0000000004-store])\n' +
        '      --> KSTREAM-MERGE-0000000006\n' +
        '      <-- KSTREAM-WINDOWED-0000000002\n' +
        '    Processor: KSTREAM-OUTEROTHER-0000000005 (stores: [KSTREAM-JOINTHIS-0000000004-store, KSTREAM-OUTERSHARED-0000000004-store])\n' +
        '      --> KSTREAM-MERGE-0000000006\n' +
        '      <-- KSTREAM-WINDOWED-0000000003\n' +
        '    Processor: KSTREAM-MERGE-0000000006 (stores: [])\n' +
        '      --> KSTREAM-SINK-0000000007\n' +
        '      <-- KSTREAM-JOINTHIS-0000000004, KSTREAM-OUTEROTHER-0000000005\n' +
        '    Sink: KSTREAM-SINK-0000000007 (topic: out)\n' +
        '      <-- KSTREAM-MERGE-0000000006\n\n',
    );
  });

  it('names stores after StreamJoined.withStoreName and logs them to changelogs', () => {
    const b = new StreamsBuilder();
    const l = b.stream<string, string>('left');
    const r = b.stream<string, string>('right');
    l.outerJoin(r, joiner, GUIDE, StreamJoined.with(S, S, S).withStoreName('pairs')).to('out');
    const d = new TopologyTestDriver(b.build(), { applicationId: 'app', defaultKeySerde: S, defaultValueSerde: S, [EMIT_INTERVAL]: 0 }, CLOCK);
    expect([...d.getAllStateStores().keys()].sort()).toEqual([
      'pairs-outer-other-join-store',
      'pairs-outer-shared-join-store',
      'pairs-outer-this-join-store',
    ]);
    d.createInputTopic('left', S, S).pipeInput('k', 'A', 0);
    d.createInputTopic('right', S, S).pipeInput('k', 'b', 30_000);
    expect([...d.producedTopicNames()].sort()).toEqual([
      'app-pairs-outer-other-join-store-changelog',
      'app-pairs-outer-shared-join-store-changelog',
      'app-pairs-outer-this-join-store-changelog',
      'out',
    ]);
    d.close();

    const b2 = new StreamsBuilder();
    b2.stream<string, string>('left').outerJoin(b2.stream<string, string>('right'), joiner, GUIDE, StreamJoined.with(S, S, S).withLoggingDisabled()).to('out');
    const d2 = new TopologyTestDriver(b2.build(), { applicationId: 'app', defaultKeySerde: S, defaultValueSerde: S, [EMIT_INTERVAL]: 0 }, CLOCK);
    d2.createInputTopic('left', S, S).pipeInput('k', 'A', 0);
    d2.createInputTopic('right', S, S).pipeInput('k', 'b', 30_000);
    expect([...d2.producedTopicNames()]).toEqual(['out']);
    d2.close();
  });
});
