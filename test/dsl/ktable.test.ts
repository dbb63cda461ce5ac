/**
 * KTable basics: sources, filter/filterNot, mapValues, toStream, and how
 * materialization and the record cache change what reaches downstream.
 * Kafka's rules: a table source drops null keys and is materialized only
 * when asked (or when a downstream operator needs it); filtered-out
 * updates become tombstones; a cached store does not forward a tombstone for
 * a key it never had; a filter below a materialized table gets old values
 * and skips "absent before and after" updates (KTableFilter's constructor).
 */
import { describe, expect, it } from 'vitest';
import { Consumed, Materialized, Named, Produced, Serdes, StreamsBuilder, TopologyTestDriver, type KTable } from '../../src/index.js';
import { drain } from './helpers.js';

const S = Serdes.String();
const L = Serdes.Long();
const APP = { applicationId: 'inventory' };

/** The same stock updates for every variant: unknown-key delete, crossings of the threshold, a null key. */
function pipeStock(d: TopologyTestDriver): void {
  const stock = d.createInputTopic('stock', S, L);
  stock.pipeInput('ghost', null, 1);
  stock.pipeInput('a', 3, 2);
  stock.pipeInput('a', 12, 3);
  stock.pipeInput('a', 15, 4);
  stock.pipeInput('a', 4, 5);
  stock.pipeInput(null, 40, 6);
  stock.pipeInput('b', 20, 7);
  stock.pipeInput('b', null, 8);
  stock.pipeInput('b', null, 9);
}

function build(sourceMaterialized: boolean, filterMaterialized: boolean): StreamsBuilder {
  const b = new StreamsBuilder();
  const t: KTable<string, number> = sourceMaterialized
    ? b.table('stock', Consumed.with(S, L), Materialized.as<string, number>('stock-store'))
    : b.table('stock', Consumed.with(S, L));
  const plenty = filterMaterialized
    ? t.filter((_k, v) => v >= 10, Materialized.as<string, number>('plenty').withValueSerde(L))
    : t.filter((_k, v) => v >= 10);
  plenty.toStream().to('plenty-out', Produced.with(S, L));
  t.filterNot((_k, v) => v >= 10)
    .toStream()
    .to('scarce-out', Produced.with(S, L));
  return b;
}

describe('KTable filter over an unmaterialized source', () => {
  it('every update is forwarded; filtered-out ones (and unknown-key deletes) as tombstones', () => {
    const d = new TopologyTestDriver(build(false, false).build(), APP);
    pipeStock(d);
    expect(drain(d.createOutputTopic('plenty-out', S, L))).toEqual([
      ['ghost', null, 1],
      ['a', null, 2],
      ['a', 12, 3],
      ['a', 15, 4],
      ['a', null, 5],
      ['b', 20, 7],
      ['b', null, 8],
      ['b', null, 9],
    ]);
    expect(drain(d.createOutputTopic('scarce-out', S, L))).toEqual([
      ['ghost', null, 1],
      ['a', 3, 2],
      ['a', null, 3],
      ['a', null, 4],
      ['a', 4, 5],
      ['b', null, 7],
      ['b', null, 8],
      ['b', null, 9],
    ]);
    expect(d.droppedRecords()).toBe(1); // the null key
    expect(d.producedTopicNames()).toEqual(new Set(['plenty-out', 'scarce-out']));
    d.close();
  });

  it('a materialized filter (cached) drops tombstones for keys it never held, and is queryable', () => {
    const d = new TopologyTestDriver(build(false, true).build(), APP);
    pipeStock(d);
    expect(drain(d.createOutputTopic('plenty-out', S, L))).toEqual([
      ['a', 12, 3],
      ['a', 15, 4],
      ['a', null, 5],
      ['b', 20, 7],
      ['b', null, 8],
    ]);
    const store = d.getKeyValueStore<string, number>('plenty');
    expect(store?.get('a')).toBeNull();
    expect(store?.get('b')).toBeNull();
    d.createInputTopic('stock', S, L).pipeInput('c', 11, 10);
    expect(d.getTimestampedKeyValueStore<string, number>('plenty')?.get('c')).toEqual({ value: 11, timestamp: 10 });
    expect(d.producedTopicNames()).toEqual(new Set(['plenty-out', 'scarce-out', 'inventory-plenty-changelog']));
    d.close();
  });

  // Kafka's InternalTopologyBuilder.rewriteTopology strips the caching layer
  // from every store when the cache size is 0, so nothing suppresses deletes
  // of keys the store never held.
  it('the same materialized filter without a cache forwards every tombstone', () => {
    const d = new TopologyTestDriver(build(false, true).build(), { ...APP, cacheMaxBytes: 0 });
    pipeStock(d);
    expect(drain(d.createOutputTopic('plenty-out', S, L))).toEqual([
      ['ghost', null, 1],
      ['a', null, 2],
      ['a', 12, 3],
      ['a', 15, 4],
      ['a', null, 5],
      ['b', 20, 7],
      ['b', null, 8],
      ['b', null, 9],
    ]);
    d.close();
  });
});

