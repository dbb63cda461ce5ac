/**
 * KTable-KTable joins beyond the guide's single key: joiner arguments,
 * result timestamps, joins over filtered and mapped tables (read through
 * their value getters), chained joins, old values flowing from a join into a
 * groupBy, materialized results and the names of the join's nodes.
 */
import { describe, expect, it } from 'vitest';
import { Consumed, Grouped, KeyValues, Materialized, Named, Produced, Serdes, StreamsBuilder, TopologyTestDriver } from '../../src/index.js';
import { drain } from './helpers.js';

const S = Serdes.String();
const L = Serdes.Long();
const APP = { applicationId: 'tt' };

describe('KTable-KTable join details', () => {
  it('the joiner gets (left, right, key); the result timestamp is the later of the two sides', () => {
    const calls: string[] = [];
    const b = new StreamsBuilder();
    const l = b.table<string, string>('l', Consumed.with(S, S));
    const r = b.table<string, string>('r', Consumed.with(S, S));
    l.join(r, (lv, rv, key) => {
      calls.push(`${key}:${lv}+${rv}`);
      return `${lv}${rv}`;
    })
      .toStream()
      .to('out', Produced.with(S, S));
    const d = new TopologyTestDriver(b.build(), APP);
    const li = d.createInputTopic('l', S, S);
    const ri = d.createInputTopic('r', S, S);
    ri.pipeInput('k1', 'R', 50);
    li.pipeInput('k1', 'L', 10); // older than the right side: output at 50
    li.pipeInput('k2', 'M', 60);
    ri.pipeInput('k2', 'S', 20); // older than the left side: output at 60
    ri.pipeInput('k1', 'T', 40); // still older than k1's right value before? the new right ts is 40, left 10: output at 40
    expect(calls).toEqual(['k1:L+R', 'k2:M+S', 'k1:L+T']);
    expect(drain(d.createOutputTopic('out', S, S))).toEqual([
      ['k1', 'LR', 50],
      ['k2', 'MS', 60],
      ['k1', 'LT', 40],
    ]);
    d.close();
  });

  it('null keys in either source table are dropped before the join', () => {
    const b = new StreamsBuilder();
    const l = b.table<string, string>('l', Consumed.with(S, S));
    const r = b.table<string, string>('r', Consumed.with(S, S));
    l.outerJoin(r, (a, c) => `${a}|${c}`).toStream().to('out', Produced.with(S, S));
    const d = new TopologyTestDriver(b.build(), APP);
    d.createInputTopic('l', S, S).pipeInput(null, 'x', 1);
    d.createInputTopic('r', S, S).pipeInput(null, 'y', 2);
    expect(d.createOutputTopic('out', S, S).isEmpty()).toBe(true);
    expect(d.droppedRecords()).toBe(2);
    d.close();
  });

  it('a materialized join result is queryable and keeps the result timestamp', () => {
    const b = new StreamsBuilder();
    const l = b.table<string, string>('l', Consumed.with(S, S));
    const r = b.table<string, string>('r', Consumed.with(S, S));
    const joined = l.leftJoin(r, (a, c) => `${a}|${c}`, Materialized.as<string, string>('l-r').withValueSerde(S));
    expect(joined.queryableStoreName()).toBe('l-r');
    const d = new TopologyTestDriver(b.build(), APP);
    d.createInputTopic('l', S, S).pipeInput('k', 'a', 5);
    d.createInputTopic('r', S, S).pipeInput('k', 'b', 9);
    expect(d.getTimestampedKeyValueStore<string, string>('l-r')?.get('k')).toEqual({ value: 'a|b', timestamp: 9 });
    d.createInputTopic('l', S, S).pipeInput('k', null, 11);
    expect(d.getKeyValueStore<string, string>('l-r')?.get('k')).toBeNull();
    expect(d.producedTopicNames()).toEqual(
      new Set(['tt-l-STATE-STORE-0000000000-changelog', 'tt-r-STATE-STORE-0000000003-changelog', 'tt-l-r-changelog']),
    );
    d.close();
  });
});

