/** Helpers for the KafkaStreams tests: produce, read topics back, wait for states. Never a mock of Kafka. */
import { type KafkaStreams, KafkaStreamsState, Serdes } from '../../../src/index.js';
import type { KafkaPort, MemberAssignment, PartitionAssignor, TopicPartition } from '../../../src/runtime/kafka/KafkaPort.js';
import type { RawRecord } from '../../../src/runtime/task/RawRecord.js';

let seq = 0;
/** A name unique to this run, so reruns against one broker never collide. */
export function unique(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${(seq++).toString(36)}`;
}

const str = Serdes.String().serializer();
const strDe = Serdes.String().deserializer();
const longDe = Serdes.Long().deserializer();

export async function createTopics(port: KafkaPort, topics: Record<string, number>): Promise<void> {
  const admin = await port.admin();
  try {
    await admin.createTopics(Object.entries(topics).map(([name, numPartitions]) => ({ name, numPartitions, replicationFactor: 1 })));
  } finally {
    await admin.close();
  }
}

/** Sends string key/value pairs (null key allowed), each with an increasing timestamp. */
export async function produce(port: KafkaPort, topic: string, pairs: readonly (readonly [string | null, string | null])[], baseTs = 1_000): Promise<void> {
  const producer = await port.producer();
  try {
    await producer.send(
      pairs.map(([k, v], i) => ({ topic, key: str.serialize(topic, k), value: str.serialize(topic, v), timestamp: baseTs + i })),
    );
  } finally {
    await producer.close();
  }
}

function allToFirst(): PartitionAssignor {
  return {
    name: 'test-reader',
    subscriptionUserData: () => Buffer.alloc(0),
    assign({ members, partitionsPerTopic }) {
      const parts: TopicPartition[] = [];
      for (const [topic, n] of partitionsPerTopic) for (let p = 0; p < n; p++) parts.push({ topic, partition: p });
      return new Map<string, MemberAssignment>(members.map((m, i) => [m.memberId, { partitions: i === 0 ? parts : [], userData: Buffer.alloc(0) }]));
    },
  };
}

/** Reads `topic` from the beginning until `done(records)` holds or `timeoutMs` passes; returns what it read. */
export async function readUntil(
  port: KafkaPort,
  topic: string,
  done: (records: RawRecord[]) => boolean,
  timeoutMs: number,
  isolationLevel: 'read_committed' | 'read_uncommitted' = 'read_uncommitted',
): Promise<RawRecord[]> {
  const consumer = await port.consumer({
    groupId: unique('reader'),
    assignor: allToFirst(),
    sessionTimeoutMs: 10_000,
    heartbeatIntervalMs: 500,
    isolationLevel,
  });
  const got: RawRecord[] = [];
  try {
    await consumer.subscribe([topic]);
    const end = Date.now() + timeoutMs;
    while (!done(got) && Date.now() < end) for (const b of await consumer.poll(100)) got.push(...b.records);
    return got;
  } finally {
    await consumer.close();
  }
}

/** String key -> Long value records as pairs. */
export function asCounts(records: readonly RawRecord[]): [string, number][] {
  return records.map((r) => [strDe.deserialize(r.topic, r.key) as string, Number(longDe.deserialize(r.topic, r.value))]);
}

/** String key -> String value records as pairs. */
export function asStrings(records: readonly RawRecord[]): [string | null, string | null][] {
  return records.map((r) => [strDe.deserialize(r.topic, r.key), strDe.deserialize(r.topic, r.value)]);
}

/** The latest value of each key. */
export function latest<V>(pairs: readonly (readonly [string | null, V])[]): Map<string | null, V> {
  const m = new Map<string | null, V>();
  for (const [k, v] of pairs) m.set(k, v);
  return m;
}

/** The largest value seen for each key. */
export function maxima(pairs: readonly (readonly [string, number])[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const [k, v] of pairs) m.set(k, Math.max(v, m.get(k) ?? Number.NEGATIVE_INFINITY));
  return m;
}

/** Resolves when `streams` reaches `state`; rejects after `timeoutMs` naming the state it is in. */
export async function waitForState(streams: KafkaStreams, state: KafkaStreamsState, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (streams.state() !== state) {
    if (Date.now() > end) throw new Error(`Timed out waiting for ${state}; the client is ${streams.state()}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Waits until every given client is RUNNING at the same moment. */
export async function waitAllRunning(clients: readonly KafkaStreams[], timeoutMs = 15_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!clients.every((c) => c.state() === KafkaStreamsState.RUNNING)) {
    if (Date.now() > end) throw new Error(`Timed out waiting for RUNNING: ${clients.map((c) => c.state()).join(', ')}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Polls `check` until it returns true or the time is up; returns its last answer. */
export async function eventually(check: () => boolean | Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() > end) return false;
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Words of lines, as the word-count topology splits them. */
export function wordCounts(lines: readonly string[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const line of lines) for (const w of line.toLowerCase().split(/\W+/).filter((x) => x.length > 0)) m.set(w, (m.get(w) ?? 0) + 1);
  return m;
}
