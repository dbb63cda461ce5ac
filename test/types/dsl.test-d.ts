import { describe, expectTypeOf, it } from 'vitest';
import {
  Consumed,
  type KGroupedStream,
  type KGroupedTable,
  type KStream,
  type KTable,
  Materialized,
  Serdes,
  StreamsBuilder,
} from '../../src/index.js';

interface Tx {
  account: string;
  amount: number;
}

const builder = new StreamsBuilder();
const txs = builder.stream('tx', Consumed.with(Serdes.String(), Serdes.JSON<Tx>()));

describe('DSL types flow without casts', () => {
  it('stream() takes its types from Consumed', () => {
    expectTypeOf(txs).toEqualTypeOf<KStream<string, Tx>>();
  });

  it('mapValues keeps the key type and changes the value type', () => {
    expectTypeOf(txs.mapValues((v) => v.amount)).toEqualTypeOf<KStream<string, number>>();
    expectTypeOf(txs.mapValues((v, k) => `${k}:${v.amount}`)).toEqualTypeOf<KStream<string, string>>();
  });

  it('map and selectKey change the key type', () => {
    expectTypeOf(txs.selectKey((_k, v) => v.amount)).toEqualTypeOf<KStream<number, Tx>>();
    expectTypeOf(txs.map((k, v) => ({ key: v.amount, value: k }))).toEqualTypeOf<KStream<number, string>>();
  });

  it('filter keeps the types; flatMapValues unwraps iterables', () => {
    expectTypeOf(txs.filter((_k, v) => v.amount > 0)).toEqualTypeOf<KStream<string, Tx>>();
    expectTypeOf(txs.flatMapValues((v) => [v.amount, v.amount])).toEqualTypeOf<KStream<string, number>>();
  });

  it('grouping and aggregating produce typed tables', () => {
    expectTypeOf(txs.groupByKey()).toEqualTypeOf<KGroupedStream<string, Tx>>();
    expectTypeOf(txs.groupBy((_k, v) => v.amount > 100)).toEqualTypeOf<KGroupedStream<boolean, Tx>>();
    expectTypeOf(txs.groupByKey().count()).toEqualTypeOf<KTable<string, number>>();
    const total = txs.groupByKey().aggregate(
      () => 0,
      (_k, v, agg) => agg + v.amount,
      Materialized.as<string, number>('totals').withValueSerde(Serdes.Double()),
    );
    expectTypeOf(total).toEqualTypeOf<KTable<string, number>>();
    expectTypeOf(txs.mapValues((v) => v.amount).groupByKey().reduce((a, b) => a + b)).toEqualTypeOf<KTable<string, number>>();
  });

  it('joins type the joiner arguments and the result', () => {
    const accounts = builder.table('accounts', Consumed.with(Serdes.String(), Serdes.JSON<{ owner: string }>()));
    const joined = txs.join(accounts, (tx, acct) => {
      expectTypeOf(tx).toEqualTypeOf<Tx>();
      expectTypeOf(acct).toEqualTypeOf<{ owner: string }>();
      return `${acct.owner}:${tx.amount}`;
    });
    expectTypeOf(joined).toEqualTypeOf<KStream<string, string>>();
    txs.leftJoin(accounts, (_tx, acct) => {
      expectTypeOf(acct).toEqualTypeOf<{ owner: string } | null>();
      return 1;
    });
  });

  it('table operations keep types', () => {
    const t = builder.table('t', Consumed.with(Serdes.String(), Serdes.Integer()));
    expectTypeOf(t.filter((_k, v) => v > 1)).toEqualTypeOf<KTable<string, number>>();
    expectTypeOf(t.mapValues((v) => String(v))).toEqualTypeOf<KTable<string, string>>();
    expectTypeOf(t.toStream()).toEqualTypeOf<KStream<string, number>>();
    expectTypeOf(t.groupBy((k, v) => ({ key: v, value: k }))).toEqualTypeOf<KGroupedTable<number, string>>();
  });

  it('rejects mismatched functions at compile time', () => {
    // @ts-expect-error a filter predicate must return boolean
    txs.filter((_k, v) => v.amount);
    // @ts-expect-error the value is a Tx, not a string
    txs.mapValues((v: string) => v.length);
    // @ts-expect-error count() gives numbers; a string Materialized does not fit
    txs.groupByKey().count(Materialized.as<string, string>('x'));
  });
});
