import { describe, expect, it } from 'vitest';
import {
  Consumed,
  JoinWindows,
  Materialized,
  Produced,
  Serdes,
  StoreType,
  StreamJoined,
  StreamsBuilder,
  TimeWindows,
  type Topology,
  TopologyTestDriver,
  WindowedSerdes,
} from '../../src/index.js';

const S = Serdes.String();
const L = Serdes.Long();

function topology(): Topology {
  const b = new StreamsBuilder();
  const lines = b.stream('in', Consumed.with(S, S));
  const words = lines.flatMapValues((v) => v.split(' '));
  words.groupBy((_k, w) => w).count(Materialized.as<string, number>('counts')).toStream().to('counts-out', Produced.with(S, L));
  words
    .groupByKey()
    .windowedBy(TimeWindows.ofSizeAndGrace(10, 5))
    .count(Materialized.as<string, number>('windowed'))
    .toStream()
    .to('windowed-out', Produced.with(WindowedSerdes.timeWindowedSerdeFrom(S, 10), L));
  const right = b.stream('right', Consumed.with(S, S));
  lines
    .leftJoin(right, (l, r) => `${l}|${r}`, JoinWindows.ofTimeDifferenceAndGrace(5, 2), StreamJoined.with(S, S, S))
    .to('joined-out', Produced.with(S, S));
  return b.build();
}

function run(defaultDslStore: 'rocks_db' | 'in_memory') {
  const d = new TopologyTestDriver(topology(), { applicationId: `store-${defaultDslStore}`, defaultDslStore, defaultKeySerde: S, defaultValueSerde: S }, 0);
  const input = d.createInputTopic('in', S, S);
  const right = d.createInputTopic('right', S, S);
  const lines: [string, string, number][] = [
    ['a', 'x y', 1],
    ['b', 'y z', 3],
    ['a', 'x x', 12],
    ['b', 'late', 2],
    ['c', 'z', 30],
  ];
  right.pipeInput('a', 'R', 2);
  for (const [k, v, ts] of lines) input.pipeInput(k, v, ts);
  const read = (topic: string, keySerde = S) =>
    d.createOutputTopic<unknown, unknown>(topic, keySerde as never, (topic === 'joined-out' ? S : L) as never).readRecordsToList().map((r) => [String(r.key), r.value, r.timestamp]);
  const out = {
    counts: read('counts-out'),
    windowed: read('windowed-out', WindowedSerdes.timeWindowedSerdeFrom(S, 10) as never),
    joined: read('joined-out'),
    persistent: d.getStateStore('counts')?.persistent,
    stored: [...(d.getKeyValueStore<string, number>('counts')?.all() ?? [])].map((kv) => [kv.key, kv.value]),
  };
  d.close();
  return out;
}

describe('defaultDslStore', () => {
  it('RocksDB and in-memory DSL stores give the same output and state', () => {
    const memory = run('in_memory');
    const rocks = run('rocks_db');
    expect(memory.persistent).toBe(false);
    expect(rocks.persistent).toBe(true);
    expect(memory.counts.length).toBeGreaterThan(0);
    expect(memory.windowed.length).toBeGreaterThan(0);
    expect(memory.joined.length).toBeGreaterThan(0);
    expect(rocks.counts).toEqual(memory.counts);
    expect(rocks.windowed).toEqual(memory.windowed);
    expect(rocks.joined).toEqual(memory.joined);
    expect(rocks.stored).toEqual(memory.stored);
  });

  it('Materialized.withStoreType overrides the default for one store', () => {
    const b = new StreamsBuilder();
    b.stream('in', Consumed.with(S, S))
      .groupByKey()
      .count(Materialized.as<string, number>('c').withStoreType(StoreType.ROCKS_DB));
    const d = new TopologyTestDriver(b.build(), { applicationId: 'override' });
    expect(d.getStateStore('c')?.persistent).toBe(true);
    d.close();
  });
});
