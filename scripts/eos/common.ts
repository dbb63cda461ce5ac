/**
 * What the EOS system test's driver, application, verifier and harness share: topic
 * names, the deterministic input (which key and value the n-th record has), serdes,
 * command-line parsing and a few helpers to read topics through the project's Kafka port.
 *
 * The input is a pure function of (seed, number of keys, sequence number): record n has
 * key `keyOf(n)` and value `valueOfSeq(n)`. Values are all distinct (a multiplicative
 * permutation of 1..2^31-2), so a value names the record it came from; the verifier uses
 * that to tell which input record each delta of the repartitioned sum belongs to.
 */
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { Serdes } from '../../src/index.js';
import type {
  FetchedBatch,
  GroupConsumer,
  IsolationLevel,
  KafkaPort,
  MemberAssignment,
  PartitionAssignor,
  TopicPartition,
} from '../../src/runtime/kafka/KafkaPort.js';
import type { RawRecord } from '../../src/runtime/task/RawRecord.js';

// ---------------------------------------------------------------------------
// Names
// ---------------------------------------------------------------------------

export const PARTITIONS = 5;

/** The user topics of one run; `prefix` keeps runs on one broker apart. */
export function topicNames(prefix: string) {
  return {
    data: `${prefix}-data`,
    echo: `${prefix}-echo`,
    sum: `${prefix}-sum`,
    min: `${prefix}-min`,
    max: `${prefix}-max`,
    cnt: `${prefix}-cnt`,
    /** sum per re-keyed key (`rekey(key)`), aggregated after a repartition topic */
    resum: `${prefix}-resum`,
  };
}
export type TopicNames = ReturnType<typeof topicNames>;

/** Store names (they name the changelogs) and the Grouped name (it names the repartition topic). */
export const STORES = { sum: 'sum-store', min: 'min-store', max: 'max-store', cnt: 'cnt-store', resum: 'resum-store' } as const;
export const REKEY_GROUPED = 'rekey';

/** The internal topics the application creates: `<applicationId>-<store>-changelog` and `<applicationId>-rekey-repartition`. */
export function internalTopics(applicationId: string): { changelogs: string[]; repartition: string } {
  return {
    changelogs: Object.values(STORES).map((s) => `${applicationId}-${s}-changelog`),
    repartition: `${applicationId}-${REKEY_GROUPED}-repartition`,
  };
}

// ---------------------------------------------------------------------------
// The input: deterministic keys, distinct values
// ---------------------------------------------------------------------------

/** 2^31 - 1, prime: v -> v * A mod P permutes 1..P-1. */
const P = 2147483647;
const A = 48271;
const A_INVERSE = modInverse(BigInt(A), BigInt(P));

function modInverse(a: bigint, m: bigint): bigint {
  let [oldR, r] = [a, m];
  let [oldS, s] = [1n, 0n];
  while (r !== 0n) {
    const q = oldR / r;
    [oldR, r] = [r, oldR - q * r];
    [oldS, s] = [s, oldS - q * s];
  }
  return ((oldS % m) + m) % m;
}

/** The value of record `seq` (0-based): distinct for every seq below 2^31 - 2, in 1..2^31-2 (fits a Java int). */
export function valueOfSeq(seq: number): number {
  return ((seq + 1) * A) % P;
}

/** The seq whose value is `value`, or -1 if `value` is no value of the driver's. */
export function seqOfValue(value: number): number {
  if (!Number.isInteger(value) || value < 1 || value >= P) return -1;
  return Number((BigInt(value) * A_INVERSE) % BigInt(P)) - 1;
}

