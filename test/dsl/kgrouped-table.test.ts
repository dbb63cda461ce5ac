/**
 * KTable.groupBy -> KGroupedTable count/reduce/aggregate. Kafka's rules
 * (KTableRepartitionMap, KTableAggregate, KTableReduce): an update sends the
 * old value to its old group to be subtracted and the new value to its new
 * group to be added (as one change when both groups are the same); pairs
 * with a null key or value are skipped; the subtractor runs before the
 * adder; a count that reaches 0 stays 0 (no tombstone); result timestamps
 * are max(update, previous aggregate).
 */
import { describe, expect, it } from 'vitest';
import { Consumed, Grouped, KeyValues, Materialized, Named, Produced, Serdes, StreamsBuilder, TopologyTestDriver } from '../../src/index.js';
import { drain } from './helpers.js';

const S = Serdes.String();
const L = Serdes.Long();
const APP = { applicationId: 'regions' };
const NO_KEY = null as unknown as string;

function regionsTopology(): StreamsBuilder {
  const b = new StreamsBuilder();
  const byRegion = b
    .table<string, string>('users', Consumed.with(S, S))
    .groupBy((user, region) => KeyValues.pair(region === 'nowhere' ? NO_KEY : region, user), Grouped.with(S, S));
  byRegion.count().toStream().to('counts', Produced.with(S, L));
  byRegion
    .reduce(
      (members, user) => (members === '' ? user : `${members},${user}`),
      (members, user) =>
        members
          .split(',')
          .filter((m, i, all) => m !== user || all.indexOf(user) !== i)
          .join(','),
      Materialized.as<string, string>('members'),
    )
    .toStream()
    .to('members', Produced.with(S, S));
  byRegion
    .aggregate(
      () => 0,
      (_region, user, letters) => letters + user.length,
      (_region, user, letters) => letters - user.length,
      Materialized.with(S, L),
    )
    .toStream()
    .to('letters', Produced.with(S, L));
  return b;
}

function moveUsers(d: TopologyTestDriver): void {
  const users = d.createInputTopic('users', S, S);
  users.pipeInput('alice', 'EU', 10);
  users.pipeInput('bob', 'EU', 20);
  users.pipeInput('carol', 'US', 30);
  users.pipeInput('alice', 'US', 40); // moves: EU loses her, US gains her
  users.pipeInput('bob', null, 50); // leaves
  users.pipeInput('carol', 'US', 25); // same region again: one change, subtract then add
  users.pipeInput('dave', 'nowhere', 60); // mapper gives a null key: skipped
  users.pipeInput('dave', 'EU', 70); // the old pair had a null key: only the add goes out
  users.pipeInput('zed', null, 80); // delete of an unknown user
}

