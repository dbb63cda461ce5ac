/**
 * KStream-KTable and KStream-GlobalKTable joins. Kafka's rules
 * (KStreamKTableJoinProcessor): only stream records trigger output; the
 * output keeps the stream record's key and timestamp; records with a null
 * value, or a null join key, are dropped, except that a left join keeps a
 * null-key record with a value (KIP-962). For a GlobalKTable the join key is
 * what the key selector returns, so even a null-key record can find a match.
 */
import { describe, expect, it } from 'vitest';
import { Consumed, Joined, Materialized, Produced, Serdes, StreamsBuilder, TopologyTestDriver } from '../../src/index.js';
import { drain } from './helpers.js';

const S = Serdes.String();
const APP = { applicationId: 'orders-app' };

function streamTable(kind: 'join' | 'leftJoin'): StreamsBuilder {
  const b = new StreamsBuilder();
  const prices = b.table<string, string>('prices', Consumed.with(S, S));
  const orders = b.stream<string, string>('orders', Consumed.with(S, S));
  const joiner = (qty: string, price: string | null, item: string) => `${item}:${qty}x${price}`;
  (kind === 'join' ? orders.join(prices, joiner) : orders.leftJoin(prices, joiner)).to('out', Produced.with(S, S));
  return b;
}

describe('KStream-KTable join', () => {
  it('inner: table updates alone emit nothing; stream records join the current table value', () => {
    const d = new TopologyTestDriver(streamTable('join').build(), APP);
    const prices = d.createInputTopic('prices', S, S);
    const orders = d.createInputTopic('orders', S, S);
    const out = d.createOutputTopic('out', S, S);
    orders.pipeInput('tea', '1', 10); // no price yet
    prices.pipeInput('tea', '3', 20);
    expect(out.isEmpty()).toBe(true);
    orders.pipeInput('tea', '2', 15); // older than the price: still joins (no versioning)
    prices.pipeInput('tea', '4', 30);
    orders.pipeInput('tea', '5', 40);
    prices.pipeInput('tea', null, 50);
    orders.pipeInput('tea', '6', 60);
    expect(drain(out)).toEqual([
      ['tea', 'tea:2x3', 15],
      ['tea', 'tea:5x4', 40],
    ]);
    d.close();
  });

  it('inner: null keys and null values are dropped and counted', () => {
    const d = new TopologyTestDriver(streamTable('join').build(), APP);
    d.createInputTopic('prices', S, S).pipeInput('tea', '3', 1);
    const orders = d.createInputTopic('orders', S, S);
    orders.pipeInput(null, '1', 2);
    orders.pipeInput('tea', null, 3);
    expect(d.createOutputTopic('out', S, S).isEmpty()).toBe(true);
    expect(d.droppedRecords()).toBe(2);
    d.close();
  });

  it('left: every stream record with a value emits, joined with null when the table has no value', () => {
    const d = new TopologyTestDriver(streamTable('leftJoin').build(), APP);
    const prices = d.createInputTopic('prices', S, S);
    const orders = d.createInputTopic('orders', S, S);
    orders.pipeInput('tea', '1', 10);
    prices.pipeInput('tea', '3', 20);
    orders.pipeInput('tea', '2', 25);
    orders.pipeInput(null, '7', 26); // kept by a left join: the joiner sees a null key and no table value
    orders.pipeInput('tea', null, 27); // dropped
    prices.pipeInput('tea', null, 30);
    orders.pipeInput('tea', '4', 35);
    expect(drain(d.createOutputTopic('out', S, S))).toEqual([
      ['tea', 'tea:1xnull', 10],
      ['tea', 'tea:2x3', 25],
      [null, 'null:7xnull', 26],
      ['tea', 'tea:4xnull', 35],
    ]);
    expect(d.droppedRecords()).toBe(1);
    d.close();
  });

  it('the table side is materialized with a generated store, queryable by name only when named', () => {
    const b = new StreamsBuilder();
    const table = b.table<string, string>('prices', Materialized.as<string, string>('price-store').withKeySerde(S).withValueSerde(S));
    b.stream<string, string>('orders', Consumed.with(S, S))
      .join(table, (o, p) => `${o}@${p}`)
      .to('out', Produced.with(S, S));
    const d = new TopologyTestDriver(b.build(), APP);
    d.createInputTopic('prices', S, S).pipeInput('x', '9', 1);
    d.createInputTopic('orders', S, S).pipeInput('x', 'o', 2);
    expect(d.getKeyValueStore<string, string>('price-store')?.get('x')).toBe('9');
    expect(drain(d.createOutputTopic('out', S, S))).toEqual([['x', 'o@9', 2]]);
    expect(d.producedTopicNames()).toEqual(new Set(['orders-app-price-store-changelog', 'out']));
    d.close();
  });

  it('after a key change, Joined.as names the repartition topic', () => {
    const b = new StreamsBuilder();
    const customers = b.table<string, string>('customers', Consumed.with(S, S));
    b.stream<string, string>('orders', Consumed.with(S, S))
      .selectKey((_orderId, v) => v.split(',')[0] as string)
      .join(customers, (o, c) => `${o} by ${c}`, Joined.with<string, string, string>(S, S, S, 'by-customer'))
      .to('out', Produced.with(S, S));
    const d = new TopologyTestDriver(b.build(), APP);
    d.createInputTopic('customers', S, S).pipeInput('c7', 'Ada', 1);
    d.createInputTopic('orders', S, S).pipeInput('o1', 'c7,book', 2);
    expect(drain(d.createOutputTopic('out', S, S))).toEqual([['c7', 'c7,book by Ada', 2]]);
    expect(d.producedTopicNames().has('orders-app-by-customer-repartition')).toBe(true);
    d.close();
  });
});

