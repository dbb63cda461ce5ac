/**
 * TopologyTestDriver throughput: 1,000,000 records with String serdes through
 * (a) filter -> mapValues -> to, (b) groupByKey().count() over 10,000 keys,
 * (c) a stream-table join, (d) a hopping-window count, (e) a stream-stream
 * left join. Input timestamps advance 1 ms per record. Prints records/s per
 * run and the median.
 * Usage: npm run bench [-- --records N --runs R --only a|b|c]
 */
import {
  Consumed,
  JoinWindows,
  Produced,
  Serdes,
  StreamJoined,
  StreamsBuilder,
  TimeWindows,
  type Topology,
  TopologyTestDriver,
  WindowedSerdes,
} from '../src/index.js';

const args = process.argv.slice(2);
const arg = (name: string, dflt: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] !== undefined ? (args[i + 1] as string) : dflt;
};
const RECORDS = Number(arg('records', '1000000'));
const RUNS = Number(arg('runs', '3'));
const ONLY = arg('only', 'abcde');
const KEYS = 10_000;
/** DSL store type: in-memory by default, as the foundation figures were measured (`--store rocks_db` for RocksDB). */
const STORE = arg('store', 'in_memory') === 'rocks_db' ? 'rocks_db' : 'in_memory';
const S = Serdes.String();

function statelessTopology(): Topology {
  const b = new StreamsBuilder();
  b.stream('in', Consumed.with(S, S))
    .filter((_k, v) => v.length > 0)
    .mapValues((v) => v.toUpperCase())
    .to('out', Produced.with(S, S));
  return b.build();
}

function countTopology(): Topology {
  const b = new StreamsBuilder();
  b.stream('in', Consumed.with(S, S))
    .groupByKey()
    .count()
    .toStream()
    .to('out', Produced.with(S, Serdes.Long()));
  return b.build();
}

function joinTopology(): Topology {
  const b = new StreamsBuilder();
  const table = b.table('table', Consumed.with(S, S));
  b.stream('in', Consumed.with(S, S))
    .join(table, (v, t) => `${v}|${t}`)
    .to('out', Produced.with(S, S));
  return b.build();
}

function hoppingCountTopology(): Topology {
  const b = new StreamsBuilder();
  b.stream('in', Consumed.with(S, S))
    .groupByKey()
    .windowedBy(TimeWindows.ofSizeWithNoGrace(1000).advanceBy(500))
    .count()
    .toStream()
    .to('out', Produced.with(WindowedSerdes.timeWindowedSerdeFrom(S, 1000), Serdes.Long()));
  return b.build();
}

function streamStreamLeftJoinTopology(): Topology {
  const b = new StreamsBuilder();
  const right = b.stream('right', Consumed.with(S, S));
  b.stream('in', Consumed.with(S, S))
    .leftJoin(right, (l, r) => `${l}|${r}`, JoinWindows.ofTimeDifferenceWithNoGrace(10_000), StreamJoined.with(S, S, S))
    .to('out', Produced.with(S, S));
  return b.build();
}

const keys = Array.from({ length: KEYS }, (_, i) => `key-${i}`);

function run(name: string, topology: Topology, prepare?: (d: TopologyTestDriver) => void, everyChunk?: (d: TopologyTestDriver) => void): number {
  const driver = new TopologyTestDriver(topology, { applicationId: 'bench', defaultDslStore: STORE }, 0);
  prepare?.(driver);
  const input = driver.createInputTopic('in', S, S, 0, 1);
  const output = driver.createOutputTopic('out', S, S);
  const start = process.hrtime.bigint();
  const chunk = 10_000;
  for (let i = 0; i < RECORDS; i++) {
    input.pipeInput(keys[i % KEYS] as string, 'value-payload', i);
    // drain every produced topic now and then (changelogs too) so nothing piles up in memory
    if (i % chunk === chunk - 1) {
      everyChunk?.(driver);
      while (!output.isEmpty()) output.readRecord();
      for (const t of driver.producedTopicNames()) {
        if (t === 'out') continue;
        const other = driver.createOutputTopic(t, Serdes.Bytes(), Serdes.Bytes());
        while (!other.isEmpty()) other.readRecord();
      }
    }
  }
  const secs = Number(process.hrtime.bigint() - start) / 1e9;
  driver.close();
  const rate = RECORDS / secs;
  console.log(`  ${name}: ${Math.round(rate).toLocaleString('en-US')} rec/s (${secs.toFixed(2)} s)`);
  return rate;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}

interface BenchCase {
  id: string;
  name: string;
  target: number;
  topology: () => Topology;
  prepare?: (d: TopologyTestDriver) => void;
  everyChunk?: (d: TopologyTestDriver) => void;
}

const cases: BenchCase[] = [
  { id: 'a', name: 'filter -> mapValues -> to', target: 1_000_000, topology: statelessTopology },
  { id: 'b', name: 'groupByKey().count(), 10k keys', target: 500_000, topology: countTopology },
  {
    id: 'c',
    name: 'stream-table join, 10k keys',
    target: 400_000,
    topology: joinTopology,
    prepare: (d) => {
      const t = d.createInputTopic('table', S, S, 0, 0);
      for (const k of keys) t.pipeInput(k, `profile-of-${k}`);
    },
  },
  { id: 'd', name: 'hopping-window count (1000 ms, advance 500 ms), 10k keys', target: 300_000, topology: hoppingCountTopology },
  {
    id: 'e',
    name: 'stream-stream left join (10 s window), 10k keys',
    target: 300_000,
    topology: streamStreamLeftJoinTopology,
    prepare: (d) => {
      const t = d.createInputTopic('right', S, S, 0, 0);
      for (const k of keys) t.pipeInput(k, `right-of-${k}`, 0);
    },
    // unmatched left results are emitted at most once per second of wall-clock time (Kafka's throttle):
    // let one second pass per 10,000 records
    everyChunk: (d) => d.advanceWallClockTime(1000),
  },
];

console.log(`TopologyTestDriver bench: ${RECORDS.toLocaleString('en-US')} records, ${RUNS} runs, ${STORE} stores, node ${process.version}`);
for (const c of cases) {
  if (!ONLY.includes(c.id)) continue;
  console.log(`(${c.id}) ${c.name}`);
  const rates: number[] = [];
  for (let r = 0; r < RUNS; r++) rates.push(run(`run ${r + 1}`, c.topology(), c.prepare, c.everyChunk));
  const m = median(rates);
  console.log(`  median ${Math.round(m).toLocaleString('en-US')} rec/s; target ${c.target.toLocaleString('en-US')} -> ${m >= c.target ? 'met' : 'MISSED'}`);
}
