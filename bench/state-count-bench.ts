/**
 * The count topology by store backend, through the real runtime (issue #4, persistent
 * state): stream -> groupByKey().count() -> toStream().to(output), String keys (10,000
 * distinct) and values, run by KafkaStreams on the embedded in-process broker, with
 *  (a) an in-memory store (record cache 10 MiB, the default),
 *  (b) a RocksDB store with the record cache (10 MiB, the default),
 *  (c) a RocksDB store with cacheMaxBytes 0 (every update goes to the store, its changelog
 *      and the output topic at once).
 * commitIntervalMs is the default 30 s, so the cache absorbs repeated keys between commits.
 *
 * Per run: a new embedded broker, N records pre-produced into a 4-partition input topic
 * (not timed), a new applicationId and state directory. The clock runs from start() until
 * the application has processed all N records (a peek in front of the count counts them);
 * `with close` also includes close(), whose final commit flushes the cache (output and
 * changelog records), waits for Kafka and writes the RocksDB stores. Then the state
 * directory is deleted. One short unmeasured run per case warms the JIT up first; cases
 * are interleaved (a, b, c, a, b, c, ...) so that machine noise spreads over them. The
 * medians of the runs are printed with the ratios (b)/(a) (target >= 50%) and (c)/(a).
 *
 * With 10,000 keys the cache holds every key, so (b) touches RocksDB little: a get per key
 * on its first use, and one WriteBatch per store at close (uncommitted writes wait in the
 * store's in-memory overlay until a commit, and no commit falls inside a 30 s interval
 * here). More keys than the cache holds (e.g. --keys 1000000) make it evict to the stores.
 *
 * Usage: npx tsx bench/state-count-bench.ts [N] [--records N] [--runs R] [--keys K]
 *        (or BENCH_RECORDS=N BENCH_RUNS=R BENCH_KEYS=K; defaults 1,000,000 records,
 *        3 runs, 10,000 keys)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import {
  Consumed,
  EmbeddedKafka,
  Grouped,
  KafkaStreams,
  KafkaStreamsState,
  Materialized,
  Produced,
  Serdes,
  StoreType,
  StreamsBuilder,
  type Topology,
} from '../src/index.js';

const args = process.argv.slice(2);
const arg = (name: string): string | undefined => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const positional = args.find((a, i) => /^\d+$/.test(a) && !(args[i - 1] ?? '').startsWith('--'));
const RECORDS = Number(arg('records') ?? positional ?? process.env.BENCH_RECORDS ?? '1000000');
const RUNS = Number(arg('runs') ?? process.env.BENCH_RUNS ?? '3');
const KEYS = Number(arg('keys') ?? process.env.BENCH_KEYS ?? '10000');
if (!(RECORDS > 0) || !(RUNS > 0) || !(KEYS > 0)) throw new Error(`records, runs and keys must be positive numbers, got ${RECORDS}, ${RUNS} and ${KEYS}`);
const PARTITIONS = 4;
const PRODUCE_BATCH = 10_000;
const WARM_UP_RECORDS = 50_000;
const TIMEOUT_MS = Math.max(120_000, RECORDS / 2);
const S = Serdes.String();
const L = Serdes.Long();

interface Case {
  readonly id: 'a' | 'b' | 'c';
  readonly name: string;
  readonly storeType: StoreType;
  /** undefined: the default (10 MiB). */
  readonly cacheMaxBytes?: number;
}
const CASES: readonly Case[] = [
  { id: 'a', name: 'in-memory, cache 10 MiB', storeType: StoreType.IN_MEMORY },
  { id: 'b', name: 'RocksDB, cache 10 MiB', storeType: StoreType.ROCKS_DB },
  { id: 'c', name: 'RocksDB, cacheMaxBytes 0', storeType: StoreType.ROCKS_DB, cacheMaxBytes: 0 },
];

interface Run {
  /** records/s until every record was processed, and including close(). */
  readonly processed: number;
  readonly withClose: number;
}

function topology(storeType: StoreType, counter: { n: number }): Topology {
  const b = new StreamsBuilder();
  b.stream('input', Consumed.with(S, S))
    .peek(() => {
      counter.n++;
    })
    .groupByKey(Grouped.with(S, S))
    .count(Materialized.as<string, number>('counts').withStoreType(storeType))
    .toStream()
    .to('output', Produced.with(S, L));
  return b.build();
}

