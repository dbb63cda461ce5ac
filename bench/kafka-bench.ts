/**
 * End-to-end throughput and latency on a REAL Kafka broker (issue #5, "Speed"):
 *  (a) a plain kafkajs consume -> produce loop (eachBatch, send to the output topic,
 *      commit offsets): the client's own ceiling;
 *  (b) kstreams KafkaStreams source -> sink passthrough;
 *  (c) kstreams groupByKey().count() with defaultDslStore 'rocks_db' (cacheMaxBytes 0,
 *      so every input record yields one output record and completion is countable).
 * Each scenario gets its own 4-partition input and output topic and applicationId.
 * Throughput: N records (100-byte values) are pre-produced, then the clock runs from
 * the app's start until the output topic's end offsets sum to N (admin API polling).
 * Latency: while the app still runs, a second phase produces --latency-records at a
 * steady --rate; a consumer of the output topic takes arrival time minus the record
 * timestamp (the producer's CreateTime, carried through to the output) per record.
 * Uses KAFKA_BOOTSTRAP if set, else starts a broker with `bash scripts/kafka.sh up`
 * and stops it at the end (also on failure).
 * Usage: npx tsx bench/kafka-bench.ts [--records N] [--keys K] [--latency-records L]
 *        [--rate R] [--concurrency C] [--max-message-bytes B]
 * kstreams' RecordCollector sends everything buffered while a send was in flight as one
 * batch, which can exceed the broker's message.max.bytes (1 MiB by default) under load
 * (MESSAGE_TOO_LARGE); --max-message-bytes raises that limit on the broker so (b) and
 * (c) can run until the collector splits its batches.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import kafkajs, { type Admin, type Consumer, type Producer } from 'kafkajs';
import { Consumed, KafkaStreams, KafkaStreamsState, Produced, Serdes, StreamsBuilder, type StreamsConfig } from '../src/index.js';

const { ConfigResourceTypes, Kafka, logLevel } = kafkajs;
type Kafka = InstanceType<typeof Kafka>;

const args = process.argv.slice(2);
const arg = (name: string, dflt: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] !== undefined ? (args[i + 1] as string) : dflt;
};
const RECORDS = Number(arg('records', '1000000'));
const KEYS = Number(arg('keys', '100000'));
const LAT_RECORDS = Number(arg('latency-records', '20000'));
const RATE = Number(arg('rate', '2000'));
const CONCURRENCY = Number(arg('concurrency', '1'));
/** If set, raises the broker's cluster-wide message.max.bytes first (dynamic config; a workaround, see below). */
const MAX_MESSAGE_BYTES = arg('max-message-bytes', '');
const PARTITIONS = 4;
const VALUE_BYTES = 100;
const PRODUCE_BATCH = 10_000;
const TIMEOUT_MS = Math.max(120_000, RECORDS / 2);

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const run = Date.now().toString(36);
const log = (s: string) => process.stderr.write(`kafka-bench: ${s}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Result {
  name: string;
  seconds: number;
  rps: number;
  p50: number;
  p99: number;
  latencyCount: number;
}

function kafkaScript(cmd: 'up' | 'down'): string {
  return execFileSync('bash', [join(repo, 'scripts/kafka.sh'), cmd], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
}

async function createTopics(admin: Admin, topics: string[]): Promise<void> {
  await admin.createTopics({ waitForLeaders: true, topics: topics.map((topic) => ({ topic, numPartitions: PARTITIONS, replicationFactor: 1 })) });
}

async function endOffsetSum(admin: Admin, topic: string): Promise<number> {
  const offs = await admin.fetchTopicOffsets(topic);
  return offs.reduce((s, o) => s + Number(o.high) - Number(o.low), 0);
}

async function preProduce(producer: Producer, topic: string, n: number): Promise<void> {
  const value = Buffer.alloc(VALUE_BYTES, 'x');
  const inFlight = new Set<Promise<unknown>>();
  for (let i = 0; i < n; i += PRODUCE_BATCH) {
    const messages = [];
    for (let j = i; j < Math.min(n, i + PRODUCE_BATCH); j++) messages.push({ key: `key-${j % KEYS}`, value });
    const p: Promise<unknown> = producer.send({ topic, acks: 1, messages }).then(() => inFlight.delete(p));
    inFlight.add(p);
    if (inFlight.size >= 4) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
}

/** Waits until the topic's end offsets sum to at least n; returns the seconds since t0. */
async function waitForOutput(admin: Admin, topic: string, n: number, t0: number, app: App): Promise<number> {
  const deadline = Date.now() + TIMEOUT_MS;
  for (;;) {
    const have = await endOffsetSum(admin, topic);
    if (have >= n) return (performance.now() - t0) / 1000;
    if (app.failed()) throw new Error(`the app failed: ${topic} holds ${have} of ${n} records`);
    if (Date.now() > deadline) throw new Error(`timed out: ${topic} holds ${have} of ${n} records`);
    await sleep(50);
  }
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
}

/**
 * The latency phase: a consumer of the output topic starting at its current end, then
 * LAT_RECORDS produced at RATE/s; per output record, arrival minus record timestamp.
 */
async function measureLatency(kafka: Kafka, admin: Admin, producer: Producer, input: string, output: string): Promise<number[]> {
  const groupId = `bench-lat-${output}`;
  const offs = await admin.fetchTopicOffsets(output);
  await admin.setOffsets({ groupId, topic: output, partitions: offs.map((o) => ({ partition: o.partition, offset: o.high })) });
  const consumer: Consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 100, sessionTimeout: 10_000, heartbeatInterval: 500 });
  const latencies: number[] = [];
  let joined = false;
  consumer.on(consumer.events.GROUP_JOIN, () => (joined = true));
  await consumer.connect();
  await consumer.subscribe({ topic: output, fromBeginning: false });
  await consumer.run({
    eachBatch: async ({ batch }) => {
      const now = Date.now();
      for (const m of batch.messages) latencies.push(now - Number(m.timestamp));
    },
  });
  const joinDeadline = Date.now() + 30_000;
  while (!joined && Date.now() < joinDeadline) await sleep(20);
  await sleep(500); // let the first fetch reach the broker
  const value = Buffer.alloc(VALUE_BYTES, 'y');
  const tickMs = 10;
  const perTick = Math.max(1, Math.round((RATE * tickMs) / 1000));
  const start = performance.now();
  let sent = 0;
  const sends: Promise<unknown>[] = [];
  while (sent < LAT_RECORDS) {
    const due = Math.min(LAT_RECORDS, Math.floor(((performance.now() - start) / tickMs + 1) * perTick));
    if (due > sent) {
      const messages = [];
      for (; sent < due; sent++) messages.push({ key: `key-${sent % KEYS}`, value });
      sends.push(producer.send({ topic: input, acks: 1, messages }));
    }
    await sleep(tickMs);
  }
  await Promise.all(sends);
  const deadline = Date.now() + 60_000;
  while (latencies.length < LAT_RECORDS && Date.now() < deadline) await sleep(50);
  await consumer.disconnect();
  if (latencies.length < LAT_RECORDS) log(`latency phase saw only ${latencies.length} of ${LAT_RECORDS} records`);
  return latencies;
}

interface App {
  start(): Promise<void>;
  failed(): boolean;
  stop(): Promise<void>;
}

async function scenario(
  name: string,
  kafka: Kafka,
  admin: Admin,
  producer: Producer,
  makeApp: (input: string, output: string) => App,
): Promise<Result> {
  const tag = `${name.replace(/\W+/g, '-')}-${run}`;
  const [input, output] = [`bench-in-${tag}`, `bench-out-${tag}`];
  await createTopics(admin, [input, output]);
  log(`${name}: pre-producing ${RECORDS} records to ${input}`);
  await preProduce(producer, input, RECORDS);
  const have = await endOffsetSum(admin, input);
  if (have !== RECORDS) throw new Error(`${input} holds ${have} records, expected ${RECORDS}`);
  const app = makeApp(input, output);
  log(`${name}: running`);
  const t0 = performance.now();
  await app.start();
  try {
    const seconds = await waitForOutput(admin, output, RECORDS, t0, app);
    log(`${name}: ${RECORDS} records in ${seconds.toFixed(2)} s; latency phase, ${LAT_RECORDS} records at ${RATE}/s`);
    const lat = (await measureLatency(kafka, admin, producer, input, output)).sort((x, y) => x - y);
    return { name, seconds, rps: RECORDS / seconds, p50: percentile(lat, 50), p99: percentile(lat, 99), latencyCount: lat.length };
  } finally {
    await app.stop();
  }
}

function plainLoop(kafka: Kafka, input: string, output: string): App {
  const consumer = kafka.consumer({ groupId: `bench-plain-${input}`, maxWaitTimeInMs: 500, sessionTimeout: 10_000, heartbeatInterval: 500 });
  const producer = kafka.producer();
  let crashed = false;
  consumer.on(consumer.events.CRASH, (e) => (crashed ||= !e.payload.restart));
  return {
    failed: () => crashed,
    async start() {
      await Promise.all([consumer.connect(), producer.connect()]);
      await consumer.subscribe({ topic: input, fromBeginning: true });
      await consumer.run({
        autoCommit: true,
        autoCommitInterval: 1_000,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: CONCURRENCY,
        eachBatch: async ({ batch, resolveOffset, commitOffsetsIfNecessary, heartbeat }) => {
          if (batch.messages.length === 0) return;
          await producer.send({
            topic: output,
            acks: 1,
            messages: batch.messages.map((m) => ({ key: m.key, value: m.value, timestamp: m.timestamp })),
          });
          resolveOffset(batch.lastOffset());
          await commitOffsetsIfNecessary();
          await heartbeat();
        },
      });
    },
    async stop() {
      await consumer.disconnect();
      await producer.disconnect();
    },
  };
}

function streamsApp(bootstrap: string, build: (b: StreamsBuilder, input: string, output: string) => void, extra: Partial<StreamsConfig>) {
  return (input: string, output: string): App => {
    const b = new StreamsBuilder();
    build(b, input, output);
    const stateDir = mkdtempSync(join(tmpdir(), 'kstreams-bench-'));
    const streams = new KafkaStreams(b.build(), {
      applicationId: `bench-app-${input}`,
      bootstrapServers: bootstrap,
      stateDir,
      commitIntervalMs: 1_000,
      sessionTimeoutMs: 10_000,
      heartbeatIntervalMs: 500,
      replicationFactor: 1,
      kafkaClient: { logLevel: 'error' },
      ...extra,
    });
    return {
      start: () => streams.start(),
      failed: () => streams.state() === KafkaStreamsState.ERROR || streams.state() === KafkaStreamsState.NOT_RUNNING,
      async stop() {
        await streams.close({ timeoutMs: 30_000 });
        rmSync(stateDir, { recursive: true, force: true });
      },
    };
  };
}

async function main(): Promise<void> {
  let bootstrap = process.env.KAFKA_BOOTSTRAP ?? '';
  let ownBroker = false;
  try {
    if (bootstrap === '') {
      log('KAFKA_BOOTSTRAP is not set; starting a broker with scripts/kafka.sh up');
      ownBroker = true;
      const lines = kafkaScript('up').trim().split('\n');
      const m = /^KAFKA_BOOTSTRAP=(.+)$/.exec(lines[lines.length - 1] ?? '');
      if (!m) throw new Error(`scripts/kafka.sh up printed no KAFKA_BOOTSTRAP line`);
      bootstrap = m[1] as string;
    }
    const kafka = new Kafka({ clientId: `kafka-bench-${run}`, brokers: bootstrap.split(','), logLevel: logLevel.ERROR });
    const admin = kafka.admin();
    const producer = kafka.producer();
    await Promise.all([admin.connect(), producer.connect()]);
    if (MAX_MESSAGE_BYTES !== '') {
      const { brokers } = await admin.describeCluster();
      await admin.alterConfigs({
        validateOnly: false,
        resources: brokers.map((br) => ({
          type: ConfigResourceTypes.BROKER,
          name: String(br.nodeId),
          configEntries: [{ name: 'message.max.bytes', value: MAX_MESSAGE_BYTES }],
        })),
      });
      await sleep(2_000);
    }
    const S = Serdes.String();
    const B = Serdes.Bytes();
    const results: Result[] = [];
    try {
      results.push(await scenario('(a) kafkajs loop', kafka, admin, producer, (i, o) => plainLoop(kafka, i, o)));
      results.push(
        await scenario(
          '(b) kstreams passthrough',
          kafka,
          admin,
          producer,
          streamsApp(bootstrap, (b, i, o) => b.stream(i, Consumed.with(S, B)).to(o, Produced.with(S, B)), {}),
        ),
      );
      results.push(
        await scenario(
          '(c) kstreams count rocksdb',
          kafka,
          admin,
          producer,
          streamsApp(
            bootstrap,
            (b, i, o) => b.stream(i, Consumed.with(S, B)).groupByKey().count().toStream().to(o, Produced.with(S, Serdes.Long())),
            { defaultDslStore: 'rocks_db', cacheMaxBytes: 0 },
          ),
        ),
      );
    } finally {
      await Promise.all([admin.disconnect(), producer.disconnect()]);
    }
    const f = (n: number) => (Number.isFinite(n) ? String(Math.round(n)) : 'n/a');
    console.log(
      `\nkafka-bench: ${RECORDS} records x ${VALUE_BYTES} B, ${KEYS} keys, ${PARTITIONS} partitions, broker ${bootstrap}; ` +
        `latency: ${LAT_RECORDS} records at ${RATE}/s; kafkajs loop concurrency ${CONCURRENCY}` +
        (MAX_MESSAGE_BYTES === '' ? '' : `; broker message.max.bytes ${MAX_MESSAGE_BYTES}`),
    );
    console.log(`${'scenario'.padEnd(28)} ${'seconds'.padStart(8)} ${'records/s'.padStart(10)} ${'p50 ms'.padStart(7)} ${'p99 ms'.padStart(7)} ${'lat n'.padStart(6)}`);
    for (const r of results) {
      console.log(
        `${r.name.padEnd(28)} ${r.seconds.toFixed(2).padStart(8)} ${f(r.rps).padStart(10)} ${f(r.p50).padStart(7)} ${f(r.p99).padStart(7)} ${String(r.latencyCount).padStart(6)}`,
      );
    }
    const [a, b] = results;
    if (a && b) {
      const ratio = (100 * b.rps) / a.rps;
      console.log(`(b)/(a) = ${ratio.toFixed(1)}% (target >= 70%: ${ratio >= 70 ? 'met' : 'NOT met'})`);
    }
  } finally {
    if (ownBroker) {
      log('stopping the broker (scripts/kafka.sh down)');
      try {
        kafkaScript('down');
      } catch (e) {
        log(`kafka.sh down failed: ${String(e)}`);
      }
    }
  }
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
