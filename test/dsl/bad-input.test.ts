/**
 * Malformed topologies and records that cannot be read. Kafka reports
 * topology mistakes as TopologyException when the topology is built (DSL)
 * or when the node is added (Processor API); a record that fails to
 * deserialize stops processing with an error naming topic, partition and
 * offset, unless the deserialization handler is told to log and continue.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  ConfigError,
  Consumed,
  DeserializationError,
  IllegalArgumentError,
  Materialized,
  Named,
  Produced,
  Serdes,
  Stores,
  StreamsBuilder,
  Topology,
  TopologyError,
  TopologyTestDriver,
  type Processor,
} from '../../src/index.js';
import { drain } from './helpers.js';

const S = Serdes.String();
const L = Serdes.Long();

function noop(): Processor<unknown, unknown, never, never> {
  return { process() {} };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('DSL topology errors surface at build()', () => {
  it('two stores with the same name', () => {
    const b = new StreamsBuilder();
    const s = b.stream<string, string>('in', Consumed.with(S, S));
    s.groupByKey().count(Materialized.as<string, number>('dup'));
    s.mapValues((v) => v.length)
      .groupByKey()
      .count(Materialized.as<string, number>('dup'));
    expect(() => b.build()).toThrow(TopologyError);
  });

  it('two state stores added under one name by different builders', () => {
    const b = new StreamsBuilder();
    b.addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore('cache'), S, S) as never);
    b.addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore('cache'), S, L) as never);
    b.stream<string, string>('in', Consumed.with(S, S)).to('out', Produced.with(S, S));
    expect(() => b.build()).toThrow(/cache/);
  });

  it('two processors given the same name', () => {
    const b = new StreamsBuilder();
    const s = b.stream<string, string>('in', Consumed.with(S, S));
    s.filter(() => true, Named.as('same')).to('a', Produced.with(S, S));
    s.mapValues((v) => v, Named.as('same')).to('b', Produced.with(S, S));
    expect(() => b.build()).toThrow(TopologyError);
  });

  it('process() naming a store that was never added', () => {
    const b = new StreamsBuilder();
    b.stream<string, string>('in', Consumed.with(S, S)).process(noop as never, 'missing-store');
    expect(() => b.build()).toThrow(/missing-store/);
  });

  it('to() without a topic', () => {
    const b = new StreamsBuilder();
    const s = b.stream<string, string>('in', Consumed.with(S, S));
    expect(() => s.to('', Produced.with(S, S))).toThrow(TopologyError);
  });
});

describe('processor suppliers must make a new processor per call (Kafka ApiUtils.checkSupplier)', () => {
  const shared: Processor<string, string, never, never> = { process() {} };

  it('process() and processValues() refuse a supplier returning one shared instance', () => {
    const b = new StreamsBuilder();
    const s = b.stream<string, string>('in', Consumed.with(S, S));
    expect(() => s.process(() => shared)).toThrow(IllegalArgumentError);
    expect(() => s.processValues(() => shared as never)).toThrow(IllegalArgumentError);
    expect(() => s.process(() => ({ process() {} }))).not.toThrow();
  });

  // Kafka's Topology.addProcessor runs the same check.
  it('Topology.addProcessor refuses it too', () => {
    const t = new Topology();
    t.addSource('src', 'in');
    expect(() => t.addProcessor('p', () => shared, 'src')).toThrow(IllegalArgumentError);
  });
});

describe('Processor API topology errors surface when the node is added', () => {
  it('a processor whose parent does not exist', () => {
    const t = new Topology();
    t.addSource('src', 'in');
    expect(() => t.addProcessor('p', noop, 'nope')).toThrow(TopologyError);
  });

  it('a sink without a topic, a source without topics, a repeated name', () => {
    const t = new Topology();
    t.addSource('src', 'in');
    expect(() => t.addSink('sink', '', 'src')).toThrow(TopologyError);
    expect(() => t.addSource('empty')).toThrow(TopologyError);
    expect(() => t.addProcessor('src', noop, 'src')).toThrow(TopologyError);
  });

  it('a sink used as a parent, and a store connected to an unknown processor', () => {
    const t = new Topology();
    t.addSource('src', 'in');
    t.addSink('sink', 'out', 'src');
    expect(() => t.addProcessor('p', noop, 'sink')).toThrow(TopologyError);
    expect(() => t.addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore('s'), S, S) as never, 'ghost')).toThrow(TopologyError);
  });
});

describe('records that fail to deserialize', () => {
  function longSum(): Topology {
    const b = new StreamsBuilder();
    b.stream<string, number>('amounts', Consumed.with(S, L))
      .groupByKey()
      .reduce((a, v) => a + v)
      .toStream()
      .to('sums', Produced.with(S, L));
    return b.build();
  }

  it('by default fail with a DeserializationError naming topic, partition and offset', () => {
    const d = new TopologyTestDriver(longSum(), { applicationId: 'bad' });
    const good = d.createInputTopic('amounts', S, L);
    const raw = d.createInputTopic('amounts', S, Serdes.Bytes());
    good.pipeInput('a', 1, 1);
    let caught: unknown;
    try {
      raw.pipeInput('a', Buffer.from([1, 2, 3]), 2); // 3 bytes cannot be a Long
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(DeserializationError);
    const err = caught as DeserializationError;
    expect(err.origin).toEqual({ topic: 'amounts', partition: 0, offset: 1 });
    expect(err.message).toContain('amounts');
    expect(err.message).toContain('offset=1');
    expect(drain(d.createOutputTopic('sums', S, L))).toEqual([['a', 1, 1]]);
  });

  it("with 'logAndContinue' the record is skipped and counted, and processing goes on", () => {
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    const d = new TopologyTestDriver(longSum(), { applicationId: 'bad', deserializationExceptionHandler: 'logAndContinue' });
    const good = d.createInputTopic('amounts', S, L);
    const raw = d.createInputTopic('amounts', S, Serdes.Bytes());
    good.pipeInput('a', 1, 1);
    raw.pipeInput('a', Buffer.from('not a long'), 2);
    good.pipeInput('a', 5, 3);
    expect(drain(d.createOutputTopic('sums', S, L))).toEqual([
      ['a', 1, 1],
      ['a', 6, 3],
    ]);
    expect(d.droppedRecords()).toBe(1);
    d.close();
  });

  it('a custom handler sees where the record came from', () => {
    const seen: string[] = [];
    const d = new TopologyTestDriver(longSum(), {
      applicationId: 'bad',
      deserializationExceptionHandler: (ctx) => {
        seen.push(`${ctx.topic}/${ctx.partition}/${ctx.offset}`);
        return 'continue';
      },
    });
    const raw = d.createInputTopic('amounts', S, Serdes.Bytes());
    raw.pipeInput('a', Buffer.from([9]), 1);
    raw.pipeInput('b', Buffer.from([9, 9]), 2);
    expect(seen).toEqual(['amounts/0/0', 'amounts/0/1']);
    d.close();
  });
});

describe('missing serdes', () => {
  // Kafka initializes source and sink serdes when the task starts: the
  // TopologyTestDriver constructor already fails ("Failed to initialize key
  // serdes for source node ..." caused by a ConfigException) when a node has
  // no serde and no default is configured. So does kstreams.
  it('a topology without serdes or defaults fails when the driver starts', () => {
    const b = new StreamsBuilder();
    b.stream('in').to('out');
    expect(() => new TopologyTestDriver(b.build(), { applicationId: 'no-serdes' })).toThrow();
  });

  // A missing serde is a configuration error at start-up that no handler swallows.
  it("a missing serde is not skipped by 'logAndContinue'", () => {
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    const b = new StreamsBuilder();
    b.stream('in').to('out');
    let failed = false;
    try {
      const d = new TopologyTestDriver(b.build(), { applicationId: 'no-serdes', deserializationExceptionHandler: 'logAndContinue' });
      d.createInputTopic('in', S, S).pipeInput('k', 'v', 1);
    } catch (e) {
      failed = e instanceof ConfigError || (e as Error).cause instanceof ConfigError;
    }
    expect(failed).toBe(true);
  });
});