/** Pre-produces the input: key-(i mod KEYS), 'value-payload', timestamps i. */
async function preProduce(kafka: EmbeddedKafka, records: number): Promise<void> {
  const admin = await kafka.admin();
  await admin.createTopics([
    { name: 'input', numPartitions: PARTITIONS },
    { name: 'output', numPartitions: PARTITIONS },
  ]);
  await admin.close();
  const producer = await kafka.producer();
  const keys = Array.from({ length: KEYS }, (_, i) => S.serializer().serialize('input', `key-${i}`));
  const value = S.serializer().serialize('input', 'value-payload');
  for (let i = 0; i < records; i += PRODUCE_BATCH) {
    const batch = [];
    for (let j = i; j < Math.min(records, i + PRODUCE_BATCH); j++) batch.push({ topic: 'input', key: keys[j % KEYS] ?? null, value, timestamp: j });
    await producer.send(batch);
  }
  await producer.close();
}

async function oneRun(c: Case, run: number | 'warm-up', records = RECORDS): Promise<Run> {
  const kafka = new EmbeddedKafka();
  const stateDir = mkdtempSync(join(tmpdir(), 'kstreams-count-bench-'));
  const counter = { n: 0 };
  let streams: KafkaStreams | null = null;
  try {
    await preProduce(kafka, records);
    streams = new KafkaStreams(
      topology(c.storeType, counter),
      { applicationId: `count-bench-${c.id}-${run}`, stateDir, ...(c.cacheMaxBytes === undefined ? {} : { cacheMaxBytes: c.cacheMaxBytes }) },
      { kafka },
    );
    const t0 = performance.now();
    await streams.start();
    const deadline = Date.now() + TIMEOUT_MS;
    while (counter.n < records) {
      const state = streams.state();
      if (state === KafkaStreamsState.ERROR || state === KafkaStreamsState.PENDING_ERROR) throw new Error(`the app failed after ${counter.n} records`);
      if (Date.now() > deadline) throw new Error(`timed out after ${counter.n} of ${records} records`);
      await new Promise((r) => setTimeout(r, 2));
    }
    const processedMs = performance.now() - t0;
    await streams.close();
    const closedMs = performance.now() - t0;
    streams = null;
    return { processed: (records / processedMs) * 1000, withClose: (records / closedMs) * 1000 };
  } finally {
    await streams?.close();
    await kafka.close();
    rmSync(stateDir, { recursive: true, force: true });
  }
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const pct = (x: number, y: number) => `${((x / y) * 100).toFixed(0)}%`;

async function main(): Promise<void> {
  console.log(`count topology on KafkaStreams (embedded broker), ${fmt(RECORDS)} records, ${fmt(KEYS)} keys, ${RUNS} run(s) per case`);
  // one short unmeasured run per case first, so that no case pays for the JIT's warm-up
  for (const c of CASES) await oneRun(c, 'warm-up', Math.min(RECORDS, WARM_UP_RECORDS));
  const runs = new Map<Case['id'], Run[]>(CASES.map((c) => [c.id, []]));
  for (let r = 1; r <= RUNS; r++) {
    for (const c of CASES) {
      const result = await oneRun(c, r);
      runs.get(c.id)?.push(result);
      console.log(`  run ${r}/${RUNS} (${c.id}) ${c.name.padEnd(26)} ${fmt(result.processed).padStart(10)} rec/s processed, ${fmt(result.withClose).padStart(10)} rec/s with close`);
    }
  }
  const med = new Map<Case['id'], Run>(
    CASES.map((c) => {
      const rs = runs.get(c.id) ?? [];
      return [c.id, { processed: median(rs.map((x) => x.processed)), withClose: median(rs.map((x) => x.withClose)) }];
    }),
  );
  console.log(`\nmedians (records/s, from start() until all ${fmt(RECORDS)} records were processed; with close: until close() returned):`);
  for (const c of CASES) {
    const m = med.get(c.id) as Run;
    console.log(`  (${c.id}) ${c.name.padEnd(26)} ${fmt(m.processed).padStart(10)}   with close ${fmt(m.withClose).padStart(10)}`);
  }
  const [a, b, c] = CASES.map((x) => med.get(x.id) as Run) as [Run, Run, Run];
  const ok = b.processed / a.processed >= 0.5;
  console.log(`  (b)/(a) ${pct(b.processed, a.processed)} (with close ${pct(b.withClose, a.withClose)}), target >= 50%: ${ok ? 'met' : 'NOT met'}`);
  console.log(`  (c)/(a) ${pct(c.processed, a.processed)} (with close ${pct(c.withClose, a.withClose)})`);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
