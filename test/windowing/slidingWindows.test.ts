/**
 * SlidingWindows through the TopologyTestDriver, against lists worked out by
 * hand from Kafka's KStreamSlidingWindowAggregate (processReverse,
 * processEarly, createWindows): windows [start, start + d] with both ends
 * inclusive; a record's left window [t - d, t], the right window
 * [t + 1, t + 1 + d] once a later record lies within d; records with t < d
 * share the [0, d] window. A record is dropped when t + d < stream time -
 * grace; a single window when its end < stream time - grace.
 */
import { describe, expect, it } from 'vitest';
import { Consumed, EmitStrategy, IllegalArgumentError, Materialized, SlidingWindows, StreamsBuilder } from '../../src/index.js';
import { collect, EMIT_WINDOWED, L, S, timeKeys, windowedDriver } from './helpers.js';

function topology(windows: SlidingWindows, onClose = false) {
  const b = new StreamsBuilder();
  const w = b.stream<string, string>('in', Consumed.with(S, S)).groupByKey().windowedBy(windows);
  if (onClose) w.emitStrategy(EmitStrategy.onWindowClose());
  w.count(Materialized.as('sliding')).toStream().to('out');
  return b.build();
}

const CONFIGS = [
  ['caching on', {}],
  ['cacheMaxBytes 0', { cacheMaxBytes: 0 }],
] as const;