describe('users per region (KGroupedTable with adder and subtractor)', () => {
  for (const cacheMaxBytes of [undefined, 0]) {
    const config = cacheMaxBytes === undefined ? APP : { ...APP, cacheMaxBytes };
    const label = `cacheMaxBytes ${cacheMaxBytes ?? 'default'}`;

    it(`count follows users as they move (${label})`, () => {
      const d = new TopologyTestDriver(regionsTopology().build(), config);
      moveUsers(d);
      expect(drain(d.createOutputTopic('counts', S, L))).toEqual([
        ['EU', 1, 10],
        ['EU', 2, 20],
        ['US', 1, 30],
        ['EU', 1, 40],
        ['US', 2, 40],
        ['EU', 0, 50],
        ['US', 2, 40],
        ['EU', 1, 70],
      ]);
      d.close();
    });

    it(`reduce and aggregate see the same subtract-then-add sequence (${label})`, () => {
      const d = new TopologyTestDriver(regionsTopology().build(), config);
      moveUsers(d);
      expect(drain(d.createOutputTopic('members', S, S))).toEqual([
        ['EU', 'alice', 10],
        ['EU', 'alice,bob', 20],
        ['US', 'carol', 30],
        ['EU', 'bob', 40],
        ['US', 'carol,alice', 40],
        ['EU', '', 50],
        ['US', 'alice,carol', 40],
        ['EU', 'dave', 70],
      ]);
      expect(drain(d.createOutputTopic('letters', S, L))).toEqual([
        ['EU', 5, 10],
        ['EU', 8, 20],
        ['US', 5, 30],
        ['EU', 3, 40],
        ['US', 10, 40],
        ['EU', 0, 50],
        ['US', 10, 40],
        ['EU', 4, 70],
      ]);
      expect(d.getKeyValueStore<string, string>('members')?.get('US')).toBe('alice,carol');
      d.close();
    });
  }

  it('writes changes to <app>-<store or grouping name>-repartition topics and changelogs', () => {
    const d = new TopologyTestDriver(regionsTopology().build(), APP);
    moveUsers(d);
    expect(d.producedTopicNames()).toEqual(
      new Set([
        'regions-users-STATE-STORE-0000000000-changelog',
        'regions-KTABLE-AGGREGATE-STATE-STORE-0000000004-repartition',
        'regions-KTABLE-AGGREGATE-STATE-STORE-0000000004-changelog',
        'regions-members-repartition',
        'regions-members-changelog',
        'regions-KTABLE-AGGREGATE-STATE-STORE-0000000015-repartition',
        'regions-KTABLE-AGGREGATE-STATE-STORE-0000000015-changelog',
        'counts',
        'members',
        'letters',
      ]),
    );
    d.close();
  });
});

describe('KGroupedTable reduce to null and naming', () => {
  it('a reduce whose subtractor returns null deletes the group, and the table forwards a tombstone', () => {
    const b = new StreamsBuilder();
    b.table<string, number>('scores', Consumed.with(S, L))
      .groupBy((player, score) => KeyValues.pair(player.slice(0, 1), score), Grouped.with(S, L))
      .reduce(
        (a, v) => a + v,
        (a, v) => (a - v === 0 ? (null as unknown as number) : a - v),
        Materialized.as<string, number>('team-total'),
      )
      .toStream()
      .to('totals', Produced.with(S, L));
    const d = new TopologyTestDriver(b.build(), APP);
    const scores = d.createInputTopic('scores', S, L);
    scores.pipeInput('r1', 4, 1);
    scores.pipeInput('r2', 6, 2);
    scores.pipeInput('r1', null, 3);
    scores.pipeInput('r2', null, 4);
    scores.pipeInput('r2', 7, 5);
    expect(drain(d.createOutputTopic('totals', S, L))).toEqual([
      ['r', 4, 1],
      ['r', 10, 2],
      ['r', 6, 3],
      ['r', null, 4],
      ['r', 7, 5],
    ]);
    expect(d.getKeyValueStore<string, number>('team-total')?.get('r')).toBe(7);
    d.close();
  });

  it('Grouped.as names the repartition topic; Named names the sink, source and aggregate nodes', () => {
    const b = new StreamsBuilder();
    b.table<string, string>('users', Consumed.with(S, S))
      .groupBy((u, r) => KeyValues.pair(r, u), Grouped.as<string, string>('by-region').withKeySerde(S).withValueSerde(S))
      .count(Named.as('region-count'), Materialized.as<string, number>('region-counts'))
      .toStream()
      .to('out', Produced.with(S, L));
    const topo = b.build();
    const text = topo.describe().toString();
    expect(text).toContain('Sink: region-count-sink (topic: by-region-repartition)');
    expect(text).toContain('Source: region-count-source (topics: [by-region-repartition])');
    expect(text).toContain('Processor: region-count (stores: [region-counts])');
    const d = new TopologyTestDriver(topo, APP);
    d.createInputTopic('users', S, S).pipeInput('u', 'EU', 1);
    expect(drain(d.createOutputTopic('out', S, L))).toEqual([['EU', 1, 1]]);
    expect(d.producedTopicNames().has('regions-by-region-repartition')).toBe(true);
    d.close();
  });
});