describe('several joins of one re-keyed stream', () => {
  it('share one repartition topic, as Kafka reuses the repartition node of the stream', () => {
    const b = new StreamsBuilder();
    const names = b.table<string, string>('names', Consumed.with(S, S));
    const emails = b.table<string, string>('emails', Consumed.with(S, S));
    const logins = b.stream<string, string>('logins', Consumed.with(S, S)).selectKey((_k, user) => user);
    logins.join(names, (u, n) => `${u}:${n}`, Joined.with(S, S, S)).to('named', Produced.with(S, S));
    logins.leftJoin(emails, (u, e) => `${u}:${e}`, Joined.with(S, S, S)).to('mailed', Produced.with(S, S));
    const d = new TopologyTestDriver(b.build(), APP);
    d.createInputTopic('names', S, S).pipeInput('u1', 'Ann', 1);
    const logins$ = d.createInputTopic('logins', S, S);
    logins$.pipeInput('s1', 'u1', 2);
    logins$.pipeInput('s2', 'u2', 3);
    expect(drain(d.createOutputTopic('named', S, S))).toEqual([['u1', 'u1:Ann', 2]]);
    expect(drain(d.createOutputTopic('mailed', S, S))).toEqual([
      ['u1', 'u1:null', 2],
      ['u2', 'u2:null', 3],
    ]);
    expect([...d.producedTopicNames()].filter((t) => t.endsWith('-repartition'))).toEqual(['orders-app-KSTREAM-KEY-SELECT-0000000007-repartition']);
    d.close();
  });
});

describe('KStream-KTable join against derived tables', () => {
  it('looks values up through an unmaterialized filter: filtered-out entries do not match', () => {
    const b = new StreamsBuilder();
    const active = b.table<string, string>('accounts', Consumed.with(S, S)).filter((_k, v) => v !== 'closed');
    const payments = b.stream<string, string>('payments', Consumed.with(S, S));
    payments.join(active, (p, a) => `${p}->${a}`).to('inner', Produced.with(S, S));
    payments.leftJoin(active, (p, a) => `${p}->${a}`).to('left', Produced.with(S, S));
    const d = new TopologyTestDriver(b.build(), APP);
    const accounts = d.createInputTopic('accounts', S, S);
    const pay = d.createInputTopic('payments', S, S);
    accounts.pipeInput('acc1', 'open', 1);
    pay.pipeInput('acc1', '10', 2);
    accounts.pipeInput('acc1', 'closed', 3);
    pay.pipeInput('acc1', '20', 4);
    expect(drain(d.createOutputTopic('inner', S, S))).toEqual([['acc1', '10->open', 2]]);
    expect(drain(d.createOutputTopic('left', S, S))).toEqual([
      ['acc1', '10->open', 2],
      ['acc1', '20->null', 4],
    ]);
    d.close();
  });

  it('looks values up through a table-table join computed on the fly', () => {
    const b = new StreamsBuilder();
    const names = b.table<string, string>('names', Consumed.with(S, S));
    const cities = b.table<string, string>('cities', Consumed.with(S, S));
    const profiles = names.leftJoin(cities, (n, c) => `${n}@${c}`);
    b.stream<string, string>('visits', Consumed.with(S, S))
      .join(profiles, (page, profile) => `${profile} saw ${page}`)
      .to('out', Produced.with(S, S));
    const d = new TopologyTestDriver(b.build(), APP);
    const visits = d.createInputTopic('visits', S, S);
    d.createInputTopic('cities', S, S).pipeInput('u1', 'Oslo', 1);
    visits.pipeInput('u1', '/a', 2); // no name yet: the left join has no result
    d.createInputTopic('names', S, S).pipeInput('u1', 'Ida', 3);
    visits.pipeInput('u1', '/b', 4);
    d.createInputTopic('cities', S, S).pipeInput('u1', null, 5);
    visits.pipeInput('u1', '/c', 6);
    expect(drain(d.createOutputTopic('out', S, S))).toEqual([
      ['u1', 'Ida@Oslo saw /b', 4],
      ['u1', 'Ida@null saw /c', 6],
    ]);
    d.close();
  });
});

