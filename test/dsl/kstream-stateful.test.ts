/**
 * Stateful KStream operations: grouping and aggregation, repartition(),
 * toTable(). Expectations follow Kafka Streams: aggregations drop null keys
 * and values, results carry max(input, previous) timestamps, the record
 * cache compacts updates made while processing one input record, and
 * repartition topics drop null keys unless a left join downstream keeps them.
 */
import { describe, expect, it } from 'vitest';
import {
  Consumed,
  Grouped,
  Joined,
  KeyValues,
  Materialized,
  Produced,
  Repartitioned,
  Serdes,
  StreamsBuilder,
  TopologyTestDriver,
} from '../../src/index.js';
import { drain, storeEntries } from './helpers.js';

const S = Serdes.String();
const L = Serdes.Long();
const APP = { applicationId: 'shop' };
/** A null key typed as a string key, as Java code would return one. */
const NO_KEY = null as unknown as string;

describe('groupByKey + count', () => {
  it('counts per key, output timestamp is the max seen for the key, null keys and values dropped', () => {
    const b = new StreamsBuilder();
    b.stream<string, string>('clicks', Consumed.with(S, S)).groupByKey().count().toStream().to('counts', Produced.with(S, L));
    const d = new TopologyTestDriver(b.build(), APP);
    const clicks = d.createInputTopic('clicks', S, S);
    clicks.pipeInput('home', 'u1', 50);
    clicks.pipeInput('cart', 'u2', 20);
    clicks.pipeInput('home', 'u3', 30); // older than the current aggregate: keeps ts 50
    clicks.pipeInput(null, 'u4', 60);
    clicks.pipeInput('home', null, 70);
    clicks.pipeInput('home', 'u5', 80);
    expect(drain(d.createOutputTopic('counts', S, L))).toEqual([
      ['home', 1, 50],
      ['cart', 1, 20],
      ['home', 2, 50],
      ['home', 3, 80],
    ]);
    expect(d.droppedRecords()).toBe(2);
    // no repartition for groupByKey: only the store's changelog is internal
    expect(d.producedTopicNames()).toEqual(new Set(['shop-KSTREAM-AGGREGATE-STATE-STORE-0000000001-changelog', 'counts']));
    d.close();
  });
});

describe('the record cache and aggregations', () => {
  function build(): StreamsBuilder {
    const b = new StreamsBuilder();
    b.stream<string, string>('letters', Consumed.with(S, S))
      .flatMapValues((v) => (v === null ? [null] : v.split(',')))
      .groupByKey(Grouped.with(S, S))
      .aggregate(
        () => '',
        (_k, v, agg) => agg + v,
        Materialized.as<string, string>('joined-letters').withValueSerde(S),
      )
      .toStream()
      .to('out', Produced.with(S, S));
    return b;
  }

  function pipeAll(d: TopologyTestDriver): void {
    const input = d.createInputTopic('letters', S, S);
    input.pipeInput('k', 'a,b,c', 5);
    input.pipeInput('j', 'd', 3);
    input.pipeInput('k', 'e', 4);
    input.pipeInput(null, 'n', 4);
    input.pipeInput('k', null, 4);
  }

  it('with caching (default), updates of one key within one input record reach downstream once', () => {
    const d = new TopologyTestDriver(build().build(), APP);
    pipeAll(d);
    expect(drain(d.createOutputTopic('out', S, S))).toEqual([
      ['k', 'abc', 5],
      ['j', 'd', 3],
      ['k', 'abce', 5],
    ]);
    const store = d.getTimestampedKeyValueStore<string, string>('joined-letters');
    expect(store?.get('k')).toEqual({ value: 'abce', timestamp: 5 });
    expect(storeEntries(d.getKeyValueStore<string, string>('joined-letters'))).toEqual([
      ['j', 'd'],
      ['k', 'abce'],
    ]);
    d.close();
  });

  it('with cacheMaxBytes 0, every update is forwarded', () => {
    const d = new TopologyTestDriver(build().build(), { ...APP, cacheMaxBytes: 0 });
    pipeAll(d);
    expect(drain(d.createOutputTopic('out', S, S))).toEqual([
      ['k', 'a', 5],
      ['k', 'ab', 5],
      ['k', 'abc', 5],
      ['j', 'd', 3],
      ['k', 'abce', 5],
    ]);
    d.close();
  });

  it('withCachingDisabled on the store forwards every update even with a cache configured', () => {
    const b = new StreamsBuilder();
    b.stream<string, string>('letters', Consumed.with(S, S))
      .flatMapValues((v) => v.split(','))
      .groupByKey(Grouped.with(S, S))
      .count(Materialized.as<string, number>('n').withCachingDisabled())
      .toStream()
      .to('out', Produced.with(S, L));
    const d = new TopologyTestDriver(b.build(), APP);
    d.createInputTopic('letters', S, S).pipeInput('k', 'x,y', 1);
    expect(drain(d.createOutputTopic('out', S, L))).toEqual([
      ['k', 1, 1],
      ['k', 2, 1],
    ]);
    d.close();
  });
});