/** murmur3's 32-bit finaliser: a cheap, well-mixed hash of an integer. */
function mix32(x: number): number {
  let h = x | 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** The key of record `seq`: one of `numKeys` decimal strings, pseudo-random per seed. */
export function keyOf(seq: number, seed: number, numKeys: number): string {
  return String(mix32(mix32(seq) ^ seed) % numKeys);
}

/** How many new keys the repartitioned aggregation groups the input keys into. */
export const REKEY_MODULUS = 23;

/** The repartitioned variant's key: input keys grouped modulo REKEY_MODULUS. */
export function rekey(key: string): string {
  return `r${Number(key) % REKEY_MODULUS}`;
}

// ---------------------------------------------------------------------------
// Serdes (Kafka's layouts: String UTF-8, Integer 4 bytes and Long 8 bytes big-endian)
// ---------------------------------------------------------------------------

export const stringSerde = Serdes.String();
export const intSerde = Serdes.Integer();
export const longSerde = Serdes.Long();

/** A record read back: partition, offset and the deserialized key and value. */
export interface Rec {
  readonly partition: number;
  readonly offset: number;
  readonly key: string;
  readonly value: number;
}

export function decode(raw: RawRecord, value: 'int' | 'long'): Rec {
  const key = raw.key === null ? '<null>' : (stringSerde.deserializer().deserialize(raw.topic, raw.key) as string);
  let v = Number.NaN;
  if (raw.value !== null) {
    v = (value === 'int' ? intSerde : longSerde).deserializer().deserialize(raw.topic, raw.value) as number;
  }
  return { partition: raw.partition, offset: raw.offset, key, value: v };
}

// ---------------------------------------------------------------------------
// Command line and environment
// ---------------------------------------------------------------------------

/** `--name value` / `--name=value` options, each falling back to an environment variable, then a default. */
export function options<T extends Record<string, { env?: string; default?: string }>>(spec: T, argv = process.argv.slice(2)): Record<keyof T, string> {
  const parsed = parseArgs({
    args: argv,
    options: Object.fromEntries(Object.keys(spec).map((k) => [k, { type: 'string' as const }])),
    strict: true,
    allowPositionals: false,
  }).values as Record<string, string | undefined>;
  const out: Record<string, string> = {};
  for (const [name, s] of Object.entries(spec)) {
    const v = parsed[name] ?? (s.env !== undefined ? process.env[s.env] : undefined) ?? s.default;
    if (v === undefined || v === '') throw new Error(`missing --${name}${s.env !== undefined ? ` (or ${s.env})` : ''}`);
    out[name] = v;
  }
  return out as Record<keyof T, string>;
}

export function int(name: string, v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} must be a non-negative integer, got '${v}'`);
  return n;
}

export type Guarantee = 'exactly_once_v2' | 'at_least_once';

export function guarantee(v: string): Guarantee {
  if (v !== 'exactly_once_v2' && v !== 'at_least_once') throw new Error(`guarantee must be exactly_once_v2 or at_least_once, got '${v}'`);
  return v;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------------------
// Reading topics through the port
// ---------------------------------------------------------------------------

export const tpKey = (topic: string, partition: number): string => `${topic}|${partition}`;

/** An assignor that gives exactly `partitions` to the first (only) member of a private group. */
function fixedAssignor(partitions: readonly TopicPartition[]): PartitionAssignor {
  const empty = Buffer.alloc(0);
  return {
    name: 'kstreams-eos-reader',
    subscriptionUserData: () => empty,
    assign: ({ members }) =>
      new Map<string, MemberAssignment>(members.map((m, i) => [m.memberId, { partitions: i === 0 ? [...partitions] : [], userData: empty }])),
  };
}

/**
 * A consumer alone in a throw-away group that owns exactly `partitions` (the port has no
 * assign()); it never commits. Resolves once the assignment is delivered (so that seek
 * works), with whatever records the polls that waited for it returned.
 */
export async function openReader(
  port: KafkaPort,
  partitions: readonly TopicPartition[],
  isolationLevel: IsolationLevel,
  offsetReset: 'earliest' | 'latest' = 'earliest',
): Promise<{ consumer: GroupConsumer; early: FetchedBatch[] }> {
  const consumer = await port.consumer({
    groupId: `kstreams-eos-verifier-${randomUUID()}`,
    assignor: fixedAssignor(partitions),
    isolationLevel,
    offsetReset,
    sessionTimeoutMs: 30_000,
    heartbeatIntervalMs: 3_000,
    maxPollRecords: 10_000,
    maxBufferedRecordsPerPartition: 20_000,
  });
  const early: FetchedBatch[] = [];
  try {
    await consumer.subscribe([...new Set(partitions.map((tp) => tp.topic))]);
    const deadline = Date.now() + 60_000;
    while (consumer.assignment().partitions.length < partitions.length) {
      if (Date.now() > deadline) throw new Error(`reader got ${consumer.assignment().partitions.length} of ${partitions.length} partitions within 60 s`);
      early.push(...(await consumer.poll(200)));
    }
  } catch (e) {
    await consumer.close().catch(() => {});
    throw e;
  }
  return { consumer, early };
}

export interface ReadResult {
  /** Records by tpKey, in offset order. */
  readonly records: Map<string, RawRecord[]>;
  /**
   * Partitions whose last record read lies before `end - 1`: the rest were transaction
   * markers or aborted records (a read_committed consumer never sees them), recognised
   * by nothing more arriving for `quietMs`.
   */
  readonly endedQuietly: string[];
}

/**
 * Reads every partition from its start to `ends` (by tpKey, exclusive). A partition is
 * complete when a record at `end - 1` arrived or the consumer's position reached `end`;
 * since a read_committed reader never sees transaction markers or aborted records (and
 * the kafkajs adapter's position may stop before trailing ones), it is also complete once
 * nothing at all has arrived for `quietMs` (the fetch loop asks every partition at least
 * every 500 ms). A record at or beyond `end` is kept too: reported by the caller.
 */
export async function readToEnd(
  port: KafkaPort,
  ends: ReadonlyMap<string, { topic: string; partition: number; end: number }>,
  isolationLevel: IsolationLevel,
  opts: { quietMs?: number; timeoutMs?: number; onProgress?: (n: number) => void } = {},
): Promise<ReadResult> {
  const quietMs = opts.quietMs ?? 5_000;
  const timeoutMs = opts.timeoutMs ?? 600_000;
  const records = new Map<string, RawRecord[]>([...ends.keys()].map((k) => [k, []]));
  const pending = new Set([...ends].filter(([, e]) => e.end > 0).map(([k]) => k));
  if (pending.size === 0) return { records, endedQuietly: [] };
  const wanted = [...ends.values()].filter((e) => e.end > 0).map(({ topic, partition }) => ({ topic, partition }));
  const { consumer, early } = await openReader(port, wanted, isolationLevel, 'earliest');
  const started = Date.now();
  let lastRecordAt = Date.now();
  let total = 0;
  let lastReport = Date.now();
  try {
    let batches: FetchedBatch[] = early;
    while (pending.size > 0) {
      if (batches.length === 0) batches = await consumer.poll(250);
      for (const b of batches) {
        const key = tpKey(b.topic, b.partition);
        const list = records.get(key);
        if (list === undefined || b.records.length === 0) continue;
        for (const r of b.records) list.push(r);
        total += b.records.length;
        lastRecordAt = Date.now();
        const last = b.records[b.records.length - 1] as RawRecord;
        if (last.offset + 1 >= (ends.get(key)?.end ?? 0)) pending.delete(key);
      }
      batches = [];
      // an adapter whose position moves past transaction markers ends such partitions at once
      for (const key of [...pending]) {
        const e = ends.get(key) as { topic: string; partition: number; end: number };
        const pos = consumer.position({ topic: e.topic, partition: e.partition });
        if (pos !== undefined && pos >= e.end) pending.delete(key);
      }
      if (opts.onProgress !== undefined && Date.now() - lastReport > 5_000) {
        opts.onProgress(total);
        lastReport = Date.now();
      }
      if (Date.now() - lastRecordAt > quietMs) break;
      if (Date.now() - started > timeoutMs) throw new Error(`reading ${pending.size} partitions to their end took over ${timeoutMs} ms`);
    }
  } finally {
    await consumer.close().catch(() => {});
  }
  return { records, endedQuietly: [...pending] };
}

/**
 * For each partition, the first record at or after the given offset that a consumer of
 * `isolationLevel` can read within `waitMs`, if any. Used (1) read_uncommitted from the
 * last stable offset: a record there belongs to a transaction still open, and (2)
 * read_committed from a group's committed offset: a record there was never processed.
 */
export async function firstReadableFrom(
  port: KafkaPort,
  starts: ReadonlyMap<string, { topic: string; partition: number; offset: number }>,
  isolationLevel: IsolationLevel,
  waitMs: number,
): Promise<Map<string, { offset: number; highWatermark: number }>> {
  const found = new Map<string, { offset: number; highWatermark: number }>();
  if (starts.size === 0) return found;
  // 'latest' starts at the end, so the polls before the seeks can only return records at
  // or after every start offset (the end is past them): those count as found too
  const { consumer, early } = await openReader(
    port,
    [...starts.values()].map(({ topic, partition }) => ({ topic, partition })),
    isolationLevel,
    'latest',
  );
  const take = (batches: readonly FetchedBatch[]): void => {
    for (const b of batches) {
      const key = tpKey(b.topic, b.partition);
      const start = starts.get(key)?.offset ?? Number.MAX_SAFE_INTEGER;
      const first = b.records.find((r) => r.offset >= start);
      if (first !== undefined && !found.has(key)) found.set(key, { offset: first.offset, highWatermark: b.highWatermark });
    }
  };
  try {
    take(early);
    for (const s of starts.values()) consumer.seek({ topic: s.topic, partition: s.partition }, s.offset);
    const deadline = Date.now() + waitMs;
    while (Date.now() < deadline && found.size < starts.size) {
      take(await consumer.poll(Math.max(1, Math.min(250, deadline - Date.now()))));
    }
  } finally {
    await consumer.close().catch(() => {});
  }
  return found;
}

/** Every partition of `topics` with its latest offset (the last stable offset, see KafkaAdmin.listOffsets). */
export async function endOffsets(port: KafkaPort, topics: readonly string[]): Promise<Map<string, { topic: string; partition: number; end: number }>> {
  const admin = await port.admin();
  try {
    const out = new Map<string, { topic: string; partition: number; end: number }>();
    for (const topic of topics) {
      for (const o of await admin.listOffsets(topic)) out.set(tpKey(topic, o.partition), { topic, partition: o.partition, end: o.latest });
    }
    return out;
  } finally {
    await admin.close();
  }
}
