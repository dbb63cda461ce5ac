/**
 * topology.describe().toString() compared with the exact text Kafka Streams
 * prints for the same topology. The expected texts below were produced by
 * Kafka Streams 3.9 (TopologyDescription.toString) for these topologies,
 * built the same way with the Java DSL; they pin down generated names
 * (one counter for nodes and stores, drawn even for named nodes),
 * repartition nodes, sub-topology numbering and node ordering.
 */
import { describe, expect, it } from 'vitest';
import {
  Branched,
  Consumed,
  Grouped,
  Joined,
  JoinWindows,
  type KStream,
  type KTable,
  KeyValues,
  Materialized,
  Named,
  Produced,
  Repartitioned,
  Serdes,
  Stores,
  StreamJoined,
  StreamsBuilder,
  Topology,
  type Processor,
} from '../../src/index.js';
import { KAFKA } from './kafka-descriptions.js';

const S = Serdes.String();
const L = Serdes.Long();

function noop(): Processor<unknown, unknown, never, never> {
  return { process() {} };
}

const BUILD: Record<string, () => Topology> = {
  stateless: () => {
    const b = new StreamsBuilder();
    b.stream<string, string>('in', Consumed.with(S, S))
      .filter((_k, v) => v !== null)
      .mapValues((v) => v.toUpperCase())
      .to('out', Produced.with(S, S));
    return b.build();
  },
  wordcount: () => {
    const b = new StreamsBuilder();
    b.stream<string, string>('lines', Consumed.with(S, S))
      .flatMapValues((v) => v.split(' '))
      .groupBy((_k, w) => w, Grouped.with(S, S))
      .count()
      .toStream()
      .to('counts', Produced.with(S, L));
    return b.build();
  },
  named: () => {
    const b = new StreamsBuilder();
    b.stream<string, string>('in', Consumed.with(S, S).withName('reader'))
      .filter(() => true, Named.as('only-big'))
      .mapValues((v) => v)
      .peek(() => {}, Named.as('look'))
      .selectKey((_k, v) => v)
      .to('out', Produced.with(S, S).withName('writer'));
    return b.build();
  },
  split: () => {
    const b = new StreamsBuilder();
    const m = b
      .stream<string, string>('in', Consumed.with(S, S))
      .split(Named.as('route-'))
      .branch((_k, v) => v.startsWith('a'), Branched.as('a'))
      .branch((_k, v) => v.startsWith('b'), Branched.withFunction((x) => x.mapValues((v) => `${v}!`), 'b'))
      .defaultBranch();
    m.get('route-a')
      ?.merge(m.get('route-b') as never)
      .to('ab', Produced.with(S, S));
    m.get('route-0')?.to('rest', Produced.with(S, S));
    return b.build();
  },
  'stream-table': () => {
    const b = new StreamsBuilder();
    const t = b.table<string, string>('customers', Consumed.with(S, S));
    b.stream<string, string>('orders', Consumed.with(S, S))
      .selectKey((_k, v) => v)
      .join(t, (o, c) => o + c, Joined.with(S, S, S))
      .to('enriched', Produced.with(S, S));
    return b.build();
  },
  global: () => {
    const b = new StreamsBuilder();
    const g = b.globalTable<string, string>('products', Consumed.with(S, S), Materialized.as<string, string>('product-store'));
    b.stream<string, string>('orders', Consumed.with(S, S))
      .join(
        g,
        (_k, v) => v,
        (v, p) => v + p,
      )
      .to('out', Produced.with(S, S));
    return b.build();
  },
  'table-groupby': () => {
    const b = new StreamsBuilder();
    b.table<string, string>('users', Consumed.with(S, S))
      .groupBy((u, r) => KeyValues.pair(r, u), Grouped.with(S, S, 'by-region'))
      .count(Materialized.as<string, number>('region-counts'))
      .toStream()
      .to('out', Produced.with(S, L));
    return b.build();
  },
  'table-table': () => {
    const b = new StreamsBuilder();
    const left = b.stream<string, string>('ls', Consumed.with(S, S)).toTable();
    const right = b
      .table<string, string>('rt', Consumed.with(S, S))
      .mapValues((v) => v, Materialized.as<string, string>('rt-mapped').withKeySerde(S).withValueSerde(S));
    left.leftJoin(right, (x, y) => x + y).toStream().to('out', Produced.with(S, S));
    return b.build();
  },
  repartition: () => {
    const b = new StreamsBuilder();
    b.addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore('seen'), S, L));
    const s = b
      .stream<string, string>('in', Consumed.with(S, S))
      .map((k, v) => KeyValues.pair(v, k))
      .repartition(Repartitioned.as<string, string>('shuffle').withKeySerde(S).withValueSerde(S));
    s.groupByKey()
      .reduce((x, y) => x + y, Named.as('concat'), Materialized.as<string, string>('concat-store'))
      .toStream()
      .to('concat', Produced.with(S, S));
    s.process(noop as never, 'seen').to('processed');
    return b.build();
  },
  'named-everywhere': () => {
    const b = new StreamsBuilder();
    const users = b.table<string, string>('users', Consumed.with(S, S).withName('users'));
    const g = b.globalTable<string, string>('regions', Consumed.with(S, S).withName('regions'));
    const clicks = b.stream<string, string>('clicks', Consumed.with(S, S));
    const enriched = clicks
      .leftJoin(users, (c, u) => c + u, Joined.with<string, string, string>(S, S, S).withName('with-user'))
      .join(
        g,
        (_k, v) => v,
        (v, r) => v + r,
        Named.as('with-region'),
      );
    enriched
      .groupByKey()
      .count(Named.as('click-count'))
      .toStream(Named.as('counts-out'))
      .to('counts', Produced.with(S, L));
    enriched
      .toTable(Materialized.with(S, S), Named.as('latest'))
      .filter(() => true, Named.as('keep'))
      .toStream()
      .to('latest');
    return b.build();
  },
  'two-joins-one-repartition': () => {
    const b = new StreamsBuilder();
    const t1 = b.table<string, string>('t1', Consumed.with(S, S));
    const t2 = b.table<string, string>('t2', Consumed.with(S, S));
    const s = b.stream<string, string>('s', Consumed.with(S, S)).selectKey((_k, v) => v);
    s.join(t1, (x, y) => `${x}+${y}`, Joined.with(S, S, S)).to('o1', Produced.with(S, S));
    s.leftJoin(t2, (x, y) => `${x}+${y}`, Joined.with(S, S, S)).to('o2', Produced.with(S, S));
    return b.build();
  },
  papi: () => {
    const t = new Topology();
    t.addSource('src', 'in');
    t.addProcessor('upper', noop, 'src');
    t.addProcessor('count', noop, 'upper');
    t.addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore('counts'), S, L) as never, 'count');
    t.addSink('out1', 'o1', 'upper');
    t.addSink('out2', 'o2', 'count', 'upper');
    t.addSource('src2', 'in2', 'in3');
    t.addSink('out3', 'o3', 'src2');
    return t;
  },
};


