/**
 * The EOS test's driver (Kafka's EosTestDriver.generate): produces keyed integers to the
 * input topic at a steady rate with an idempotent producer until SIGTERM, then writes a
 * report of what the broker acknowledged and exits 0.
 *
 *   tsx scripts/eos/driver.ts --bootstrap host:port --topic <prefix>-data --report driver.json
 *       [--rate 500] [--keys 2000] [--seed 42] [--max-records 0]
 *
 * Record n (from 0) has key keyOf(n, seed, keys) and the distinct value valueOfSeq(n); the
 * records are sent in order, so the input is known from (seed, keys, count) alone. The
 * partition is Kafka's default (murmur2 of the key), as a Java producer would pick.
 * Sends are awaited one batch at a time; a send that fails after the producer's retries
 * ends the driver with exit 1 (its records may or may not be in the topic, which would
 * make "what was sent" unknowable).
 */
import { writeFileSync } from 'node:fs';
import type { ProducerRecord } from '../../src/runtime/kafka/KafkaPort.js';
import { KafkajsPort } from '../../src/runtime/kafka/kafkajs/index.js';
import { int, intSerde, keyOf, options, sleep, stringSerde, valueOfSeq } from './common.js';

export interface DriverReport {
  readonly topic: string;
  readonly seed: number;
  readonly keys: number;
  /** Records acknowledged by the broker: seqs 0 .. sent-1. */
  readonly sent: number;
  /** Per partition: records acknowledged and the offset after the last one. */
  readonly partitions: Record<string, { count: number; end: number }>;
  /** Offsets that were not 0, 1, 2, ... per partition (an idempotent producer never leaves any). */
  readonly offsetAnomalies: string[];
  readonly startedAt: string;
  readonly stoppedAt: string;
  readonly failed: string | null;
}

const opt = options({
  bootstrap: { env: 'KAFKA_BOOTSTRAP' },
  topic: {},
  report: {},
  rate: { env: 'EOS_RATE', default: '500' },
  keys: { env: 'EOS_KEYS', default: '2000' },
  seed: { env: 'EOS_SEED', default: String(Date.now() % 1_000_000) },
  'max-records': { default: '0' },
});
const rate = int('rate', opt.rate);
const numKeys = int('keys', opt.keys);
const seed = int('seed', opt.seed);
const maxRecords = int('max-records', opt['max-records']);
if (rate < 1 || numKeys < 1) throw new Error('--rate and --keys must be at least 1');

let stopping = false;
process.on('SIGTERM', () => {
  stopping = true;
});
process.on('SIGINT', () => {
  stopping = true;
});

const startedAt = new Date();
const perPartition = new Map<number, { count: number; end: number }>();
const anomalies: string[] = [];
let sent = 0;
let failed: string | null = null;

const port = new KafkajsPort({ brokers: opt.bootstrap, clientId: 'eos-driver', logLevel: 'error' });
try {
  const producer = await port.producer({ clientId: 'eos-driver' });
  const ser = { key: stringSerde.serializer(), value: intSerde.serializer() };
  const t0 = Date.now();
  let lastReport = t0;
  console.log(`driver: producing to ${opt.topic} at ${rate} records/s, ${numKeys} keys, seed ${seed}`);
  while (!stopping && (maxRecords === 0 || sent < maxRecords)) {
    const due = Math.floor(((Date.now() - t0) / 1000) * rate);
    let n = Math.min(due - sent, 5_000);
    if (maxRecords > 0) n = Math.min(n, maxRecords - sent);
    if (n <= 0) {
      await sleep(20);
      continue;
    }
    const batch: ProducerRecord[] = [];
    for (let seq = sent; seq < sent + n; seq++) {
      batch.push({
        topic: opt.topic,
        key: ser.key.serialize(opt.topic, keyOf(seq, seed, numKeys)) as Buffer,
        value: ser.value.serialize(opt.topic, valueOfSeq(seq)) as Buffer,
      });
    }
    let metadata: Awaited<ReturnType<typeof producer.send>>;
    try {
      metadata = await producer.send(batch);
    } catch (e) {
      failed = `send of records ${sent}..${sent + n - 1} failed: ${(e as Error).message}`;
      console.error(`driver: ${failed}`);
      break;
    }
    for (const m of metadata) {
      const p = perPartition.get(m.partition) ?? { count: 0, end: 0 };
      if (m.offset !== p.end && anomalies.length < 20) anomalies.push(`partition ${m.partition}: offset ${m.offset}, expected ${p.end}`);
      p.count++;
      p.end = m.offset + 1;
      perPartition.set(m.partition, p);
    }
    sent += n;
    if (Date.now() - lastReport >= 5_000) {
      lastReport = Date.now();
      console.log(`driver: ${sent} records produced (${Math.round(sent / ((Date.now() - t0) / 1000))}/s)`);
    }
  }
  await producer.close();
} catch (e) {
  failed ??= `driver failed: ${(e as Error).stack ?? String(e)}`;
  console.error(`driver: ${failed}`);
} finally {
  await port.close().catch(() => {});
}

const report: DriverReport = {
  topic: opt.topic,
  seed,
  keys: numKeys,
  sent,
  partitions: Object.fromEntries([...perPartition].sort((a, b) => a[0] - b[0]).map(([p, v]) => [String(p), v])),
  offsetAnomalies: anomalies,
  startedAt: startedAt.toISOString(),
  stoppedAt: new Date().toISOString(),
  failed,
};
writeFileSync(opt.report, `${JSON.stringify(report, null, 2)}\n`);
for (const a of anomalies) console.error(`driver: offset anomaly: ${a}`);
console.log(
  `driver: stopped after ${sent} records produced; per partition ${[...perPartition].map(([p, v]) => `${p}:${v.count}`).join(' ')}; report ${opt.report}`,
);
process.exit(failed === null ? 0 : 1);
