/**
 * End-to-end throughput and latency on a REAL Kafka broker (issues #5 and #6, "Speed"):
 *  (a) a plain kafkajs consume -> produce loop (eachBatch, send to the output topic,
 *      commit offsets): the client's own ceiling;
 *  (b) kstreams KafkaStreams source -> sink passthrough;
 *  (c) kstreams groupByKey().count() with defaultDslStore 'rocks_db' (cacheMaxBytes 0,
 *      so every input record yields one output record and completion is countable);
 *  (b-eos), (c-eos): (b) and (c) under processingGuarantee 'exactly_once_v2' (one
 *      transactional producer per task) at --eos-commit-interval (default 100 ms; the
 *      at-least-once cases commit every --alos-commit-interval, default 1000 ms).
 * Each scenario gets its own 4-partition input and output topic and applicationId.
 * Throughput: N records (100-byte values) are pre-produced, then the clock runs from
 * the app's start until the output is complete (admin API polling): at-least-once when
 * the output topic's end offsets sum to N; exactly-once when the group's committed
 * offsets of the input sum to N (output, changelog and offsets commit in one transaction,
 * so that is when a read_committed reader sees all N; end offsets would count the
 * transaction markers too).
 * Latency: while the app still runs, a second phase produces --latency-records at a
 * steady --rate; a consumer of the output topic (read_committed for the exactly-once
 * cases, so it sees a record only once its transaction commits) takes arrival time minus
 * the record timestamp (the producer's CreateTime, carried through to the output) per
 * record.
 * Per kstreams case the table also gives the commits made during the throughput phase
 * and the time they spent in commit step 2 (TaskManager's numbering: awaiting the
 * producer, then offsets or transactions), measured with KafkaStreamsOptions.commitHook:
 * the stream thread processes nothing while it waits there. "cpu %" is this Node process's
 * CPU time over the throughput phase (100 = one core busy all the time).
 * --profile runs the kstreams cases over a kafkajs port that counts every Kafka request
 * by API (kafkajs debug log) and times each transactional-producer call, and prints
 * them per task commit (debug logging costs time: do not read throughput off a profiled run).
 * Uses KAFKA_BOOTSTRAP if set, else starts a broker with `bash scripts/kafka.sh up`
 * and stops it at the end (also on failure).
 * Usage: npx tsx bench/kafka-bench.ts [--records N] [--keys K] [--latency-records L]
 *        [--rate R] [--concurrency C] [--max-message-bytes B] [--cases a,b,b-eos,c,c-eos]
 *        [--alos-commit-interval MS] [--eos-commit-interval MS] [--profile]
 * --max-message-bytes raises the broker's message.max.bytes (cluster-wide, dynamic) first;
 * not needed since the record collector caps each send at 512 KiB.
 */
