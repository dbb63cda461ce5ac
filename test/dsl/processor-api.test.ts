/**
 * process() / processValues() with the Processor API inside the DSL: state
 * stores, punctuations on stream time and on the (mocked) wall clock, and
 * record metadata. Punctuation rules follow Kafka's StreamTask and
 * PunctuationSchedule: stream-time schedules start at 0 and fire as soon as
 * data arrives; wall-clock ones fire first at start + interval; missed
 * intervals are skipped, and the punctuator gets the current time.
 */
import { describe, expect, it } from 'vitest';
import {
  Consumed,
  type FixedKeyRecord,
  Grouped,
  Named,
  Produced,
  PunctuationType,
  Record,
  Serdes,
  Stores,
  StreamsBuilder,
  TopologyTestDriver,
  type FixedKeyProcessor,
  type FixedKeyProcessorContext,
  type KeyValueStore,
  type Processor,
  type ProcessorContext,
} from '../../src/index.js';
import { drain } from './helpers.js';

const S = Serdes.String();
const L = Serdes.Long();
const APP = { applicationId: 'proc' };

function meta(ctx: ProcessorContext<unknown, unknown>): string {
  const m = ctx.recordMetadata();
  return m === null ? 'none' : `${m.topic}/${m.partition}/${m.offset}`;
}

/** Keeps a running total per key in the 'totals' store and reports on both clocks. */
function totalsProcessor(): Processor<string, number, string, string> {
  let ctx: ProcessorContext<string, string>;
  let store: KeyValueStore<string, number>;
  return {
    init(c) {
      ctx = c;
      store = c.getStateStore<KeyValueStore<string, number>>('totals');
      c.schedule(10, PunctuationType.STREAM_TIME, (t) => {
        ctx.forward(new Record('st', `stream@${t}`, t));
      });
      c.schedule(1000, PunctuationType.WALL_CLOCK_TIME, (t) => {
        const parts: string[] = [];
        for (const kv of store.all()) parts.push(`${kv.key}=${kv.value}`);
        ctx.forward(new Record('wall', `wall@${t} ${parts.join(';')}`, t));
      });
    },
    process(r) {
      const total = (store.get(r.key) ?? 0) + r.value;
      store.put(r.key, total);
      ctx.forward(r.withValue(`${r.key}=${total} ${meta(ctx as ProcessorContext<unknown, unknown>)}`));
    },
  };
}

function totalsTopology(): StreamsBuilder {
  const b = new StreamsBuilder();
  b.addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore('totals'), S, L));
  b.stream<string, number>('in', Consumed.with(S, L))
    .process(totalsProcessor, 'totals')
    .to('out', Produced.with(S, S));
  return b;
}

describe('process() with a store and punctuations', () => {
  it('stream-time punctuation fires on data, skipping missed intervals; records carry metadata', () => {
    const d = new TopologyTestDriver(totalsTopology().build(), APP, 0);
    const input = d.createInputTopic('in', S, L);
    input.pipeInput('a', 1, 3);
    input.pipeInput('b', 2, 7);
    input.pipeInput('a', 3, 12);
    input.pipeInput('a', 1, 35); // 20 and 30 were missed: one punctuation, next due at 40
    input.pipeInput('b', 1, 36);
    input.pipeInput('b', 1, 20); // out of order: stream time stays 36
    input.pipeInput('b', 1, 40);
    expect(drain(d.createOutputTopic('out', S, S))).toEqual([
      ['a', 'a=1 in/0/0', 3],
      ['st', 'stream@3', 3],
      ['b', 'b=2 in/0/1', 7],
      ['a', 'a=4 in/0/2', 12],
      ['st', 'stream@12', 12],
      ['a', 'a=5 in/0/3', 35],
      ['st', 'stream@35', 35],
      ['b', 'b=3 in/0/4', 36],
      ['b', 'b=4 in/0/5', 20],
      ['b', 'b=5 in/0/6', 40],
      ['st', 'stream@40', 40],
    ]);
    expect(d.getKeyValueStore<string, number>('totals')?.get('b')).toBe(5);
    d.close();
  });

  it('wall-clock punctuation follows advanceWallClockTime', () => {
    const d = new TopologyTestDriver(totalsTopology().build(), APP, 0);
    const out = d.createOutputTopic('out', S, S);
    const input = d.createInputTopic('in', S, L);
    input.pipeInput('a', 5, 1);
    input.pipeInput('b', 5, 2);
    out.readRecordsToList();
    d.advanceWallClockTime(500);
    expect(out.isEmpty()).toBe(true);
    d.advanceWallClockTime(600);
    expect(drain(out)).toEqual([['wall', 'wall@1100 a=5;b=5', 1100]]);
    d.advanceWallClockTime(3000); // 2000, 3000 and 4000 were due: fires once, next due at 5000
    expect(drain(out)).toEqual([['wall', 'wall@4100 a=5;b=5', 4100]]);
    d.advanceWallClockTime(900);
    expect(drain(out)).toEqual([['wall', 'wall@5000 a=5;b=5', 5000]]);
    d.close();
  });

  it('a store left unconnected is not reachable from the processor', () => {
    const b = new StreamsBuilder();
    b.addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore('totals'), S, L));
    b.stream<string, number>('in', Consumed.with(S, L)).process(totalsProcessor).to('out', Produced.with(S, S));
    expect(() => new TopologyTestDriver(b.build(), APP, 0)).toThrow(/totals/);
  });

  it('a supplier with stores() gets its stores added and connected', () => {
    const b = new StreamsBuilder();
    b.stream<string, number>('in', Consumed.with(S, L))
      .process(
        {
          get: totalsProcessor,
          stores: () => [Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore('totals'), S, L)],
        },
        Named.as('totaller'),
      )
      .to('out', Produced.with(S, S));
    const topo = b.build();
    expect(topo.describe().toString()).toContain('Processor: totaller (stores: [totals])');
    const d = new TopologyTestDriver(topo, APP, 0);
    d.createInputTopic('in', S, L).pipeInput('z', 9, 1);
    expect(d.getKeyValueStore<string, number>('totals')?.get('z')).toBe(9);
    expect(d.producedTopicNames()).toEqual(new Set(['proc-totals-changelog', 'out']));
    d.close();
  });
});

