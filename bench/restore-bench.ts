/**
 * End-to-end restore through the runtime (issue #4): N changelog records (default
 * 1,000,000; 100,000 distinct String keys, Long values, as a count store's changelog)
 * are written into `<app>-counts-changelog` of the embedded broker, then a KafkaStreams
 * client with an empty state directory starts the count topology and restores them into
 * its RocksDB store before it processes anything. The clock runs from start() to
 * RUNNING; the restore listener confirms every record was restored. Prints records/s per
 * run and the median (target >= 200,000 records/s). The store-level ceiling (put + commit
 * without the broker and the serde round trip) is `npm run bench:state`.
 *
 * Usage: npx tsx bench/restore-bench.ts [--records N] [--runs R]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Consumed, EmbeddedKafka, KafkaStreams, KafkaStreamsState, Materialized, Produced, Serdes, StreamsBuilder } from '../src/index.js';

const args = process.argv.slice(2);
const arg = (name: string, dflt: string): string => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] !== undefined ? (args[i + 1] as string) : dflt;
};
const RECORDS = Number(arg('records', '1000000'));
const RUNS = Number(arg('runs', '3'));
const KEYS = 100_000;
const BATCH = 10_000;
const S = Serdes.String();
const L = Serdes.Long();

async function oneRun(run: number): Promise<number> {
  const kafka = new EmbeddedKafka();
  const applicationId = `restore-bench-${run}`;
  const [input, output, changelog] = ['in', 'out', `${applicationId}-counts-changelog`];
  const admin = await kafka.admin();
  await admin.createTopics([
    { name: input, numPartitions: 1 },
    { name: output, numPartitions: 1 },
    { name: changelog, numPartitions: 1, configs: { 'cleanup.policy': 'compact' } },
  ]);
  const producer = await kafka.producer();
  for (let i = 0; i < RECORDS; i += BATCH) {
    const batch = [];
    for (let j = i; j < Math.min(RECORDS, i + BATCH); j++) {
      batch.push({ topic: changelog, partition: 0, key: S.serializer().serialize(changelog, `key-${j % KEYS}`), value: L.serializer().serialize(changelog, j), timestamp: j });
    }
    await producer.send(batch as never);
  }
  const b = new StreamsBuilder();
  b.stream(input, Consumed.with(S, S)).groupByKey().count(Materialized.as<string, number>('counts')).toStream().to(output, Produced.with(S, L));
  const stateDir = mkdtempSync(join(tmpdir(), 'kstreams-restore-bench-'));
  const streams = new KafkaStreams(b.build(), { applicationId, stateDir, defaultDslStore: 'rocks_db' }, { kafka });
  let restored = 0;
  streams.setGlobalStateRestoreListener({ onRestoreEnd: (_tp, _store, n) => (restored += n) });
  try {
    const t0 = performance.now();
    await streams.start();
    while (streams.state() !== KafkaStreamsState.RUNNING) await new Promise((r) => setTimeout(r, 5));
    const seconds = (performance.now() - t0) / 1000;
    if (restored !== RECORDS) throw new Error(`restored ${restored} of ${RECORDS} records`);
    return RECORDS / seconds;
  } finally {
    await streams.close();
    await kafka.close();
    rmSync(stateDir, { recursive: true, force: true });
  }
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
console.log(`restore bench: ${fmt(RECORDS)} changelog records into a RocksDB count store (embedded broker), ${RUNS} runs, node ${process.version}`);
const rates: number[] = [];
for (let r = 1; r <= RUNS; r++) {
  const rate = await oneRun(r);
  rates.push(rate);
  console.log(`  run ${r}: ${fmt(rate)} records/s`);
}
const sorted = [...rates].sort((a, b) => a - b);
const median = sorted[sorted.length >> 1] as number;
console.log(`median ${fmt(median)} records/s; target 200,000 -> ${median >= 200_000 ? 'met' : 'MISSED'}`);