describe('sliding windows, time difference 10', () => {
  for (const [label, config] of CONFIGS) {
    it(`count with in-order, out-of-order and early records (grace 100), ${label}`, () => {
      const { d, pipe } = windowedDriver(topology(SlidingWindows.ofTimeDifferenceAndGrace(10, 100)), timeKeys(10), L, config);
      // first record: only its left window
      expect(pipe('k', 'v', 50)).toEqual(['k@40/50=1@50']);
      // 55: 50's right window [51,61] appears (with 55 in it), then 55's left window holds 50 and 55
      expect(pipe('k', 'v', 55)).toEqual(['k@51/61=1@55', 'k@45/55=2@55']);
      // out of order 52: updates the windows around it (newest first), its left window
      // [42,52] = {50,52}, and its right window [53,63] = {55}, copied from [51,61]'s old aggregate
      expect(pipe('k', 'v', 52)).toEqual(['k@51/61=2@55', 'k@45/55=3@55', 'k@42/52=2@52', 'k@53/63=1@55']);
      // early records (t < 10) go to [0,10]
      expect(pipe('k', 'v', 5)).toEqual(['k@0/10=1@5']);
      // 8: 5's right window [6,16] is created first, then [0,10] counts 2
      expect(pipe('k', 'v', 8)).toEqual(['k@6/16=1@8', 'k@0/10=2@8']);
      // 3: its right window [4,14] = {5,8} takes [0,10]'s aggregate, then [0,10] counts 3
      expect(pipe('k', 'v', 3)).toEqual(['k@4/14=2@8', 'k@0/10=3@8']);
      // 20: left window [10,20] is empty but for 20; 8's right window would not reach 20
      expect(pipe('k', 'v', 20)).toEqual(['k@10/20=1@20']);
      // 14: updates [10,20], [6,16], [4,14]; creates 8's right window [9,19] and its own [15,25]
      expect(pipe('k', 'v', 14)).toEqual(['k@10/20=2@20', 'k@6/16=2@14', 'k@4/14=3@14', 'k@9/19=1@14', 'k@15/25=1@20']);
      expect(d.droppedRecords()).toBe(0);

      const store = d.getWindowStore<string, number>('sliding')!;
      expect(collect(store.fetch('k', 0, 20))).toEqual([
        [0, 3],
        [4, 3],
        [6, 2],
        [9, 1],
        [10, 2],
        [15, 1],
      ]);
      d.close();
    });
  }

  it('a record at exactly t = d finds [0,d] as its own left window', () => {
    const { d, pipe } = windowedDriver(topology(SlidingWindows.ofTimeDifferenceWithNoGrace(10)), timeKeys(10), L, { cacheMaxBytes: 0 });
    expect(pipe('k', 'v', 5)).toEqual(['k@0/10=1@5']);
    // [0,10] ends at 10: updated as the left window; 5 is the previous record, its right window [6,16] follows
    expect(pipe('k', 'v', 10)).toEqual(['k@0/10=2@10', 'k@6/16=1@10']);
    // early again: 3's right window [4,14] = {5, 10} takes [0,10]'s aggregate (max timestamp 10 > 3)
    expect(pipe('k', 'v', 3)).toEqual(['k@4/14=2@10', 'k@0/10=3@10']);
    d.close();
  });

  it('late records: dropped whole, or only their expired left window (grace 5)', () => {
    const { d, pipe } = windowedDriver(topology(SlidingWindows.ofTimeDifferenceAndGrace(10, 5)), timeKeys(10), L);
    expect(pipe('k', 'v', 100)).toEqual(['k@90/100=1@100']);
    // close time 95: 84 + 10 < 95, the whole record is dropped
    expect(pipe('k', 'v', 84)).toEqual([]);
    expect(d.droppedRecords()).toBe(1);
    // 92 updates [90,100] and gets a right window; its left window [82,92] ends before 95
    expect(pipe('k', 'v', 92)).toEqual(['k@90/100=2@100', 'k@93/103=1@100']);
    expect(d.droppedRecords()).toBe(2);
    // 85 + 10 is not < 95, but its only window [75,85] is expired
    expect(pipe('k', 'v', 85)).toEqual([]);
    expect(d.droppedRecords()).toBe(3);
    // 95: its left window [85,95] ends exactly at the close time and is kept; it cannot
    // see 92 (whose left window was never stored), so it counts only 95
    expect(pipe('k', 'v', 95)).toEqual(['k@93/103=2@100', 'k@90/100=3@100', 'k@85/95=1@95', 'k@96/106=1@100']);
    expect(d.droppedRecords()).toBe(3);
    // null values are dropped by sliding windows (unlike time windows)
    expect(pipe('k', null, 99)).toEqual([]);
    expect(d.droppedRecords()).toBe(4);
    d.close();
  });

  it('a previous right window that coincides with the new left window is written twice', () => {
    // 26 - 15 = d + 1: the scan finds 15 as max of 10's right window [11,21], so 15's right
    // window [16,26] is created; then 26's left window [16,26] (not in the scan) is made again
    for (const [label, config, expected] of [
      ['without cache', { cacheMaxBytes: 0 }, ['k@16/26=1@26', 'k@16/26=1@26']],
      ['with cache', {}, ['k@16/26=1@26']],
    ] as const) {
      const { d, pipe } = windowedDriver(topology(SlidingWindows.ofTimeDifferenceWithNoGrace(10)), timeKeys(10), L, config);
      pipe('k', 'v', 10);
      expect(pipe('k', 'v', 15)).toEqual(['k@11/21=1@15', 'k@5/15=2@15']);
      expect(pipe('k', 'v', 26), label).toEqual(expected);
      d.close();
    }
  });

  it('emitStrategy(onWindowClose): windows whose end < stream time - grace, once', () => {
    const t = topology(SlidingWindows.ofTimeDifferenceWithNoGrace(10), true);
    const { d, pipe } = windowedDriver(t, timeKeys(10), L, { [EMIT_WINDOWED]: 0 });
    expect(pipe('k', 'v', 10)).toEqual([]);
    // stream time 15: window starts 0..4 are final
    expect(pipe('k', 'v', 15)).toEqual(['k@0/10=1@10']);
    // stream time 26: starts 5..15; [11,21] holds only 15
    expect(pipe('k', 'v', 26)).toEqual(['k@5/15=2@15', 'k@11/21=1@15']);
    // stream time 37: starts 16..26 ([16,26] was written twice, emitted once)
    expect(pipe('j', 'v', 37)).toEqual(['k@16/26=1@26']);
    d.close();
  });

  it('validates its arguments and the retention', () => {
    expect(() => SlidingWindows.ofTimeDifferenceWithNoGrace(-1)).toThrow(IllegalArgumentError);
    expect(() => SlidingWindows.ofTimeDifferenceAndGrace(10, -1)).toThrow(IllegalArgumentError);
    const grouped = new StreamsBuilder().stream<string, string>('in', Consumed.with(S, S)).groupByKey();
    expect(() => grouped.windowedBy(SlidingWindows.ofTimeDifferenceAndGrace(10, 5)).count(Materialized.as<string, number>('s').withRetention(24))).toThrow(
      'The retention period of the window store s must be no smaller than 2 * time difference plus the grace period. Got time difference=[10], grace=[5], retention=[24]',
    );
  });
});