describe('punctuation record metadata', () => {
  // Kafka's StreamTask.punctuate sets a dummy record context (topic null,
  // partition -1, offset -1), so recordMetadata() is present, not empty.
  it('recordMetadata() inside a punctuation has topic null, partition -1, offset -1', () => {
    let seen = 'unset';
    const b = new StreamsBuilder();
    b.stream<string, string>('in', Consumed.with(S, S)).process(() => {
      let ctx: ProcessorContext<never, never>;
      return {
        init(c: ProcessorContext<never, never>) {
          ctx = c;
          c.schedule(5, PunctuationType.STREAM_TIME, () => {
            seen = meta(ctx as ProcessorContext<unknown, unknown>);
          });
        },
        process() {},
      };
    });
    const d = new TopologyTestDriver(b.build(), APP, 0);
    d.createInputTopic('in', S, S).pipeInput('k', 'v', 1);
    expect(seen).toBe('null/-1/-1');
    d.close();
  });
});

describe('processValues() and key changes', () => {
  function upper(): FixedKeyProcessor<string, string, string> {
    let ctx: FixedKeyProcessorContext<string, string>;
    return {
      init(c) {
        ctx = c;
      },
      process(r: FixedKeyRecord<string, string>) {
        ctx.forward(r.withValue(r.value.toUpperCase()));
        ctx.forward(r.withValue(`${r.value}!`).withTimestamp(r.timestamp + 1));
      },
    };
  }

  it('processValues keeps the key, may emit several records, and needs no repartition before grouping', () => {
    const b = new StreamsBuilder();
    b.stream<string, string>('in', Consumed.with(S, S))
      .processValues(upper)
      .groupByKey(Grouped.with(S, S))
      .count()
      .toStream()
      .to('counts', Produced.with(S, L));
    const d = new TopologyTestDriver(b.build(), { ...APP, cacheMaxBytes: 0 });
    d.createInputTopic('in', S, S).pipeInput('k', 'v', 10);
    expect(drain(d.createOutputTopic('counts', S, L))).toEqual([
      ['k', 1, 10],
      ['k', 2, 11],
    ]);
    expect([...d.producedTopicNames()].some((t) => t.endsWith('-repartition'))).toBe(false);
    d.close();
  });

  it('process() may change keys, so a later groupByKey repartitions', () => {
    const b = new StreamsBuilder();
    b.stream<string, string>('in', Consumed.with(S, S))
      .process((): Processor<string, string, string, string> => {
        let ctx: ProcessorContext<string, string>;
        return {
          init(c) {
            ctx = c;
          },
          process(r) {
            ctx.forward(r.withKey(r.value));
          },
        };
      })
      .groupByKey(Grouped.with(S, S))
      .count()
      .toStream()
      .to('counts', Produced.with(S, L));
    const d = new TopologyTestDriver(b.build(), APP);
    const input = d.createInputTopic('in', S, S);
    input.pipeInput('a', 'x', 1);
    input.pipeInput('b', 'x', 2);
    expect(drain(d.createOutputTopic('counts', S, L))).toEqual([
      ['x', 1, 1],
      ['x', 2, 2],
    ]);
    expect(d.producedTopicNames().has('proc-KSTREAM-AGGREGATE-STATE-STORE-0000000002-repartition')).toBe(true);
    d.close();
  });

  it('records read from a repartition topic report it in their metadata', () => {
    const seen: string[] = [];
    const b = new StreamsBuilder();
    b.stream<string, string>('in', Consumed.with(S, S))
      .selectKey((_k, v) => v)
      .repartition()
      .process((): Processor<string, string, never, never> => {
        let ctx: ProcessorContext<never, never>;
        return {
          init(c) {
            ctx = c;
          },
          process() {
            seen.push(meta(ctx as ProcessorContext<unknown, unknown>));
          },
        };
      });
    const d = new TopologyTestDriver(b.build(), { ...APP, defaultKeySerde: S, defaultValueSerde: S });
    const input = d.createInputTopic('in', S, S);
    input.pipeInput('a', 'x', 1);
    input.pipeInput('b', 'y', 2);
    expect(seen).toEqual(['proc-KSTREAM-REPARTITION-0000000002-repartition/0/0', 'proc-KSTREAM-REPARTITION-0000000002-repartition/0/1']);
    d.close();
  });
});

