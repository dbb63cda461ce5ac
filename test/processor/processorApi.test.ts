import { describe, expect, it } from 'vitest';
import { StreamsError, TopologyError } from '../../src/errors.js';
import {
  Headers,
  type KeyValueStore,
  type Processor,
  type ProcessorContext,
  PunctuationType,
  Record,
  Serdes,
  Stores,
  TestRecord,
  Topology,
  TopologyTestDriver,
} from '../../src/index.js';

const S = Serdes.String();

/** Counts values per key in a store and forwards "key=count". */
class CountingProcessor implements Processor<string, string, string, string> {
  private ctx!: ProcessorContext<string, string>;
  private store!: KeyValueStore<string, number>;
  init(ctx: ProcessorContext<string, string>): void {
    this.ctx = ctx;
    this.store = ctx.getStateStore('counts');
  }
  process(r: Record<string, string>): void {
    const n = (this.store.get(r.key) ?? 0) + 1;
    this.store.put(r.key, n);
    this.ctx.forward(r.withValue(`${r.key}=${n}`));
  }
}

function countingTopology(): Topology {
  return new Topology()
    .addSource({ name: 'src', keyDeserializer: S.deserializer(), valueDeserializer: S.deserializer() }, 'input')
    .addProcessor('count', () => new CountingProcessor(), 'src')
    .addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore('counts'), S, Serdes.Integer()), 'count')
    .addSink({ name: 'sink', keySerializer: S.serializer(), valueSerializer: S.serializer() }, 'output', 'count');
}