describe('joins over derived tables and chains', () => {
  function chain(): StreamsBuilder {
    const b = new StreamsBuilder();
    const x = b.table<string, string>('x', Consumed.with(S, S));
    const y = b.table<string, string>('y', Consumed.with(S, S));
    const z = b.table<string, string>('z', Consumed.with(S, S));
    x.filter((_k, v) => !v.startsWith('-'))
      .join(
        y.mapValues((v) => v.toUpperCase()),
        (p, q) => p + q,
      )
      .outerJoin(z, (pq, r) => `${pq}/${r}`, Named.as('xyz'))
      .toStream()
      .to('out', Produced.with(S, S));
    return b;
  }

  it('reads the other side through filter and mapValues views, and old values through the chain', () => {
    const d = new TopologyTestDriver(chain().build(), APP);
    const x = d.createInputTopic('x', S, S);
    const y = d.createInputTopic('y', S, S);
    const z = d.createInputTopic('z', S, S);
    z.pipeInput('k', 'z1', 1);
    x.pipeInput('k', 'x1', 2); // no y yet: the inner join has nothing, the outer join is not triggered
    y.pipeInput('k', 'y1', 3);
    x.pipeInput('k', '-hidden', 4); // filtered out: the inner result goes away, the outer keeps z
    y.pipeInput('k', 'y2', 5); // the left side is filtered out: nothing
    x.pipeInput('k', 'x2', 6);
    z.pipeInput('k', null, 7);
    y.pipeInput('k', null, 8); // both sides of the outer join are now gone
    z.pipeInput('k', 'z2', 9);
    expect(drain(d.createOutputTopic('out', S, S))).toEqual([
      ['k', 'null/z1', 1],
      ['k', 'x1Y1/z1', 3],
      ['k', 'null/z1', 4],
      ['k', 'x2Y2/z1', 6],
      ['k', 'x2Y2/null', 7],
      ['k', null, 8],
      ['k', 'null/z2', 9],
    ]);
    // only the three source tables are materialized
    expect(d.producedTopicNames()).toEqual(
      new Set([
        'tt-x-STATE-STORE-0000000000-changelog',
        'tt-y-STATE-STORE-0000000003-changelog',
        'tt-z-STATE-STORE-0000000006-changelog',
        'out',
      ]),
    );
    d.close();
  });

  it('names the nodes of a named join <name>, <name>-join-this, <name>-join-other', () => {
    const text = chain().build().describe().toString();
    expect(text).toContain('Processor: xyz-join-this (stores: [z-STATE-STORE-0000000006])');
    expect(text).toContain('Processor: xyz-join-other (stores: [x-STATE-STORE-0000000000, y-STATE-STORE-0000000003])');
    // (the order Kafka prints the two parents in is checked in test/topology/describe.test.ts)
    expect(text).toMatch(/Processor: xyz \(stores: \[\]\)\n {6}--> KTABLE-TOSTREAM-0000000017\n {6}<-- xyz-join-(this|other), xyz-join-(other|this)\n/);
    // naming the join still draws numbers for its three nodes: the next generated name is 17
    expect(text).toContain('Processor: KTABLE-TOSTREAM-0000000017 (stores: [])');
  });
});

describe('old values from a join feed a re-aggregation', () => {
  for (const cacheMaxBytes of [undefined, 0]) {
    it(`inventory value = sum of stock x price (cacheMaxBytes ${cacheMaxBytes ?? 'default'})`, () => {
      const b = new StreamsBuilder();
      const stock = b.table<string, number>('stock', Consumed.with(S, L));
      const price = b.table<string, number>('price', Consumed.with(S, L));
      const value = stock.leftJoin(price, (q, p) => (p === null ? 0 : q * p));
      value.toStream().to('values', Produced.with(S, L));
      value
        .groupBy((_item, v) => KeyValues.pair('total', v), Grouped.with(S, L))
        .reduce(
          (a, v) => a + v,
          (a, v) => a - v,
        )
        .toStream()
        .to('total', Produced.with(S, L));
      const d = new TopologyTestDriver(b.build(), cacheMaxBytes === undefined ? APP : { ...APP, cacheMaxBytes });
      const st = d.createInputTopic('stock', S, L);
      const pr = d.createInputTopic('price', S, L);
      st.pipeInput('pen', 10, 5);
      pr.pipeInput('pen', 2, 3);
      st.pipeInput('ink', 4, 7);
      pr.pipeInput('ink', 5, 20);
      st.pipeInput('pen', 1, 8);
      pr.pipeInput('pen', null, 9);
      st.pipeInput('ink', null, 30);
      expect(drain(d.createOutputTopic('values', S, L))).toEqual([
        ['pen', 0, 5],
        ['pen', 20, 5],
        ['ink', 0, 7],
        ['ink', 20, 20],
        ['pen', 2, 8],
        ['pen', 0, 9],
        ['ink', null, 30],
      ]);
      expect(drain(d.createOutputTopic('total', S, L))).toEqual([
        ['total', 0, 5],
        ['total', 20, 5],
        ['total', 20, 7],
        ['total', 40, 20],
        ['total', 22, 20],
        ['total', 20, 20],
        ['total', 0, 30],
      ]);
      d.close();
    });
  }
});
