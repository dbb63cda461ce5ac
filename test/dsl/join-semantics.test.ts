/**
 * The "Join semantics" tables of the Kafka Streams developer guide, row by
 * row: one key, timestamps 1..15, the left side gets null, A, B, null, C,
 * null, D and the right side null, a, b, null, c, null, null, d. After each
 * input we read what the join emitted at that moment.
 *
 * The expected rows were derived from Kafka's processors
 * (KStreamKTableJoinProcessor; KTableKTableInnerJoin, -LeftJoin,
 * -RightJoin, -OuterJoin and KTableKTableJoinMerger) and agree with the
 * guide's tables for these inputs: the source tables' caches only swallow
 * deletes of keys that were never there (rows 1/2 and 13), which produce
 * nothing in any variant, so the tables hold with and without caching.
 * Output timestamps are max(left, right), which here is always the row's.
 */
import { describe, expect, it } from 'vitest';
import { Consumed, Materialized, Produced, Serdes, StreamsBuilder, TopologyTestDriver, type KTable } from '../../src/index.js';

const S = Serdes.String();

type Side = 'L' | 'R';
const ROWS: [number, Side, string | null][] = [
  [1, 'L', null],
  [2, 'R', null],
  [3, 'L', 'A'],
  [4, 'R', 'a'],
  [5, 'L', 'B'],
  [6, 'R', 'b'],
  [7, 'L', null],
  [8, 'R', null],
  [9, 'L', 'C'],
  [10, 'R', 'c'],
  [11, 'R', null],
  [12, 'L', null],
  [13, 'R', null],
  [14, 'R', 'd'],
  [15, 'L', 'D'],
];

/** Expected output per timestamp: a joined value "X-Y", or null for a tombstone. Rows not listed emit nothing. */
type Expected = Record<number, string | null>;

const joiner = (l: string | null, r: string | null) => `${l}-${r}`;

/** Runs the rows and returns, per timestamp that produced output, what came out (value@timestamp). */
function runRows(b: StreamsBuilder, config: { cacheMaxBytes?: number }): Map<number, string[]> {
  const d = new TopologyTestDriver(b.build(), { applicationId: 'guide', ...config });
  const left = d.createInputTopic('left', S, S);
  const right = d.createInputTopic('right', S, S);
  const out = d.createOutputTopic('out', S, S);
  const seen = new Map<number, string[]>();
  for (const [ts, side, value] of ROWS) {
    (side === 'L' ? left : right).pipeInput('k', value, ts);
    const got = out.readRecordsToList().map((r) => `${r.value}@${r.timestamp}`);
    if (got.length > 0) seen.set(ts, got);
  }
  d.close();
  return seen;
}

function asRows(expected: Expected): Map<number, string[]> {
  return new Map(Object.entries(expected).map(([ts, v]) => [Number(ts), [`${v}@${ts}`]]));
}

const CONFIGS = [
  { name: 'cache on (default)', config: {} },
  { name: 'cacheMaxBytes 0', config: { cacheMaxBytes: 0 } },
];

describe('guide table: KStream-KTable join', () => {
  const inner: Expected = { 5: 'B-a', 15: 'D-d' };
  const left: Expected = { 3: 'A-null', 5: 'B-a', 9: 'C-null', 15: 'D-d' };

  for (const { name, config } of CONFIGS) {
    for (const [kind, expected] of [
      ['inner', inner],
      ['left', left],
    ] as const) {
      it(`${kind} join, ${name}`, () => {
        const b = new StreamsBuilder();
        const stream = b.stream<string, string>('left', Consumed.with(S, S));
        const table = b.table<string, string>('right', Consumed.with(S, S));
        (kind === 'inner' ? stream.join(table, joiner) : stream.leftJoin(table, joiner)).to('out', Produced.with(S, S));
        expect(runRows(b, config)).toEqual(asRows(expected));
      });
    }
  }
});

describe('guide table: KTable-KTable join', () => {
  const inner: Expected = { 4: 'A-a', 5: 'B-a', 6: 'B-b', 7: null, 10: 'C-c', 11: null, 15: 'D-d' };
  const left: Expected = { 3: 'A-null', 4: 'A-a', 5: 'B-a', 6: 'B-b', 7: null, 9: 'C-null', 10: 'C-c', 11: 'C-null', 12: null, 15: 'D-d' };
  const outer: Expected = {
    3: 'A-null',
    4: 'A-a',
    5: 'B-a',
    6: 'B-b',
    7: 'null-b',
    8: null,
    9: 'C-null',
    10: 'C-c',
    11: 'C-null',
    12: null,
    14: 'null-d',
    15: 'D-d',
  };

  function join(kind: 'inner' | 'left' | 'outer', l: KTable<string, string>, r: KTable<string, string>, materialized: boolean): KTable<string, string> {
    const m = materialized ? Materialized.as<string, string>('joined').withValueSerde(S) : undefined;
    if (kind === 'inner') return m ? l.join(r, joiner, m) : l.join(r, joiner);
    if (kind === 'left') return m ? l.leftJoin(r, joiner, m) : l.leftJoin(r, joiner);
    return m ? l.outerJoin(r, joiner, m) : l.outerJoin(r, joiner);
  }

  for (const { name, config } of CONFIGS) {
    for (const materialized of [false, true]) {
      for (const [kind, expected] of [
        ['inner', inner],
        ['left', left],
        ['outer', outer],
      ] as const) {
        it(`${kind} join${materialized ? ' (materialized result)' : ''}, ${name}`, () => {
          const b = new StreamsBuilder();
          const l = b.table<string, string>('left', Consumed.with(S, S));
          const r = b.table<string, string>('right', Consumed.with(S, S));
          join(kind, l, r, materialized).toStream().to('out', Produced.with(S, S));
          expect(runRows(b, config)).toEqual(asRows(expected));
        });
      }
    }
  }
});