describe('Processor API', () => {
  it('runs source -> processor with a store -> sink', () => {
    const driver = new TopologyTestDriver(countingTopology());
    const input = driver.createInputTopic('input', S, S);
    const output = driver.createOutputTopic('output', S, S);
    input.pipeInput('a', 'x', 10);
    input.pipeInput('b', 'y', 11);
    input.pipeInput('a', 'z', 12);
    expect(output.readRecordsToList().map((r) => [r.key, r.value, r.timestamp])).toEqual([
      ['a', 'a=1', 10],
      ['b', 'b=1', 11],
      ['a', 'a=2', 12],
    ]);
    expect(driver.getKeyValueStore<string, number>('counts')?.get('a')).toBe(2);
    // logged store: changes go to <applicationId>-<store>-changelog
    expect(driver.producedTopicNames()).toEqual(new Set(['output', 'dummy-topology-test-driver-app-id-counts-changelog']));
    driver.close();
  });

  it('describes a hand-built topology in Kafka\'s layout', () => {
    expect(countingTopology().describe().toString()).toBe(
      'Topologies:\n' +
        '   Sub-topology: 0\n' +
        '    Source: src (topics: [input])\n' +
        '      --> count\n' +
        '    Processor: count (stores: [counts])\n' +
        '      --> sink\n' +
        '      <-- src\n' +
        '    Sink: sink (topic: output)\n' +
        '      <-- count\n\n',
    );
  });

  it('exposes record metadata, timestamps and headers to processors', () => {
    const seen: unknown[] = [];
    const t = new Topology()
      .addSource({ name: 'src', keyDeserializer: S.deserializer(), valueDeserializer: S.deserializer() }, 'input')
      .addProcessor<string, string, never, never>('probe', () => {
        let ctx: ProcessorContext<never, never>;
        return {
          init: (c) => {
            ctx = c;
          },
          process: (r) => seen.push([ctx.recordMetadata(), r.timestamp, r.headers.lastHeader('h')?.value?.toString(), ctx.taskId.toString()]),
        };
      }, 'src');
    const driver = new TopologyTestDriver(t);
    const input = driver.createInputTopic('input', S, S);
    input.pipeInput('k', 'v', 5);
    input.pipeRecordList([new TestRecord('k2', 'v2', 6, Headers.of({ h: 'hello' }))]);
    expect(seen).toEqual([
      [{ topic: 'input', partition: 0, offset: 0 }, 5, undefined, '0_0'],
      [{ topic: 'input', partition: 0, offset: 1 }, 6, 'hello', '0_0'],
    ]);
  });

  it('fires stream-time punctuations as stream time passes each interval, once per jump', () => {
    const fired: number[] = [];
    const t = new Topology()
      .addSource({ name: 'src', keyDeserializer: S.deserializer(), valueDeserializer: S.deserializer() }, 'input')
      .addProcessor<string, string, never, never>('p', () => ({
        init: (c) => {
          c.schedule(10, PunctuationType.STREAM_TIME, (ts) => fired.push(ts));
        },
        process: () => {},
      }), 'src');
    const driver = new TopologyTestDriver(t);
    const input = driver.createInputTopic('input', S, S);
    input.pipeInput('k', 'v', 3); // first record: aligned to 0, fires at once
    input.pipeInput('k', 'v', 9); // before 10: nothing
    input.pipeInput('k', 'v', 10); // due at 10
    input.pipeInput('k', 'v', 5); // out of order: stream time stays 10
    input.pipeInput('k', 'v', 35); // jumps over 20 and 30: fires once, next at 40
    input.pipeInput('k', 'v', 39);
    input.pipeInput('k', 'v', 40);
    expect(fired).toEqual([3, 10, 35, 40]);
  });

  it('fires wall-clock punctuations as the driver\'s clock advances, and can cancel them', () => {
    const fired: number[] = [];
    const t = new Topology()
      .addSource({ name: 'src', keyDeserializer: S.deserializer(), valueDeserializer: S.deserializer() }, 'input')
      .addProcessor<string, string, string, string>('p', () => {
        let ctx: ProcessorContext<string, string>;
        return {
          init: (c) => {
            ctx = c;
            const handle = c.schedule(100, PunctuationType.WALL_CLOCK_TIME, (ts) => {
              fired.push(ts);
              ctx.forward(new Record('tick', String(ts), ts));
              if (fired.length === 3) handle.cancel();
            });
          },
          process: () => {},
        };
      }, 'src');
    const driver = new TopologyTestDriver(t, {}, 1000);
    driver.advanceWallClockTime(99);
    expect(fired).toEqual([]);
    driver.advanceWallClockTime(1);
    expect(fired).toEqual([1100]);
    driver.advanceWallClockTime(250);
    expect(fired).toEqual([1100, 1350]);
    driver.advanceWallClockTime(100);
    driver.advanceWallClockTime(1000);
    expect(fired).toEqual([1100, 1350, 1450]);
  });

  it('refuses a store that is not connected to the processor', () => {
    const t = new Topology()
      .addSource({ name: 'src', keyDeserializer: S.deserializer(), valueDeserializer: S.deserializer() }, 'input')
      .addProcessor('p', () => ({ init: (c) => void c.getStateStore('other'), process: () => {} }), 'src')
      .addProcessor('q', () => ({ process: () => {} }), 'src')
      .addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore('other'), S, S), 'q');
    expect(() => new TopologyTestDriver(t)).toThrow(/Processor p has no access to StateStore other/);
  });

  it('forwards to a named child only', () => {
    const t = new Topology()
      .addSource({ name: 'src', keyDeserializer: S.deserializer(), valueDeserializer: S.deserializer() }, 'input')
      .addProcessor<string, string, string, string>('router', () => {
        let ctx: ProcessorContext<string, string>;
        return { init: (c) => (ctx = c), process: (r) => ctx.forward(r, r.value === 'left' ? 'toLeft' : 'toRight') };
      }, 'src')
      .addSink({ name: 'toLeft', keySerializer: S.serializer(), valueSerializer: S.serializer() }, 'left', 'router')
      .addSink({ name: 'toRight', keySerializer: S.serializer(), valueSerializer: S.serializer() }, 'right', 'router');
    const driver = new TopologyTestDriver(t);
    const input = driver.createInputTopic('input', S, S);
    input.pipeInput('a', 'left');
    input.pipeInput('b', 'right');
    input.pipeInput('c', 'left');
    expect(driver.createOutputTopic('left', S, S).readKeyValuesToList().map((kv) => kv.key)).toEqual(['a', 'c']);
    expect(driver.createOutputTopic('right', S, S).readKeyValuesToList().map((kv) => kv.key)).toEqual(['b']);
  });

  it('supports a TopicNameExtractor and a custom partitioner on sinks', () => {
    const t = new Topology()
      .addSource({ name: 'src', keyDeserializer: S.deserializer(), valueDeserializer: S.deserializer() }, 'input')
      .addSink<string, string>({ name: 'sink', keySerializer: S.serializer(), valueSerializer: S.serializer(), partitioner: () => 0 }, (_k, v) => `out-${v}`, 'src');
    const driver = new TopologyTestDriver(t);
    driver.createInputTopic('input', S, S).pipeInput('k', 'x');
    expect(driver.createOutputTopic('out-x', S, S).readKeyValue()).toEqual({ key: 'k', value: 'x' });
    expect(t.describe().toString()).toContain('Sink: sink (extractor class: TopicNameExtractor)');
  });

  describe('bad topologies fail early with a typed error that names the node', () => {
    it('a missing parent', () => {
      expect(() => new Topology().addProcessor('p', () => ({ process: () => {} }), 'nope')).toThrow(
        /Predecessor processor nope is not added yet for p/,
      );
    });
    it('a duplicate node name', () => {
      const t = new Topology().addSource('a', 'in');
      expect(() => t.addSource('a', 'in2')).toThrow(TopologyError);
    });
    it('a topic read by two sources', () => {
      const t = new Topology().addSource('a', 'in');
      expect(() => t.addSource('b', 'in')).toThrow(/Topic in has already been registered by another source/);
    });
    it('a store name used twice', () => {
      const b1 = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore('s'), S, S);
      const b2 = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore('s'), S, S);
      const t = new Topology().addSource('a', 'in').addProcessor('p', () => ({ process: () => {} }), 'a').addStateStore(b1, 'p');
      expect(() => t.addStateStore(b2, 'p')).toThrow(/A different StateStore has already been added with the name s/);
    });
    it('a sink with no topic', () => {
      const t = new Topology().addSource('a', 'in');
      expect(() => t.addSink('out', '', 'a')).toThrow(/sink out has no topic/);
    });
    it('a source with no topics', () => {
      expect(() => new Topology().addSource('a')).toThrow(/needs at least one topic/);
    });
    it('a sink used as a parent', () => {
      const t = new Topology().addSource('a', 'in').addSink('s', 'out', 'a');
      expect(() => t.addProcessor('p', () => ({ process: () => {} }), 's')).toThrow(/Sink s cannot be used a parent/);
    });
    it('connecting a store that does not exist', () => {
      const t = new Topology().addSource('a', 'in').addProcessor('p', () => ({ process: () => {} }), 'a');
      expect(() => t.connectProcessorAndStateStores('p', 'ghost')).toThrow(/StateStore ghost is not added yet/);
    });
    it('piping to a topic nobody reads', () => {
      const driver = new TopologyTestDriver(new Topology().addSource({ name: 'a', keyDeserializer: S.deserializer(), valueDeserializer: S.deserializer() }, 'in'));
      expect(() => driver.createInputTopic('other', S, S).pipeInput('k', 'v')).toThrow(/Unknown topic: other/);
    });
  });

  it('wraps an exception thrown by user code with the processor name, and keeps the cause', () => {
    const boom = new Error('user bug');
    const t = new Topology()
      .addSource({ name: 'src', keyDeserializer: S.deserializer(), valueDeserializer: S.deserializer() }, 'input')
      .addProcessor('fragile', () => ({
        process: () => {
          throw boom;
        },
      }), 'src');
    const driver = new TopologyTestDriver(t);
    const input = driver.createInputTopic('input', S, S);
    try {
      input.pipeInput('k', 'v');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(StreamsError);
      expect((e as Error).message).toMatch(/fragile: user bug/);
      expect((e as Error).cause).toBe(boom);
    }
  });

  it('drops records that fail in user code when the processing handler says continue', () => {
    const t = new Topology()
      .addSource({ name: 'src', keyDeserializer: S.deserializer(), valueDeserializer: S.deserializer() }, 'input')
      .addProcessor<string, string, string, string>('p', () => {
        let ctx: ProcessorContext<string, string>;
        return {
          init: (c) => (ctx = c),
          process: (r) => {
            if (r.value === 'bad') throw new Error('nope');
            ctx.forward(r);
          },
        };
      }, 'src')
      .addSink({ name: 'out', keySerializer: S.serializer(), valueSerializer: S.serializer() }, 'output', 'p');
    const driver = new TopologyTestDriver(t, { processingExceptionHandler: () => 'continue' });
    const input = driver.createInputTopic('input', S, S);
    input.pipeInput('a', 'ok');
    input.pipeInput('b', 'bad');
    input.pipeInput('c', 'ok');
    expect(driver.createOutputTopic('output', S, S).readKeyValuesToList().map((kv) => kv.key)).toEqual(['a', 'c']);
    expect(driver.droppedRecords()).toBe(1);
  });
});