/** Topologies where nodes have several parents or children; mirrored from /tmp/oracle/src/Desc3.java. */
type SK = KStream<string, string>;
const kv = (name: string) => Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(name), S, S) as never;
const input = (b: StreamsBuilder, t: string): SK => b.stream<string, string>(t, Consumed.with(S, S));
const tbl = (b: StreamsBuilder, t: string): KTable<string, string> => b.table<string, string>(t, Consumed.with(S, S));
const cat = (x: unknown, y: unknown) => `${x}${y}`;

const NEIGHBOURS: Record<string, () => Topology> = {
  'split-2-default': () => {
    const b = new StreamsBuilder();
    const m = input(b, 'in')
      .split()
      .branch((_k, v) => v.length === 0)
      .defaultBranch();
    for (const k of [...m.keys()].sort()) m.get(k)?.to(`out-${k}`);
    return b.build();
  },
  'split-3-default': () => {
    const b = new StreamsBuilder();
    const m = input(b, 'in')
      .split(Named.as('r-'))
      .branch((_k, v) => v.startsWith('a'), Branched.as('a'))
      .branch((_k, v) => v.startsWith('b'), Branched.withFunction((x) => x.mapValues((v) => v), 'b'))
      .branch((_k, v) => v.startsWith('c'), Branched.withConsumer((x) => x.to('c')))
      .defaultBranch(Branched.as('other'));
    m.get('r-a')?.to('a');
    m.get('r-b')?.to('b');
    m.get('r-other')?.to('other');
    return b.build();
  },
  'split-4-default': () => {
    const b = new StreamsBuilder();
    const s = input(b, 'in').filter((_k, v) => v !== null);
    const m = s
      .split(Named.as('q'))
      .branch((_k, v) => v.length === 1)
      .branch((_k, v) => v.length === 2)
      .branch((_k, v) => v.length === 3)
      .branch((_k, v) => v.length === 4)
      .defaultBranch();
    const q = (k: string) => m.get(k) as SK;
    q('q1').merge(q('q2')).merge(q('q3')).to('short');
    q('q4')
      .mapValues((v) => v)
      .to('four');
    q('q0')
      .peek(() => {})
      .to('long');
    s.to('all');
    return b.build();
  },
  'table-join-inner': () => {
    const b = new StreamsBuilder();
    tbl(b, 'l').join(tbl(b, 'r'), cat).toStream().to('out');
    return b.build();
  },
  'table-join-left': () => {
    const b = new StreamsBuilder();
    tbl(b, 'l').leftJoin(tbl(b, 'r'), cat, Materialized.as<string, string>('joined')).toStream().to('out');
    return b.build();
  },
  'table-join-outer': () => {
    const b = new StreamsBuilder();
    tbl(b, 'l').outerJoin(tbl(b, 'r'), cat, Named.as('both')).toStream().to('out');
    return b.build();
  },
  'table-join-chain': () => {
    const b = new StreamsBuilder();
    tbl(b, 't1')
      .join(tbl(b, 't2'), cat)
      .leftJoin(tbl(b, 't3'), cat)
      .outerJoin(tbl(b, 't4'), cat)
      .toStream()
      .to('out');
    return b.build();
  },
  'table-join-reuse': () => {
    const b = new StreamsBuilder();
    const t1 = tbl(b, 't1');
    const t2 = tbl(b, 't2').filter(() => true);
    const j = t1.join(t2, cat);
    j.join(t1, cat).toStream().to('o1');
    j.toStream().to('o2');
    t2.toStream().to('o3');
    return b.build();
  },
  'papi-multi-parent-sinks': () => {
    const t = new Topology();
    t.addSource('src', 'in');
    t.addProcessor('a', noop, 'src');
    t.addProcessor('b', noop, 'src');
    t.addProcessor('c', noop, 'a');
    t.addSink('two', 'o2', 'a', 'b');
    t.addSink('three', 'o3', 'b', 'c', 'src');
    t.addSink('three-rev', 'o4', 'c', 'src', 'b');
    return t;
  },
  'merge-3': () => {
    const b = new StreamsBuilder();
    input(b, 'a').merge(input(b, 'b')).merge(input(b, 'c')).to('out');
    const x = input(b, 'x');
    const y = input(b, 'y').mapValues((v) => v);
    x.merge(y.merge(input(b, 'z'), Named.as('yz')), Named.as('xyz'))
      .filter(() => true)
      .to('out2');
    return b.build();
  },
  'process-shared-stores': () => {
    const b = new StreamsBuilder();
    b.addStateStore(kv('shared-a'));
    b.addStateStore(kv('shared-b'));
    input(b, 'one').process(noop, 'shared-a').to('o1');
    input(b, 'two').process(noop, Named.as('second'), 'shared-a', 'shared-b').to('o2');
    input(b, 'three')
      .filter(() => true)
      .process(noop, 'shared-b');
    input(b, 'four').to('o4');
    return b.build();
  },
  'global-stores': () => {
    const b = new StreamsBuilder();
    b.addGlobalStore(
      Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore('g-store'), S, S).withLoggingDisabled() as never,
      'g-topic',
      Consumed.with(S, S),
      noop,
    );
    const g = b.globalTable<string, string>('g2', Consumed.with(S, S), Materialized.as<string, string>('g2-store'));
    const s = input(b, 'in');
    s.join(g, (_k, v) => v, cat).to('o1');
    s.leftJoin(g, (k) => k, cat).to('o2');
    return b.build();
  },
  'big-one-subtopology': () => {
    const b = new StreamsBuilder();
    let cur = input(b, 'in');
    for (let i = 0; i < 6; i++) {
      const f = cur.filter(() => true);
      cur.mapValues((v) => v).to(`side-${i}`);
      cur = f.merge(cur.peek(() => {}));
    }
    cur.to('end');
    return b.build();
  },
  'big-fan-out': () => {
    const b = new StreamsBuilder();
    let split = input(b, 'in').split(Named.as('fan-'));
    for (let i = 0; i < 8; i++) split = split.branch(() => true, Branched.as(`x${i}`));
    const m = split.defaultBranch(Branched.as('rest'));
    let merged: SK | null = null;
    for (const k of [...m.keys()].sort()) {
      const v = (m.get(k) as SK).mapValues((x) => x);
      v.to(`o-${k}`);
      merged = merged === null ? v : merged.merge(v);
    }
    merged?.to('merged');
    return b.build();
  },
  'stream-joins': () => {
    const b = new StreamsBuilder();
    const l = input(b, 'left');
    const r = input(b, 'right');
    l.join(r, cat, JoinWindows.ofTimeDifferenceWithNoGrace(100), StreamJoined.with(S, S, S)).to('inner');
    l.leftJoin(r, cat, JoinWindows.ofTimeDifferenceAndGrace(100, 10), StreamJoined.with(S, S, S)).to('left');
    l.outerJoin(r, cat, JoinWindows.ofTimeDifferenceAndGrace(100, 10), StreamJoined.with(S, S, S)).to('outer');
    return b.build();
  },
  'agg-and-joins': () => {
    const b = new StreamsBuilder();
    const counts = input(b, 'clicks').groupByKey().count();
    const users = tbl(b, 'users');
    users.join(counts, cat).toStream().to('user-counts');
    counts.toStream().to('counts', Produced.with(S, L));
    users
      .groupBy((k, v) => KeyValues.pair(v, k))
      .count()
      .toStream()
      .to('by-value', Produced.with(S, L));
    return b.build();
  },
};


