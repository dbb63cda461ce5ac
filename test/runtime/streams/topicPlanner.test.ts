import { describe, expect, it } from 'vitest';
import { Consumed, CopartitionError, Grouped, Materialized, Repartitioned, Serdes, StreamsBuilder } from '../../../src/index.js';
import { planTopics } from '../../../src/runtime/topics/TopicPlanner.js';
import { TopologyMetadata } from '../../../src/runtime/topics/TopologyMetadata.js';

const S = Serdes.String();

function plan(build: (b: StreamsBuilder) => void, existing: Record<string, number>) {
  const b = new StreamsBuilder();
  build(b);
  const topology = b.build();
  topology.internal.setApplicationId('app');
  const meta = new TopologyMetadata(topology.internal);
  const p = planTopics(meta, topology.internal, new Map(Object.entries(existing)), 1);
  return Object.fromEntries(p.internalTopics.map((t) => [t.name, t.numPartitions]));
}

describe('topic planner (Kafka rules)', () => {
  it('iterates to a fixed point when a repartition topic feeds another', () => {
    const counts = plan(
      (b) =>
        b
          .stream('in', Consumed.with(S, S))
          .groupBy((_k, v) => v, Grouped.with<string, string>(S, S).withName('first'))
          .count(Materialized.as('c1'))
          .toStream()
          .groupBy((k) => k.slice(0, 1), Grouped.with<string, number>(S, Serdes.Long()).withName('second'))
          .count(Materialized.as('c2')),
      { in: 4 },
    );
    expect(counts).toEqual({ 'app-first-repartition': 4, 'app-second-repartition': 4, 'app-c1-changelog': 4, 'app-c2-changelog': 4 });
  });

  it('co-partitions repartition topics of a join with the largest count when no user topic is in the group', () => {
    const counts = plan((b) => {
      const left = b.stream('l', Consumed.with(S, S)).selectKey((_k, v) => v).repartition(Repartitioned.with<string, string>(S, S).withName('left'));
      const right = b.stream('r', Consumed.with(S, S)).selectKey((_k, v) => v).toTable(Materialized.as<string, string>('right-table').withKeySerde(S).withValueSerde(S));
      left.join(right, (a, c) => a + c);
    }, { l: 2, r: 6 });
    expect(counts['app-left-repartition']).toBe(6);
  });

  it('refuses a fixed repartition count that contradicts a co-partitioned user topic', () => {
    expect(() =>
      plan((b) => {
        const t = b.table('users', Consumed.with(S, S));
        b.stream('clicks', Consumed.with(S, S))
          .repartition(Repartitioned.with<string, string>(S, S).withName('fixed').withNumberOfPartitions(5))
          .join(t, (a, c) => a + c);
      }, { users: 3, clicks: 3 }),
    ).toThrow(CopartitionError);
  });
});