describe('KTable filter over a materialized source', () => {
  for (const cacheMaxBytes of [undefined, 0]) {
    it(`skips updates absent before and after (cacheMaxBytes ${cacheMaxBytes ?? 'default'})`, () => {
      const d = new TopologyTestDriver(build(true, false).build(), { ...APP, ...(cacheMaxBytes === undefined ? {} : { cacheMaxBytes }) });
      pipeStock(d);
      expect(drain(d.createOutputTopic('plenty-out', S, L))).toEqual([
        ['a', 12, 3],
        ['a', 15, 4],
        ['a', null, 5],
        ['b', 20, 7],
        ['b', null, 8],
      ]);
      expect(drain(d.createOutputTopic('scarce-out', S, L))).toEqual([
        ['a', 3, 2],
        ['a', null, 3],
        ['a', 4, 5],
      ]);
      expect(d.getKeyValueStore<string, number>('stock-store')?.get('a')).toBe(4);
      d.close();
    });
  }

  it('a filter over a count (always materialized) emits no tombstones for counts never shown', () => {
    const b = new StreamsBuilder();
    b.stream<string, string>('visits', Consumed.with(S, S))
      .groupByKey()
      .count()
      .filter((_k, n) => n >= 3)
      .toStream()
      .to('regulars', Produced.with(S, L));
    const d = new TopologyTestDriver(b.build(), APP);
    const visits = d.createInputTopic('visits', S, S);
    for (let i = 1; i <= 4; i++) visits.pipeInput('ann', 'x', i);
    visits.pipeInput('bob', 'x', 9);
    expect(drain(d.createOutputTopic('regulars', S, L))).toEqual([
      ['ann', 3, 3],
      ['ann', 4, 4],
    ]);
    d.close();
  });
});

describe('KTable mapValues and toStream', () => {
  it('mapValues gets (value, key); deletes stay deletes without calling the mapper', () => {
    const calls: string[] = [];
    const b = new StreamsBuilder();
    b.table<string, string>('names', Consumed.with(S, S))
      .mapValues((v, k) => {
        calls.push(`${k}:${v}`);
        return v.length;
      })
      .toStream()
      .to('lengths', Produced.with(S, L));
    const d = new TopologyTestDriver(b.build(), APP);
    const names = d.createInputTopic('names', S, S);
    names.pipeInput('u1', 'Ada', 5);
    names.pipeInput('u1', null, 6);
    names.pipeInput('u2', 'Grace', 7);
    expect(calls).toEqual(['u1:Ada', 'u2:Grace']);
    expect(drain(d.createOutputTopic('lengths', S, L))).toEqual([
      ['u1', 3, 5],
      ['u1', null, 6],
      ['u2', 5, 7],
    ]);
    d.close();
  });

  it('a materialized mapValues is queryable, and a mapper returning null deletes', () => {
    const b = new StreamsBuilder();
    const mapped = b
      .table<string, string>('names', Consumed.with(S, S))
      .mapValues((v) => (v === 'hide' ? (null as unknown as number) : v.length), Materialized.as<string, number>('name-lengths').withValueSerde(L));
    expect(mapped.queryableStoreName()).toBe('name-lengths');
    mapped.toStream().to('lengths', Produced.with(S, L));
    const d = new TopologyTestDriver(b.build(), APP);
    const names = d.createInputTopic('names', S, S);
    names.pipeInput('u1', 'Ada', 5);
    names.pipeInput('u1', 'hide', 6);
    names.pipeInput('u2', 'hide', 7); // never held: the cache forwards nothing
    expect(drain(d.createOutputTopic('lengths', S, L))).toEqual([
      ['u1', 3, 5],
      ['u1', null, 6],
    ]);
    expect(d.getKeyValueStore<string, number>('name-lengths')?.get('u1')).toBeNull();
    d.close();
  });

  it('queryableStoreName is null unless the table is materialized under a name', () => {
    const b = new StreamsBuilder();
    const t = b.table<string, string>('t1', Consumed.with(S, S));
    expect(t.queryableStoreName()).toBeNull();
    expect(t.filter(() => true).queryableStoreName()).toBeNull();
    expect(t.mapValues((v) => v, Named.as('mv')).queryableStoreName()).toBeNull();
    expect(b.table<string, string>('t2', Materialized.as<string, string>('t2-store')).queryableStoreName()).toBe('t2-store');
  });

  it('a source table named with Materialized is read through the cache: one output per input record', () => {
    const b = new StreamsBuilder();
    b.table<string, string>('names', Consumed.with(S, S), Materialized.as<string, string>('names-store'))
      .toStream()
      .to('out', Produced.with(S, S));
    const d = new TopologyTestDriver(b.build(), APP);
    const names = d.createInputTopic('names', S, S);
    names.pipeInput('u1', 'x', 1);
    names.pipeInput('u1', 'y', 2);
    names.pipeInput('u9', null, 3);
    names.pipeInput('u1', null, 4);
    expect(drain(d.createOutputTopic('out', S, S))).toEqual([
      ['u1', 'x', 1],
      ['u1', 'y', 2],
      ['u1', null, 4],
    ]);
    expect(d.producedTopicNames()).toEqual(new Set(['inventory-names-store-changelog', 'out']));
    d.close();
  });
});