describe('StreamsBuilder.addGlobalStore', () => {
  it('fills a global store through its processor; any processor may read it', () => {
    const b = new StreamsBuilder();
    // logging is left on here: Kafka's StreamsBuilder switches it off for global stores
    b.addGlobalStore(
      Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore('rates'), S, L) as never,
      'rate-updates',
      Consumed.with(S, L),
      (): Processor<string, number, never, never> => {
        let store: KeyValueStore<string, number>;
        return {
          init(c) {
            store = c.getStateStore<KeyValueStore<string, number>>('rates');
          },
          process(r) {
            store.put(r.key, r.value * 100);
          },
        };
      },
    );
    b.stream<string, number>('payments', Consumed.with(S, L))
      .process((): Processor<string, number, string, number> => {
        let ctx: ProcessorContext<string, number>;
        let rates: KeyValueStore<string, number>;
        return {
          init(c) {
            ctx = c;
            rates = c.getStateStore<KeyValueStore<string, number>>('rates');
          },
          process(r) {
            ctx.forward(r.withValue(r.value * (rates.get(r.key) ?? 0)));
          },
        };
      })
      .to('converted', Produced.with(S, L));
    const d = new TopologyTestDriver(b.build(), APP, 0);
    d.createInputTopic('rate-updates', S, L).pipeInput('EUR', 2, 1);
    d.createInputTopic('payments', S, L).pipeInput('EUR', 3, 2);
    expect(drain(d.createOutputTopic('converted', S, L))).toEqual([['EUR', 600, 2]]);
    expect(d.getKeyValueStore<string, number>('rates')?.get('EUR')).toBe(200);
    expect(d.producedTopicNames()).toEqual(new Set(['converted']));
    d.close();
  });
});

describe('output order: processing, punctuation, then the cache flush at commit', () => {
  function build(): StreamsBuilder {
    const b = new StreamsBuilder();
    const s = b.stream<string, string>('in', Consumed.with(S, S));
    s.groupByKey()
      .count()
      .toStream()
      .mapValues((n) => `count=${n}`)
      .to('out', Produced.with(S, S));
    s.process((): Processor<string, string, string, string> => {
      let ctx: ProcessorContext<string, string>;
      return {
        init(c) {
          ctx = c;
          c.schedule(10, PunctuationType.STREAM_TIME, (t) => ctx.forward(new Record('tick', `tick@${t}`, t)));
        },
        process(r) {
          ctx.forward(r.withValue(`seen ${r.value}`));
        },
      };
    }).to('out', Produced.with(S, S));
    return b;
  }

  it('with caching, the count appears after the punctuation of the same input record', () => {
    const d = new TopologyTestDriver(build().build(), APP, 0);
    const input = d.createInputTopic('in', S, S);
    input.pipeInput('a', 'x', 5);
    input.pipeInput('a', 'y', 12);
    expect(drain(d.createOutputTopic('out', S, S))).toEqual([
      ['a', 'seen x', 5],
      ['tick', 'tick@5', 5],
      ['a', 'count=1', 5],
      ['a', 'seen y', 12],
      ['tick', 'tick@12', 12],
      ['a', 'count=2', 12],
    ]);
    d.close();
  });

  it('without a cache, the count is forwarded while the record is processed (aggregate first, as added first)', () => {
    const d = new TopologyTestDriver(build().build(), { ...APP, cacheMaxBytes: 0 }, 0);
    const input = d.createInputTopic('in', S, S);
    input.pipeInput('a', 'x', 5);
    input.pipeInput('a', 'y', 12);
    expect(drain(d.createOutputTopic('out', S, S))).toEqual([
      ['a', 'count=1', 5],
      ['a', 'seen x', 5],
      ['tick', 'tick@5', 5],
      ['a', 'count=2', 12],
      ['a', 'seen y', 12],
      ['tick', 'tick@12', 12],
    ]);
    d.close();
  });
});
