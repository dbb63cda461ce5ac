/** Helpers shared by the parts of the Kafka port contract (see ../portContract.ts). */
import type {
  GroupConsumer,
  GroupConsumerConfig,
  KafkaAdmin,
  KafkaPort,
  MemberAssignment,
  PartitionAssignor,
  TopicPartition,
} from '../../../../src/runtime/kafka/KafkaPort.js';
import type { RawRecord } from '../../../../src/runtime/task/RawRecord.js';

export interface PortHarness {
  readonly port: KafkaPort;
  /** Settings a backend needs for prompt rebalances (heartbeats, session timeouts). */
  readonly consumerDefaults: Partial<GroupConsumerConfig>;
  /** How long to wait for something that needs a round trip or a rebalance. */
  readonly patienceMs: number;
  close(): Promise<void>;
}

let seq = 0;
/** A name unique to this run, so reruns against one broker never collide. */
export function unique(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${(seq++).toString(36)}`;
}

/** Records of assignor calls, for assertions. */
export interface TestAssignor extends PartitionAssignor {
  readonly seen: { memberId: string; userData: string }[][];
}

/**
 * Round-robin over members ordered by their label (their subscription userData), so
 * who gets what is predictable on every backend; each member's assignment userData
 * says `for:<label>/<members>`.
 */
export function labelAssignor(label: string): TestAssignor {
  const seen: { memberId: string; userData: string }[][] = [];
  return {
    name: 'contract-label',
    seen,
    subscriptionUserData: () => Buffer.from(label),
    assign({ members, partitionsPerTopic }) {
      seen.push(members.map((m) => ({ memberId: m.memberId, userData: m.userData.toString() })));
      const sorted = [...members].sort((a, b) => a.userData.toString().localeCompare(b.userData.toString()));
      const all: TopicPartition[] = [];
      for (const topic of [...partitionsPerTopic.keys()].sort()) {
        for (let p = 0; p < (partitionsPerTopic.get(topic) as number); p++) all.push({ topic, partition: p });
      }
      const lists = new Map<string, TopicPartition[]>(sorted.map((m) => [m.memberId, []]));
      all.forEach((tp, i) => {
        lists.get((sorted[i % sorted.length] as { memberId: string }).memberId)?.push(tp);
      });
      const result = new Map<string, MemberAssignment>();
      for (const m of sorted) {
        result.set(m.memberId, { partitions: lists.get(m.memberId) ?? [], userData: Buffer.from(`for:${m.userData.toString()}/${sorted.length}`) });
      }
      return result;
    },
  };
}

/** Polls until `done` holds for what was collected, or the time is up. */
export async function pollUntil(c: GroupConsumer, done: (got: RawRecord[]) => boolean, timeoutMs: number): Promise<RawRecord[]> {
  const got: RawRecord[] = [];
  const end = Date.now() + timeoutMs;
  while (!done(got) && Date.now() < end) {
    for (const b of await c.poll(100)) got.push(...b.records);
  }
  return got;
}

/**
 * Retries `read` until it returns `expected`. Offsets committed by a transaction become
 * visible once the coordinator has written the commit markers, which happens just
 * after commitTransaction() returns on a real broker.
 */
export async function eventually<T>(read: () => Promise<T>, expected: T, timeoutMs: number): Promise<T> {
  const end = Date.now() + timeoutMs;
  let got = await read();
  while (JSON.stringify(got) !== JSON.stringify(expected) && Date.now() < end) {
    await new Promise((r) => setTimeout(r, 50));
    got = await read();
  }
  return got;
}

/** Polls every consumer in turn until `done` holds. */
export async function pollAllUntil(cs: readonly GroupConsumer[], done: () => boolean, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!done() && Date.now() < end) for (const c of cs) await c.poll(50);
}

export const str = (b: Buffer | null): string | null => (b === null ? null : b.toString());
export const values = (rs: readonly RawRecord[]): (string | null)[] => rs.map((r) => str(r.value));
export const rec = (topic: string, value: string, partition = 0, key: string | null = null) => ({
  topic,
  partition,
  key: key === null ? null : Buffer.from(key),
  value: Buffer.from(value),
});
export const names = (tps: readonly TopicPartition[]): string[] => tps.map((tp) => `${tp.topic}-${tp.partition}`).sort();


/** What the contract's tests share; filled in by beforeAll, read lazily by the tests. */
export class ContractContext {
  h!: PortHarness;
  admin!: KafkaAdmin;

  get patience(): number {
    return this.h.patienceMs;
  }

  /** A new topic with a unique name. */
  readonly topic = async (prefix: string, numPartitions = 1): Promise<string> => {
    const t = unique(prefix);
    await this.admin.createTopics([{ name: t, numPartitions }]);
    return t;
  };

  /** A consumer of `groupId` whose label assignor announces `label`. */
  readonly consumer = (groupId: string, label: string, extra: Partial<GroupConsumerConfig> = {}): Promise<GroupConsumer> =>
    this.h.port.consumer({ groupId, assignor: labelAssignor(label), ...this.h.consumerDefaults, ...extra });

  /** Reads everything visible with this isolation, from the start, for `ms` or until `n` records. */
  readonly readAll = async (t: string, isolationLevel: 'read_committed' | 'read_uncommitted', n: number, ms = this.patience): Promise<RawRecord[]> => {
    const c = await this.consumer(unique('reader'), 'R', { isolationLevel });
    await c.subscribe([t]);
    const got = await pollUntil(c, (g) => g.length >= n, ms);
    await c.close();
    return got;
  };
}