describe('KStream-GlobalKTable join', () => {
  function build(): StreamsBuilder {
    const b = new StreamsBuilder();
    const products = b.globalTable<string, string>('products', Consumed.with(S, S));
    const orders = b.stream<string, string>('orders', Consumed.with(S, S));
    const productOf = (_k: string, v: string) => (v === null ? (null as unknown as string) : (v.split(':')[0] as string));
    const joiner = (v: string, p: string | null, k: string) => `${k}|${v}|${p}`;
    orders.join(products, productOf, joiner).to('inner', Produced.with(S, S));
    orders.leftJoin(products, productOf, joiner).to('left', Produced.with(S, S));
    return b;
  }

  it('joins on the selected key; a null-key record with a value joins through the selector', () => {
    const d = new TopologyTestDriver(build().build(), APP);
    const products = d.createInputTopic('products', S, S);
    const orders = d.createInputTopic('orders', S, S);
    products.pipeInput('p1', 'Pen', 100);
    orders.pipeInput('o1', 'p1:2', 5);
    orders.pipeInput('o2', 'p9:1', 6);
    orders.pipeInput(null, 'p1:3', 7);
    orders.pipeInput('o3', null, 8);
    orders.pipeInput('o4', '', 9);
    products.pipeInput('p1', null, 110);
    orders.pipeInput('o5', 'p1:1', 10);
    expect(drain(d.createOutputTopic('inner', S, S))).toEqual([
      ['o1', 'o1|p1:2|Pen', 5],
      [null, 'null|p1:3|Pen', 7],
    ]);
    expect(drain(d.createOutputTopic('left', S, S))).toEqual([
      ['o1', 'o1|p1:2|Pen', 5],
      ['o2', 'o2|p9:1|null', 6],
      [null, 'null|p1:3|Pen', 7],
      ['o4', 'o4||null', 9],
      ['o5', 'o5|p1:1|null', 10],
    ]);
    // global stores are restored from their topic: no changelog
    expect(d.producedTopicNames()).toEqual(new Set(['inner', 'left']));
    d.close();
  });

  it('the global store is readable through the driver by its generated name', () => {
    const d = new TopologyTestDriver(build().build(), APP);
    d.createInputTopic('products', S, S).pipeInput('p2', 'Ink', 1);
    expect(d.getKeyValueStore<string, string>('products-STATE-STORE-0000000000')?.get('p2')).toBe('Ink');
    d.close();
  });

  it('a record whose selector returns null is dropped by both joins', () => {
    const b = new StreamsBuilder();
    const g = b.globalTable<string, string>('g', Consumed.with(S, S));
    const s = b.stream<string, string>('s', Consumed.with(S, S));
    s.join(g, () => null as unknown as string, (v, gv) => `${v}${gv}`).to('i', Produced.with(S, S));
    s.leftJoin(g, () => null as unknown as string, (v, gv) => `${v}${gv}`).to('l', Produced.with(S, S));
    const d = new TopologyTestDriver(b.build(), APP);
    d.createInputTopic('s', S, S).pipeInput('k', 'v', 1);
    expect(d.createOutputTopic('i', S, S).isEmpty()).toBe(true);
    expect(d.createOutputTopic('l', S, S).isEmpty()).toBe(true);
    d.close();
  });
});