describe('reduce and aggregate', () => {
  it('reduce starts from the first value and combines (aggregate, value)', () => {
    const b = new StreamsBuilder();
    b.stream<string, number>('amounts', Consumed.with(S, L))
      .groupByKey()
      .reduce((agg, v) => agg * 10 + v)
      .toStream()
      .to('out', Produced.with(S, L));
    const d = new TopologyTestDriver(b.build(), APP);
    const input = d.createInputTopic('amounts', S, L);
    input.pipeInput('a', 5, 10);
    input.pipeInput('a', 7, 4);
    input.pipeInput('b', 1, 2);
    input.pipeInput('a', 1, 20);
    expect(drain(d.createOutputTopic('out', S, L))).toEqual([
      ['a', 5, 10],
      ['a', 57, 10],
      ['b', 1, 2],
      ['a', 571, 20],
    ]);
    expect(d.producedTopicNames()).toEqual(new Set(['shop-KSTREAM-REDUCE-STATE-STORE-0000000001-changelog', 'out']));
    d.close();
  });

  it('aggregate gets (key, value, aggregate), and its named store is queryable', () => {
    const b = new StreamsBuilder();
    const seen: string[] = [];
    b.stream<string, string>('words', Consumed.with(S, S))
      .groupByKey()
      .aggregate(
        () => 100,
        (k, v, agg) => {
          seen.push(`${k}|${v}|${agg}`);
          return agg + v.length;
        },
        Materialized.as<string, number>('lengths').withValueSerde(L),
      );
    const d = new TopologyTestDriver(b.build(), APP);
    const input = d.createInputTopic('words', S, S);
    input.pipeInput('x', 'abc', 1);
    input.pipeInput('x', 'de', 2);
    expect(seen).toEqual(['x|abc|100', 'x|de|103']);
    expect(d.getKeyValueStore<string, number>('lengths')?.get('x')).toBe(105);
    expect(d.producedTopicNames()).toEqual(new Set(['shop-lengths-changelog']));
    d.close();
  });

  it('withLoggingDisabled leaves no changelog topic', () => {
    const b = new StreamsBuilder();
    b.stream<string, string>('words', Consumed.with(S, S))
      .groupByKey()
      .count(Materialized.as<string, number>('quiet').withLoggingDisabled());
    const d = new TopologyTestDriver(b.build(), APP);
    d.createInputTopic('words', S, S).pipeInput('x', 'y', 1);
    expect(d.producedTopicNames()).toEqual(new Set());
    expect(d.getKeyValueStore<string, number>('quiet')?.get('x')).toBe(1);
    d.close();
  });
});