// first: kstreams' fix of kafkajs' read_committed filter must load before kafkajs does
// (see the file); the latency consumer of the exactly-once cases reads read_committed
import '../src/runtime/kafka/kafkajs/abortedFilterFix.js';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import kafkajs, { type Admin, type Consumer, type Producer } from 'kafkajs';
import { Consumed, KafkaStreams, type KafkaStreamsOptions, KafkaStreamsState, Produced, Serdes, StreamsBuilder, type StreamsConfig } from '../src/index.js';
import type {
  GroupConsumer,
  GroupConsumerConfig,
  KafkaAdmin,
  KafkaPort,
  KafkaProducer,
  ProducerConfig,
  ProducerRecord,
  RecordMetadata,
  TopicPartitionOffset,
  TransactionalProducer,
  TransactionalProducerConfig,
} from '../src/runtime/kafka/KafkaPort.js';
import { type KafkajsLogLevel, KafkajsPort } from '../src/runtime/kafka/kafkajs/index.js';
import type { CommitStep } from '../src/runtime/thread/TaskManager.js';


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
const CASES = new Set(arg('cases', 'a,b,b-eos,c,c-eos').split(',').map((c) => c.trim()));
const ALOS_COMMIT_MS = Number(arg('alos-commit-interval', '1000'));
const EOS_COMMIT_MS = Number(arg('eos-commit-interval', '100'));
const PROFILE = args.includes('--profile');
const PARTITIONS = 4;
const VALUE_BYTES = 100;
const PRODUCE_BATCH = 10_000;
const TIMEOUT_MS = Math.max(120_000, RECORDS / 2);

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const run = Date.now().toString(36);
const log = (s: string) => process.stderr.write(`kafka-bench: ${s}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Commits of a kstreams app during the throughput phase (one stream thread). */
interface CommitFigures {
  commits: number;
  /** Sum over commits of the tasks committed in each. */
  taskCommits: number;
  /** Time spent in commit step 2 (from 'caches-flushed' to 'kafka-committed'), in all. */
  step2Ms: number;
}

interface Result {
  key: string;
  name: string;
  seconds: number;
  rps: number;
  p50: number;
  p99: number;
  latencyCount: number;
  /** CPU time of this Node process (the app, and the bench's polling) over the throughput phase, in % of one core. */
  cpu: number;
  commits: CommitFigures | null;
  profile: Profile | null;
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

/** The sum of the group's committed offsets of `topic` (the topic's records start at offset 0). */
async function committedSum(admin: Admin, groupId: string, topic: string): Promise<number> {
  const [t] = await admin.fetchOffsets({ groupId, topics: [topic] });
  return (t?.partitions ?? []).reduce((s, p) => s + Math.max(0, Number(p.offset)), 0);
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

/** Waits until `progress()` reaches n; returns the seconds since t0. */
async function waitForOutput(progress: () => Promise<number>, what: string, n: number, t0: number, app: App): Promise<number> {
  const deadline = Date.now() + TIMEOUT_MS;
  for (;;) {
    const have = await progress();
    if (have >= n) return (performance.now() - t0) / 1000;
    if (app.failed()) throw new Error(`the app failed: ${what} ${have} of ${n} records`);
    if (Date.now() > deadline) throw new Error(`timed out: ${what} ${have} of ${n} records`);
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
 * `readCommitted`: the consumer sees a transactional record only once it is committed.
 */
async function measureLatency(kafka: Kafka, admin: Admin, producer: Producer, input: string, output: string, readCommitted: boolean): Promise<number[]> {
  const groupId = `bench-lat-${output}`;
  const offs = await admin.fetchTopicOffsets(output);
  await admin.setOffsets({ groupId, topic: output, partitions: offs.map((o) => ({ partition: o.partition, offset: o.high })) });
  const consumer: Consumer = kafka.consumer({
    groupId,
    maxWaitTimeInMs: 100,
    sessionTimeout: 10_000,
    heartbeatInterval: 500,
    readUncommitted: !readCommitted,
  });
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
  /** Exactly-once: done when the group's committed input offsets cover every record. */
  readonly eos: boolean;
  /** The app's consumer group (its applicationId). */
  readonly groupId: string;
  start(): Promise<void>;
  failed(): boolean;
  stop(): Promise<void>;
  /** Commits so far (kstreams apps). */
  commits(): CommitFigures | null;
  /** Requests and transactional calls so far (kstreams apps under --profile). */
  profile(): Profile | null;
}

async function scenario(
  key: string,
  name: string,
  kafka: Kafka,
  admin: Admin,
  producer: Producer,
  makeApp: (input: string, output: string) => App,
): Promise<Result> {
  const tag = `${key}-${run}`;
  const [input, output] = [`bench-in-${tag}`, `bench-out-${tag}`];
  await createTopics(admin, [input, output]);
  log(`${name}: pre-producing ${RECORDS} records to ${input}`);
  await preProduce(producer, input, RECORDS);
  const have = await endOffsetSum(admin, input);
  if (have !== RECORDS) throw new Error(`${input} holds ${have} records, expected ${RECORDS}`);
  const app = makeApp(input, output);
  log(`${name}: running`);
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  await app.start();
  try {
    const seconds = app.eos
      ? await waitForOutput(() => committedSum(admin, app.groupId, input), `${app.groupId} committed`, RECORDS, t0, app)
      : await waitForOutput(() => endOffsetSum(admin, output), `${output} holds`, RECORDS, t0, app);
    const used = process.cpuUsage(cpu0);
    const cpu = (100 * (used.user + used.system)) / 1000 / (1000 * seconds);
    const commits = app.commits();
    const profile = app.profile();
    if (app.eos) {
      // committed input offsets cover N, so the committed output must hold N records (plus markers)
      const out = await endOffsetSum(admin, output);
      if (out < RECORDS) throw new Error(`${output} holds ${out} records (with markers) after all input was committed, expected >= ${RECORDS}`);
    }
    log(`${name}: ${RECORDS} records in ${seconds.toFixed(2)} s; latency phase, ${LAT_RECORDS} records at ${RATE}/s`);
    const lat = (await measureLatency(kafka, admin, producer, input, output, app.eos)).sort((x, y) => x - y);
    return { key, name, seconds, rps: RECORDS / seconds, p50: percentile(lat, 50), p99: percentile(lat, 99), latencyCount: lat.length, cpu, commits, profile };
  } finally {
    await app.stop();
  }
}

function plainLoop(kafka: Kafka, input: string, output: string): App {
  const groupId = `bench-plain-${input}`;
  const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 500, sessionTimeout: 10_000, heartbeatInterval: 500 });
  const producer = kafka.producer();
  let crashed = false;
  consumer.on(consumer.events.CRASH, (e) => (crashed ||= !e.payload.restart));
  return {
    eos: false,
    groupId,
    failed: () => crashed,
    commits: () => null,
    profile: () => null,
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

/** Counts commits and the time spent in step 2, through KafkaStreamsOptions.commitHook (one stream thread). */
class CommitCounter {
  private readonly figures: CommitFigures = { commits: 0, taskCommits: 0, step2Ms: 0 };
  private flushedAt = -1;

  readonly hook = (step: CommitStep, taskIds: readonly string[]): void => {
    if (step === 'caches-flushed') {
      this.flushedAt = performance.now();
    } else if (step === 'kafka-committed' && this.flushedAt >= 0) {
      this.figures.commits++;
      this.figures.taskCommits += taskIds.length;
      this.figures.step2Ms += performance.now() - this.flushedAt;
      this.flushedAt = -1;
    }
  };

  snapshot(): CommitFigures {
    return { ...this.figures };
  }
}

/** What --profile counts: Kafka requests by API, error responses, transactional producer calls. */
interface Profile {
  readonly requests: Map<string, number>;
  readonly errors: Map<string, number>;
  /** By method: calls, total ms, and records (send) or offsets (sendOffsets) passed in all. */
  readonly calls: Map<string, { n: number; ms: number; items: number }>;
}

function bump(m: Map<string, number>, key: string, by = 1): void {
  m.set(key, (m.get(key) ?? 0) + by);
}

/**
 * A kafkajs port (the one kstreams uses) that counts every request its clients send, by
 * API, from kafkajs' debug log ("Request <Api>(key: .., version: ..)"), counts error
 * responses (each retried or surfaced), and times every call of its transactional
 * producers. The counts cover all clients of one app: group consumer, restore readers,
 * admin, the thread's producer and the task producers.
 */
class ProfilingPort implements KafkaPort {
  readonly name = 'kafkajs (profiled)';
  private readonly inner: KafkajsPort;
  private readonly requests = new Map<string, number>();
  private readonly errors = new Map<string, number>();
  private readonly calls = new Map<string, { n: number; ms: number; items: number }>();

  constructor(brokers: string, clientId: string) {
    this.inner = new KafkajsPort({ brokers, clientId, logLevel: 'debug', log: (level, ns, message, extra) => this.onLog(level, ns, message, extra) });
  }

  snapshot(): Profile {
    return { requests: new Map(this.requests), errors: new Map(this.errors), calls: new Map([...this.calls].map(([k, v]) => [k, { ...v }])) };
  }

  private onLog(level: KafkajsLogLevel, ns: string, message: string, extra: Record<string, unknown>): void {
    const m = ns === 'Connection' ? /^(Request|Response) (\w+)\(/.exec(message) : null;
    if (m !== null) {
      if (m[1] === 'Request') bump(this.requests, m[2] as string);
      else if (extra.error !== undefined) bump(this.errors, `${m[2]}: ${String(extra.error)}`);
      return;
    }
    if (level === 'error' || level === 'warn') log(`[kafkajs ${level}] ${ns}: ${message}`);
  }

  private time<T>(method: string, f: () => Promise<T>, items = 0): Promise<T> {
    const t0 = performance.now();
    return f().finally(() => {
      const c = this.calls.get(method) ?? { n: 0, ms: 0, items: 0 };
      c.n++;
      c.ms += performance.now() - t0;
      c.items += items;
      this.calls.set(method, c);
    });
  }

  admin(): Promise<KafkaAdmin> {
    return this.inner.admin();
  }
  consumer(config: GroupConsumerConfig): Promise<GroupConsumer> {
    return this.inner.consumer(config);
  }
  producer(config?: ProducerConfig): Promise<KafkaProducer> {
    return this.inner.producer(config);
  }
  async transactionalProducer(config: TransactionalProducerConfig): Promise<TransactionalProducer> {
    const p = await this.time('init (InitProducerId)', () => this.inner.transactionalProducer(config));
    // the first send of a transaction also adds its partitions to it (AddPartitionsToTxn)
    let first = false;
    return {
      transactionalId: p.transactionalId,
      beginTransaction: () => {
        first = true;
        return this.time('beginTransaction', () => p.beginTransaction());
      },
      send: (records: readonly ProducerRecord[]): Promise<RecordMetadata[]> => {
        const method = first ? 'send, first in txn' : 'send, later';
        first = false;
        return this.time(method, () => p.send(records), records.length);
      },
      sendOffsets: (groupId: string, offsets: readonly TopicPartitionOffset[]) => this.time('sendOffsets', () => p.sendOffsets(groupId, offsets), offsets.length),
      commitTransaction: () => this.time('commitTransaction', () => p.commitTransaction()),
      abortTransaction: () => this.time('abortTransaction', () => p.abortTransaction()),
      inTransaction: () => p.inTransaction(),
      close: () => p.close(),
    };
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}

function streamsApp(bootstrap: string, build: (b: StreamsBuilder, input: string, output: string) => void, extra: Partial<StreamsConfig>) {
  return (input: string, output: string): App => {
    const b = new StreamsBuilder();
    build(b, input, output);
    const stateDir = mkdtempSync(join(tmpdir(), 'kstreams-bench-'));
    const applicationId = `bench-app-${input}`;
    const counter = new CommitCounter();
    const port = PROFILE ? new ProfilingPort(bootstrap, applicationId) : null;
    const options: KafkaStreamsOptions = port === null ? { commitHook: counter.hook } : { commitHook: counter.hook, kafka: port };
    const streams = new KafkaStreams(
      b.build(),
      {
        applicationId,
        bootstrapServers: bootstrap,
        stateDir,
        sessionTimeoutMs: 10_000,
        heartbeatIntervalMs: 500,
        replicationFactor: 1,
        kafkaClient: { logLevel: 'error' },
        ...extra,
      },
      options,
    );
    return {
      eos: extra.processingGuarantee === 'exactly_once_v2',
      groupId: applicationId,
      start: () => streams.start(),
      failed: () => streams.state() === KafkaStreamsState.ERROR || streams.state() === KafkaStreamsState.NOT_RUNNING,
      commits: () => counter.snapshot(),
      profile: () => port?.snapshot() ?? null,
      async stop() {
        await streams.close({ timeoutMs: 30_000 });
        await port?.close();
        rmSync(stateDir, { recursive: true, force: true });
      },
    };
  };
}

function printProfile(r: Result): void {
  const p = r.profile;
  if (p === null) return;
  const c = r.commits;
  const taskCommits = c?.taskCommits ?? 0;
  const per = (n: number) => (taskCommits > 0 ? (n / taskCommits).toFixed(2) : 'n/a');
  console.log(
    `\nprofile ${r.name}: ${c?.commits ?? 0} commits, ${taskCommits} task commits in ${r.seconds.toFixed(2)} s` +
      ` (debug logging on: the time is not comparable with an unprofiled run)`,
  );
  console.log(`  ${'request'.padEnd(22)} ${'count'.padStart(9)} ${'per task commit'.padStart(16)} ${'per s'.padStart(9)}`);
  for (const [api, n] of [...p.requests].sort((x, y) => y[1] - x[1])) {
    console.log(`  ${api.padEnd(22)} ${String(n).padStart(9)} ${per(n).padStart(16)} ${(n / r.seconds).toFixed(1).padStart(9)}`);
  }
  if (p.calls.size > 0) {
    console.log(
      `  ${'transactional call'.padEnd(22)} ${'count'.padStart(9)} ${'per task commit'.padStart(16)} ${'mean ms'.padStart(9)} ${'total s'.padStart(8)} ${'mean items'.padStart(11)}`,
    );
    for (const [method, v] of p.calls) {
      console.log(
        `  ${method.padEnd(22)} ${String(v.n).padStart(9)} ${per(v.n).padStart(16)} ${(v.ms / v.n).toFixed(2).padStart(9)} ${(v.ms / 1000).toFixed(2).padStart(8)} ${(v.items / v.n).toFixed(0).padStart(11)}`,
      );
    }
  }
  for (const [what, n] of [...p.errors].sort((x, y) => y[1] - x[1])) console.log(`  error response x${n}: ${what}`);
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
    const passthrough = (b: StreamsBuilder, i: string, o: string) => b.stream(i, Consumed.with(S, B)).to(o, Produced.with(S, B));
    const count = (b: StreamsBuilder, i: string, o: string) =>
      b.stream(i, Consumed.with(S, B)).groupByKey().count().toStream().to(o, Produced.with(S, Serdes.Long()));
    const alos: Partial<StreamsConfig> = { processingGuarantee: 'at_least_once', commitIntervalMs: ALOS_COMMIT_MS };
    const eos: Partial<StreamsConfig> = { processingGuarantee: 'exactly_once_v2', commitIntervalMs: EOS_COMMIT_MS };
    const rocks: Partial<StreamsConfig> = { defaultDslStore: 'rocks_db', cacheMaxBytes: 0 };
    // each exactly-once case right after its at-least-once case, so a ratio compares neighbours in time
    const cases: [string, string, (input: string, output: string) => App][] = [
      ['a', '(a) kafkajs loop', (i, o) => plainLoop(kafka, i, o)],
      ['b', '(b) kstreams passthrough', streamsApp(bootstrap, passthrough, alos)],
      ['b-eos', '(b-eos) passthrough EOS v2', streamsApp(bootstrap, passthrough, eos)],
      ['c', '(c) kstreams count rocksdb', streamsApp(bootstrap, count, { ...rocks, ...alos })],
      ['c-eos', '(c-eos) count rocksdb EOS v2', streamsApp(bootstrap, count, { ...rocks, ...eos })],
    ];
    const results: Result[] = [];
    try {
      for (const [key, name, makeApp] of cases) {
        if (CASES.has(key)) results.push(await scenario(key, name, kafka, admin, producer, makeApp));
      }
    } finally {
      await Promise.all([admin.disconnect(), producer.disconnect()]);
    }
    const f = (n: number) => (Number.isFinite(n) ? String(Math.round(n)) : 'n/a');
    console.log(
      `\nkafka-bench: ${RECORDS} records x ${VALUE_BYTES} B, ${KEYS} keys, ${PARTITIONS} partitions, broker ${bootstrap}; ` +
        `latency: ${LAT_RECORDS} records at ${RATE}/s; kafkajs loop concurrency ${CONCURRENCY}; ` +
        `commit interval ${ALOS_COMMIT_MS} ms at-least-once, ${EOS_COMMIT_MS} ms exactly_once_v2` +
        (MAX_MESSAGE_BYTES === '' ? '' : `; broker message.max.bytes ${MAX_MESSAGE_BYTES}`) +
        (PROFILE ? '; PROFILED (kafkajs debug logging on)' : ''),
    );
    console.log(
      `${'scenario'.padEnd(30)} ${'seconds'.padStart(8)} ${'records/s'.padStart(10)} ${'p50 ms'.padStart(7)} ${'p99 ms'.padStart(7)} ${'lat n'.padStart(6)}` +
        ` ${'cpu %'.padStart(6)} ${'commits'.padStart(8)} ${'step2 ms'.padStart(9)} ${'step2 %'.padStart(8)}`,
    );
    for (const r of results) {
      const c = r.commits;
      const commitCols =
        c === null || c.commits === 0
          ? `${'-'.padStart(8)} ${'-'.padStart(9)} ${'-'.padStart(8)}`
          : `${String(c.commits).padStart(8)} ${(c.step2Ms / c.commits).toFixed(1).padStart(9)} ${((100 * c.step2Ms) / (1000 * r.seconds)).toFixed(1).padStart(8)}`;
      console.log(
        `${r.name.padEnd(30)} ${r.seconds.toFixed(2).padStart(8)} ${f(r.rps).padStart(10)} ${f(r.p50).padStart(7)} ${f(r.p99).padStart(7)} ${String(r.latencyCount).padStart(6)} ${f(r.cpu).padStart(6)} ${commitCols}`,
      );
    }
    const byKey = new Map(results.map((r) => [r.key, r]));
    const ratio = (num: string, den: string, target: number) => {
      const [x, y] = [byKey.get(num), byKey.get(den)];
      if (x === undefined || y === undefined) return;
      const pct = (100 * x.rps) / y.rps;
      console.log(`(${num})/(${den}) = ${pct.toFixed(1)}% (target >= ${target}%: ${pct >= target ? 'met' : 'NOT met'})`);
    };
    ratio('b', 'a', 70);
    ratio('b-eos', 'b', 60);
    ratio('c-eos', 'c', 60);
    for (const r of results) printProfile(r);
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
