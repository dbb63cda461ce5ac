/**
 * End-to-end scenarios with their own data: word count, orders enriched
 * with customers, spend per customer tier (a repartitioning groupBy after a
 * join), and late events, checking keys, values, timestamps and order as
 * Kafka Streams' TopologyTestDriver would produce them.
 */
import { describe, expect, it } from 'vitest';
import { Consumed, Grouped, Joined, Materialized, Produced, Serdes, StreamsBuilder, TopologyTestDriver } from '../../src/index.js';
import { drain } from './helpers.js';

const S = Serdes.String();
const L = Serdes.Long();

describe('word count', () => {
  function wordCount(): StreamsBuilder {
    const b = new StreamsBuilder();
    b.stream<string, string>('poems', Consumed.with(S, S))
      .flatMapValues((line) => line.toLowerCase().split(/[^a-z']+/).filter((w) => w.length > 0))
      .groupBy((_k, word) => word, Grouped.with(S, S))
      .count(Materialized.as<string, number>('word-counts'))
      .toStream()
      .to('word-counts-out', Produced.with(S, L));
    return b;
  }

  it('emits a running count per word, one update per word occurrence', () => {
    const d = new TopologyTestDriver(wordCount().build(), { applicationId: 'wc' });
    const poems = d.createInputTopic('poems', S, S);
    poems.pipeInput('l1', 'Rain on the roof', 1000);
    poems.pipeInput('l2', 'the RAIN, the rain!', 2000);
    poems.pipeInput(null, 'Roof', 1500);
    expect(drain(d.createOutputTopic('word-counts-out', S, L))).toEqual([
      ['rain', 1, 1000],
      ['on', 1, 1000],
      ['the', 1, 1000],
      ['roof', 1, 1000],
      ['the', 2, 2000],
      ['rain', 2, 2000],
      ['the', 3, 2000],
      ['rain', 3, 2000],
      ['roof', 2, 1500],
    ]);
    const store = d.getKeyValueStore<string, number>('word-counts');
    expect(store?.get('rain')).toBe(3);
    expect(store?.get('snow')).toBeNull();
    expect(d.producedTopicNames()).toEqual(new Set(['wc-word-counts-repartition', 'wc-word-counts-changelog', 'word-counts-out']));
    d.close();
  });

  it('readKeyValuesToMap keeps the last count per word', () => {
    const d = new TopologyTestDriver(wordCount().build(), { applicationId: 'wc' });
    d.createInputTopic('poems', S, S).pipeValueList(['a b a', 'b c', 'a']);
    expect(d.createOutputTopic('word-counts-out', S, L).readKeyValuesToMap()).toEqual(
      new Map([
        ['a', 3],
        ['b', 2],
        ['c', 1],
      ]),
    );
    d.close();
  });
});

interface Customer {
  name: string;
  tier: string;
}
interface Order {
  customer: string;
  amount: number;
}
interface Enriched {
  order: string;
  customer: string;
  name: string | null;
  tier: string | null;
  amount: number;
}

function ordersTopology(): StreamsBuilder {
  const b = new StreamsBuilder();
  const customers = b.table<string, Customer>('customers', Consumed.with(S, Serdes.JSON<Customer>()));
  const orders = b.stream<string, Order>('orders', Consumed.with(S, Serdes.JSON<Order>()));
  const enriched = orders
    .selectKey((_orderId, o) => o.customer)
    .leftJoin(
      customers,
      (o: Order, c: Customer | null, customerId: string): Enriched => ({
        order: '',
        customer: customerId,
        name: c?.name ?? null,
        tier: c?.tier ?? null,
        amount: o.amount,
      }),
      // selectKey dropped the key serde, as in Kafka: the repartition topic needs one
      Joined.with(S, Serdes.JSON<Order>(), Serdes.JSON<Customer>()),
    );
  enriched.to('enriched', Produced.with(S, Serdes.JSON<Enriched>()));
  enriched
    .filter((_k, e) => e.tier !== null)
    .groupBy((_k, e) => e.tier as string, Grouped.with(S, Serdes.JSON<Enriched>()).withName('by-tier'))
    .aggregate(
      () => 0,
      (_tier, e, total) => total + e.amount,
      Materialized.as<string, number>('spend-per-tier').withValueSerde(L),
    )
    .toStream()
    .to('spend', Produced.with(S, L));
  return b;
}

describe('orders enriched with customers', () => {
  it('joins each order with the customer as of the order, and sums spend per tier', () => {
    const d = new TopologyTestDriver(ordersTopology().build(), { applicationId: 'shop' });
    const customers = d.createInputTopic('customers', S, Serdes.JSON<Customer>());
    const orders = d.createInputTopic('orders', S, Serdes.JSON<Order>());
    customers.pipeInput('c1', { name: 'Ada', tier: 'gold' }, 100);
    customers.pipeInput('c2', { name: 'Bo', tier: 'basic' }, 110);
    orders.pipeInput('o1', { customer: 'c1', amount: 30 }, 200);
    orders.pipeInput('o2', { customer: 'c2', amount: 5 }, 210);
    orders.pipeInput('o3', { customer: 'c9', amount: 7 }, 220); // unknown customer
    customers.pipeInput('c2', { name: 'Bo', tier: 'gold' }, 230); // upgrade: later orders count as gold
    orders.pipeInput('o4', { customer: 'c2', amount: 12 }, 240);
    customers.pipeInput('c1', null, 250); // customer deleted
    orders.pipeInput('o5', { customer: 'c1', amount: 1 }, 260);

    const enriched = drain(d.createOutputTopic('enriched', S, Serdes.JSON<Enriched>()));
    expect(enriched).toEqual([
      ['c1', { order: '', customer: 'c1', name: 'Ada', tier: 'gold', amount: 30 }, 200],
      ['c2', { order: '', customer: 'c2', name: 'Bo', tier: 'basic', amount: 5 }, 210],
      ['c9', { order: '', customer: 'c9', name: null, tier: null, amount: 7 }, 220],
      ['c2', { order: '', customer: 'c2', name: 'Bo', tier: 'gold', amount: 12 }, 240],
      ['c1', { order: '', customer: 'c1', name: null, tier: null, amount: 1 }, 260],
    ]);
    expect(drain(d.createOutputTopic('spend', S, L))).toEqual([
      ['gold', 30, 200],
      ['basic', 5, 210],
      ['gold', 42, 240],
    ]);
    expect(d.getKeyValueStore<string, number>('spend-per-tier')?.get('gold')).toBe(42);
    // the join needs a repartition (key changed), the grouping another one
    expect(d.producedTopicNames()).toEqual(
      new Set([
        'shop-customers-STATE-STORE-0000000000-changelog',
        'shop-KSTREAM-KEY-SELECT-0000000004-repartition',
        'shop-by-tier-repartition',
        'shop-spend-per-tier-changelog',
        'enriched',
        'spend',
      ]),
    );
    d.close();
  });
});

describe('output timestamps across operators', () => {
  it('late events keep their own time downstream of stateless steps, but not in aggregates', () => {
    const b = new StreamsBuilder();
    const events = b.stream<string, string>('events', Consumed.with(S, S));
    events.mapValues((v) => v.toUpperCase()).to('upper', Produced.with(S, S));
    events.groupByKey().count().toStream().to('counts', Produced.with(S, L));
    const table = b.table<string, string>('labels', Consumed.with(S, S));
    events.join(table, (v, label) => `${v}:${label}`).to('labelled', Produced.with(S, S));
    const d = new TopologyTestDriver(b.build(), { applicationId: 'late' });
    const labels = d.createInputTopic('labels', S, S);
    const ev = d.createInputTopic('events', S, S);
    labels.pipeInput('door', 'front', 900);
    ev.pipeInput('door', 'open', 100);
    ev.pipeInput('door', 'close', 500);
    ev.pipeInput('door', 'open', 300); // late
    expect(drain(d.createOutputTopic('upper', S, S)).map((r) => r[2])).toEqual([100, 500, 300]);
    expect(drain(d.createOutputTopic('counts', S, L))).toEqual([
      ['door', 1, 100],
      ['door', 2, 500],
      ['door', 3, 500],
    ]);
    // stream-table join: the stream record's timestamp, even though the label is newer
    expect(drain(d.createOutputTopic('labelled', S, S))).toEqual([
      ['door', 'open:front', 100],
      ['door', 'close:front', 500],
      ['door', 'open:front', 300],
    ]);
    d.close();
  });
});