describe('groupBy (repartitioning)', () => {
  it('goes through <app>-<store>-repartition and drops records whose new key is null before the topic', () => {
    const b = new StreamsBuilder();
    b.stream<string, string>('in', Consumed.with(S, S))
      .groupBy((_k, v) => (v === 'none' ? NO_KEY : v), Grouped.with(S, S))
      .count()
      .toStream()
      .to('out', Produced.with(S, L));
    const d = new TopologyTestDriver(b.build(), APP);
    const input = d.createInputTopic('in', S, S);
    input.pipeInput('k', 'none', 5);
    // Kafka's repartition filter removed the record: nothing was written anywhere
    expect(d.producedTopicNames()).toEqual(new Set());
    input.pipeInput('k', 'x', 6);
    expect(d.producedTopicNames()).toEqual(
      new Set([
        'shop-KSTREAM-AGGREGATE-STATE-STORE-0000000002-repartition',
        'shop-KSTREAM-AGGREGATE-STATE-STORE-0000000002-changelog',
        'out',
      ]),
    );
    expect(drain(d.createOutputTopic('shop-KSTREAM-AGGREGATE-STATE-STORE-0000000002-repartition', S, S))).toEqual([['x', 'x', 6]]);
    expect(drain(d.createOutputTopic('out', S, L))).toEqual([['x', 1, 6]]);
    d.close();
  });

  it('a named grouping shares one repartition topic between its aggregations', () => {
    const b = new StreamsBuilder();
    const grouped = b
      .stream<string, string>('in', Consumed.with(S, S))
      .groupBy((_k, v) => v.slice(0, 1), Grouped.as<string, string>('by-initial').withKeySerde(S).withValueSerde(S));
    grouped.count(Materialized.as<string, number>('initial-count')).toStream().to('counts', Produced.with(S, L));
    grouped
      .reduce((a, v) => (v.length > a.length ? v : a), Materialized.as<string, string>('longest'))
      .toStream()
      .to('longest', Produced.with(S, S));
    const d = new TopologyTestDriver(b.build(), APP);
    const input = d.createInputTopic('in', S, S);
    input.pipeInput('1', 'apple', 1);
    input.pipeInput('2', 'avocado', 2);
    input.pipeInput('3', 'banana', 3);
    expect(d.producedTopicNames()).toEqual(
      new Set(['shop-by-initial-repartition', 'shop-initial-count-changelog', 'shop-longest-changelog', 'counts', 'longest']),
    );
    expect(drain(d.createOutputTopic('counts', S, L))).toEqual([
      ['a', 1, 1],
      ['a', 2, 2],
      ['b', 1, 3],
    ]);
    expect(drain(d.createOutputTopic('longest', S, S))).toEqual([
      ['a', 'apple', 1],
      ['a', 'avocado', 2],
      ['b', 'banana', 3],
    ]);
    d.close();
  });

  it('groupByKey after a key change repartitions too', () => {
    const b = new StreamsBuilder();
    b.stream<string, string>('in', Consumed.with(S, S))
      .map((k, v) => KeyValues.pair(v, k))
      .groupByKey(Grouped.with(S, S))
      .count()
      .toStream()
      .to('out', Produced.with(S, L));
    const d = new TopologyTestDriver(b.build(), APP);
    const input = d.createInputTopic('in', S, S);
    input.pipeInput('u1', 'red', 1);
    input.pipeInput('u2', 'red', 2);
    expect(drain(d.createOutputTopic('out', S, L))).toEqual([
      ['red', 1, 1],
      ['red', 2, 2],
    ]);
    expect(d.producedTopicNames().has('shop-KSTREAM-AGGREGATE-STATE-STORE-0000000002-repartition')).toBe(true);
    d.close();
  });
});

describe('repartition()', () => {
  it('an unnamed repartition uses KSTREAM-REPARTITION-<n>-repartition and drops null keys', () => {
    const b = new StreamsBuilder();
    b.stream<string, string>('in', Consumed.with(S, S))
      .selectKey((_k, v) => (v === 'none' ? NO_KEY : v))
      .repartition(Repartitioned.with(S, S))
      .to('out', Produced.with(S, S));
    const d = new TopologyTestDriver(b.build(), APP);
    const input = d.createInputTopic('in', S, S);
    input.pipeInput('k', 'none', 5);
    input.pipeInput('k', 'x', 6);
    expect(d.producedTopicNames()).toEqual(new Set(['shop-KSTREAM-REPARTITION-0000000002-repartition', 'out']));
    expect(drain(d.createOutputTopic('out', S, S))).toEqual([['x', 'x', 6]]);
    d.close();
  });

  it('a named repartition uses <app>-<name>-repartition and keeps value, key and timestamp', () => {
    const b = new StreamsBuilder();
    b.stream<string, string>('in', Consumed.with(S, S))
      .repartition(Repartitioned.as<string, string>('reshuffle').withNumberOfPartitions(3))
      .to('out', Produced.with(S, S));
    const d = new TopologyTestDriver(b.build(), APP);
    d.createInputTopic('in', S, S).pipeInput('k', 'v', 77);
    expect(d.producedTopicNames()).toEqual(new Set(['shop-reshuffle-repartition', 'out']));
    expect(drain(d.createOutputTopic('out', S, S))).toEqual([['k', 'v', 77]]);
    d.close();
  });

  it('null keys survive the repartition topic when a stream-table left join follows', () => {
    const b = new StreamsBuilder();
    const table = b.table<string, string>('tbl', Consumed.with(S, S));
    b.stream<string, string>('in', Consumed.with(S, S))
      .selectKey((_k, v) => (v === 'none' ? NO_KEY : v))
      .leftJoin(table, (v, tv) => `${v}+${tv}`, Joined.with(S, S, S))
      .to('out', Produced.with(S, S));
    const d = new TopologyTestDriver(b.build(), APP);
    d.createInputTopic('tbl', S, S).pipeInput('x', 'X', 1);
    const input = d.createInputTopic('in', S, S);
    input.pipeInput('k', 'none', 5);
    input.pipeInput('k', 'x', 6);
    expect(drain(d.createOutputTopic('out', S, S))).toEqual([
      [null, 'none+null', 5],
      ['x', 'x+X', 6],
    ]);
    expect(d.producedTopicNames()).toEqual(
      new Set(['shop-tbl-STATE-STORE-0000000000-changelog', 'shop-KSTREAM-KEY-SELECT-0000000004-repartition', 'out']),
    );
    d.close();
  });

  it('an inner join downstream does not keep null keys', () => {
    const b = new StreamsBuilder();
    const table = b.table<string, string>('tbl', Consumed.with(S, S));
    b.stream<string, string>('in', Consumed.with(S, S))
      .selectKey((_k, v) => (v === 'none' ? NO_KEY : v))
      .join(table, (v, tv) => `${v}+${tv}`, Joined.with(S, S, S))
      .to('out', Produced.with(S, S));
    const d = new TopologyTestDriver(b.build(), APP);
    d.createInputTopic('in', S, S).pipeInput('k', 'none', 5);
    // dropped by the repartition filter, not by the join
    expect(d.producedTopicNames()).toEqual(new Set());
    expect(d.droppedRecords()).toBe(0);
    d.close();
  });
});