/**
 * Processor API topologies written as /tmp/oracle/src/Fuzz.java specs
 * (S source topics..., P processor parents..., K sink topic parents...).
 * Their names pile up in one bucket of Java's HashMap: 9 in a 16-slot table
 * (which makes it resize early), and 10 in a 64-slot one (which "treeifies"
 * the bucket and reorders its iteration).
 */
function fromSpec(spec: string): Topology {
  const t = new Topology();
  for (const line of spec.trim().split('\n')) {
    const [op, name, ...rest] = line.trim().split(/ +/) as [string, string, ...string[]];
    if (op === 'S') t.addSource(name, ...rest);
    else if (op === 'P') t.addProcessor(name, noop, ...rest);
    else t.addSink(name, rest[0] as string, ...rest.slice(1));
  }
  return t;
}

const SPECS: Record<string, string> = {
  'papi-bucket-resize': `
S n0x8 t0
P n0x10 n0x8
P n0x21 n0x10 n0x8
K n0x32 o3 n0x21
P n0x43 n0x21 n0x10
P n0x54 n0x43 n0x21
P n0x65 n0x54 n0x8
K n0x76 o7 n0x65 n0x54
P n0x87 n0x65 n0x54
`,
  'papi-treeified-bucket': `
S c30x70 t30
P o30x0 c30x70
P o30x1 o30x0 c30x70
P c30x92 o30x1 o30x0 c30x70
P o30x2 c30x92 o30x1 c30x70
P o30x3 o30x2 o30x1 c30x70
P c30x8091 o30x3 c30x92 c30x70
P o30x4 c30x8091 c30x92 c30x70
P o30x5 o30x4 o30x2 c30x70
P c30x8190 o30x5 o30x2 c30x70
P o30x6 c30x8190 o30x3 c30x70
P o30x7 o30x6 o30x3 c30x70
P c30x8216 o30x7 c30x8091 c30x70
P o30x8 c30x8216 c30x8091 c30x70
P o30x9 o30x8 o30x4 c30x70
P c30x8238 o30x9 o30x4 c30x70
P o30x10 c30x8238 o30x5 c30x70
P o30x11 o30x10 o30x5 c30x70
P c30x8315 o30x11 c30x8190 c30x70
P o30x12 c30x8315 c30x8190 c30x70
P o30x13 o30x12 o30x6 c30x70
P c30x8337 o30x13 o30x6 c30x70
P o30x14 c30x8337 o30x7 c30x70
P o30x15 o30x14 o30x7 c30x70
P c30x8359 o30x15 c30x8216 c30x70
P o30x16 c30x8359 c30x8216 c30x70
P o30x17 o30x16 o30x8 c30x70
P c30x8414 o30x17 o30x8 c30x70
P o30x18 c30x8414 o30x9 c30x70
P o30x19 o30x18 o30x9 c30x70
`,
};

describe('describe() matches Kafka Streams', () => {
  const fromSpecs = Object.fromEntries(Object.entries(SPECS).map(([name, spec]) => [name, () => fromSpec(spec)]));
  for (const [name, build] of Object.entries({ ...BUILD, ...NEIGHBOURS, ...fromSpecs })) {
    it(name, () => {
      expect(KAFKA[name]).toBeDefined();
      expect(build().describe().toString()).toBe(KAFKA[name]);
    });
  }
});