describe('toTable()', () => {
  function pipeUpdates(d: TopologyTestDriver): void {
    const input = d.createInputTopic('in', S, S);
    input.pipeInput('ghost', null, 1);
    input.pipeInput('a', '1', 2);
    input.pipeInput(null, 'n', 3);
    input.pipeInput('a', '2', 1);
    input.pipeInput('a', null, 4);
    input.pipeInput('a', null, 5);
  }

  it('unmaterialized, it forwards every update, tombstones of unknown keys included; null keys dropped', () => {
    const b = new StreamsBuilder();
    b.stream<string, string>('in', Consumed.with(S, S)).toTable().toStream().to('out', Produced.with(S, S));
    const d = new TopologyTestDriver(b.build(), APP);
    pipeUpdates(d);
    expect(drain(d.createOutputTopic('out', S, S))).toEqual([
      ['ghost', null, 1],
      ['a', '1', 2],
      ['a', '2', 1],
      ['a', null, 4],
      ['a', null, 5],
    ]);
    expect(d.producedTopicNames()).toEqual(new Set(['out']));
    d.close();
  });

  it('materialized (cached), a delete of a missing key is not forwarded', () => {
    const b = new StreamsBuilder();
    b.stream<string, string>('in', Consumed.with(S, S))
      .toTable(Materialized.as<string, string>('latest'))
      .toStream()
      .to('out', Produced.with(S, S));
    const d = new TopologyTestDriver(b.build(), APP);
    pipeUpdates(d);
    expect(drain(d.createOutputTopic('out', S, S))).toEqual([
      ['a', '1', 2],
      ['a', '2', 1],
      ['a', null, 4],
    ]);
    expect(d.producedTopicNames()).toEqual(new Set(['shop-latest-changelog', 'out']));
    expect(d.getKeyValueStore<string, string>('latest')?.get('a')).toBeNull();
    d.close();
  });

  it('after a key change it repartitions through <toTable name>-repartition', () => {
    const b = new StreamsBuilder();
    b.stream<string, string>('in', Consumed.with(S, S))
      .selectKey((_k, v) => v)
      .toTable(Materialized.with(S, S))
      .toStream()
      .to('out', Produced.with(S, S));
    const d = new TopologyTestDriver(b.build(), APP);
    d.createInputTopic('in', S, S).pipeInput('k', 'v', 5);
    expect(d.producedTopicNames()).toEqual(new Set(['shop-KSTREAM-TOTABLE-0000000002-repartition', 'out']));
    expect(drain(d.createOutputTopic('out', S, S))).toEqual([['v', 'v', 5]]);
    d.close();
  });
});
