import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../src/errors.js';
import { EmbeddedKafka } from '../../../src/runtime/kafka/embedded/index.js';
import {
  CommitFailedError,
  KafkaError,
  KafkaErrorCode,
  ProducerFencedError,
  TransactionFailedError,
  UnknownTopicError,
} from '../../../src/runtime/kafka/errors.js';
import type { AssignmentChange, GroupConsumer, PartitionAssignor } from '../../../src/runtime/kafka/KafkaPort.js';
import { murmur2 } from '../../../src/runtime/kafka/partitioner.js';
import { labelAssignor, pollAllUntil, pollUntil, portContract, unique } from './portContract.js';

portContract('embedded broker', async () => {
  const port = new EmbeddedKafka();
  return { port, consumerDefaults: {}, patienceMs: 2000, close: () => port.close() };
});

/** An embedded broker on a clock the test moves. */
function onManualClock(): { kafka: EmbeddedKafka; advance: (ms: number) => void } {
  let now = 1_000_000;
  return { kafka: new EmbeddedKafka({ clock: () => now }), advance: (ms) => (now += ms) };
}

const v = (s: string) => Buffer.from(s);
const text = (b: Buffer | null) => (b === null ? null : b.toString());

async function setup(kafka: EmbeddedKafka, partitions = 1): Promise<string> {
  const t = unique('t');
  await (await kafka.admin()).createTopics([{ name: t, numPartitions: partitions }]);
  return t;
}

describe('embedded broker', () => {
  it('removes a member that stops polling past its session timeout; its commit fails and its next poll rejoins with everything lost', async () => {
    const { kafka, advance } = onManualClock();
    const t = await setup(kafka, 2);
    const groupId = unique('g');
    const mk = async (label: string) => {
      const c = await kafka.consumer({ groupId, assignor: labelAssignor(label), sessionTimeoutMs: 100 });
      await c.subscribe([t]);
      return c;
    };
    const a = await mk('A');
    const b = await mk('B');
    const aChanges: AssignmentChange[] = [];
    a.onAssignmentChange((ch) => {
      aChanges.push(ch);
    });
    await pollAllUntil([a, b], () => a.assignment().partitions.length === 1 && b.assignment().partitions.length === 1, 2000);
    expect(a.assignment().partitions).toEqual([{ topic: t, partition: 0 }]);

    advance(500); // a does not poll; b does, and the coordinator notices
    await pollAllUntil([b], () => b.assignment().partitions.length === 2, 2000);
    expect(b.assignment().partitions.length).toBe(2);
    await expect(a.commitOffsets([{ topic: t, partition: 0, offset: 0 }])).rejects.toBeInstanceOf(CommitFailedError);

    await pollAllUntil([a, b], () => a.assignment().partitions.length === 1 && b.assignment().partitions.length === 1, 2000);
    const last = aChanges.at(-1) as AssignmentChange;
    // lost, not kept: the partition comes back as newly assigned, to be restarted from the committed offset
    expect(last.revoked).toEqual([{ topic: t, partition: 0 }]);
    expect(last.assigned).toEqual([{ topic: t, partition: 0 }]);
    await kafka.close();
  });

  it('aborts a transaction open past its timeout and fences its producer', async () => {
    const { kafka, advance } = onManualClock();
    const t = await setup(kafka);
    const tx = await kafka.transactionalProducer({ transactionalId: unique('tx'), transactionTimeoutMs: 1000 });
    await tx.beginTransaction();
    await tx.send([{ topic: t, key: null, value: v('late') }]);
    advance(5000);
    await expect(tx.commitTransaction()).rejects.toBeInstanceOf(ProducerFencedError);
    expect(tx.inTransaction()).toBe(false);
    const c = await kafka.consumer({ groupId: unique('g'), assignor: labelAssignor('A'), isolationLevel: 'read_committed' });
    await c.subscribe([t]);
    expect(await pollUntil(c, () => false, 200)).toEqual([]);
    expect((await (await kafka.admin()).listOffsets(t))[0]).toEqual({ partition: 0, earliest: 0, latest: 2 }); // record + abort marker
    await kafka.close();
  });

  it('read_committed stops at the first open transaction, even for later non-transactional records', async () => {
    const kafka = new EmbeddedKafka();
    const t = await setup(kafka);
    const p = await kafka.producer();
    const tx = await kafka.transactionalProducer({ transactionalId: unique('tx') });
    await p.send([{ topic: t, key: null, value: v('before') }]);
    await tx.beginTransaction();
    await tx.send([{ topic: t, key: null, value: v('in-tx') }]);
    await p.send([{ topic: t, key: null, value: v('after') }]);
    const c = await kafka.consumer({ groupId: unique('g'), assignor: labelAssignor('A'), isolationLevel: 'read_committed' });
    await c.subscribe([t]);
    expect((await pollUntil(c, () => false, 200)).map((r) => text(r.value))).toEqual(['before']);
    await tx.commitTransaction();
    expect((await pollUntil(c, (g) => g.length >= 2, 1000)).map((r) => text(r.value))).toEqual(['in-tx', 'after']);
    expect(c.position({ topic: t, partition: 0 })).toBe(4); // records at 0, 1, 2 and the commit marker at 3
    await kafka.close();
  });

  it('closing a transactional producer aborts its open transaction', async () => {
    const kafka = new EmbeddedKafka();
    const t = await setup(kafka);
    const tx = await kafka.transactionalProducer({ transactionalId: unique('tx') });
    await tx.beginTransaction();
    await tx.send([{ topic: t, key: null, value: v('x') }]);
    await tx.close();
    expect((await (await kafka.admin()).listOffsets(t))[0]?.latest).toBe(2);
    await kafka.close();
  });

  it('rejects a member whose assignor protocol differs from the group', async () => {
    const kafka = new EmbeddedKafka();
    const t = await setup(kafka);
    const groupId = unique('g');
    const a = await kafka.consumer({ groupId, assignor: labelAssignor('A') });
    await a.subscribe([t]);
    const other: PartitionAssignor = { ...labelAssignor('B'), name: 'other-protocol' };
    const b = await kafka.consumer({ groupId, assignor: other });
    const e = await b.subscribe([t]).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(KafkaError);
    expect((e as KafkaError).kafkaCode).toBe(KafkaErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    await kafka.close();
  });

  it('fails the rebalance when the assignor gives a partition twice', async () => {
    const kafka = new EmbeddedKafka();
    const t = await setup(kafka);
    const twice: PartitionAssignor = {
      name: 'broken',
      subscriptionUserData: () => Buffer.alloc(0),
      assign: ({ members }) =>
        new Map(members.map((m) => [m.memberId, { partitions: [{ topic: t, partition: 0 }], userData: Buffer.alloc(0) }])),
    };
    const groupId = unique('g');
    const a = await kafka.consumer({ groupId, assignor: twice });
    await a.subscribe([t]);
    const b = await kafka.consumer({ groupId, assignor: twice });
    await expect(b.subscribe([t])).rejects.toThrow(/twice/);
    await expect(a.poll(10)).rejects.toThrow(/twice/); // the other member hears about it too
    await kafka.close();
  });

  it('copies bytes at the boundary: mutating a sent or consumed buffer does not change the log', async () => {
    const kafka = new EmbeddedKafka();
    const t = await setup(kafka);
    const p = await kafka.producer();
    const value = v('abc');
    await p.send([{ topic: t, key: null, value }]);
    value.write('zzz');
    const read = async () => {
      const c = await kafka.consumer({ groupId: unique('g'), assignor: labelAssignor('A') });
      await c.subscribe([t]);
      const [r] = await pollUntil(c, (g) => g.length >= 1, 1000);
      return r;
    };
    const first = await read();
    first?.value?.write('yyy');
    expect(text((await read())?.value ?? null)).toBe('abc');
    await kafka.close();
  });

  it('caps a poll at maxPollRecords and rotates over partitions', async () => {
    const kafka = new EmbeddedKafka();
    const t = await setup(kafka, 2);
    const p = await kafka.producer();
    await p.send(Array.from({ length: 10 }, (_, i) => ({ topic: t, partition: i % 2, key: null, value: v(`${i}`) })));
    const c = await kafka.consumer({ groupId: unique('g'), assignor: labelAssignor('A'), maxPollRecords: 3 });
    await c.subscribe([t]);
    const sizes: number[] = [];
    const parts = new Set<number>();
    for (let i = 0; i < 4; i++) {
      const batches = await c.poll(100);
      sizes.push(batches.reduce((n, b) => n + b.records.length, 0));
      for (const b of batches) parts.add(b.partition);
    }
    expect(sizes).toEqual([3, 3, 3, 1]);
    expect([...parts].sort()).toEqual([0, 1]);
    await kafka.close();
  });

  it('wakeup() ends a waiting poll at once', async () => {
    const kafka = new EmbeddedKafka();
    const t = await setup(kafka);
    const c = await kafka.consumer({ groupId: unique('g'), assignor: labelAssignor('A') });
    await c.subscribe([t]);
    await c.poll(10);
    const started = Date.now();
    setTimeout(() => c.wakeup(), 30);
    expect(await c.poll(5000)).toEqual([]);
    expect(Date.now() - started).toBeLessThan(2000);
    await kafka.close();
  });

  it('restarts a consumer below the log start at the earliest offset', async () => {
    const kafka = new EmbeddedKafka();
    const t = await setup(kafka);
    const p = await kafka.producer();
    await p.send(['a', 'b', 'c'].map((s) => ({ topic: t, key: null, value: v(s) })));
    const c: GroupConsumer = await kafka.consumer({ groupId: unique('g'), assignor: labelAssignor('A') });
    await c.subscribe([t]);
    await pollUntil(c, (g) => g.length >= 3, 1000);
    c.seek({ topic: t, partition: 0 }, 0);
    await (await kafka.admin()).deleteRecords(t, [{ partition: 0, offset: 2 }]);
    expect((await pollUntil(c, (g) => g.length >= 1, 1000)).map((r) => r.offset)).toEqual([2]);
    await kafka.close();
  });

  it('is deterministic: the same scenario gives the same member ids and assignments', async () => {
    const run = async () => {
      const kafka = new EmbeddedKafka();
      await (await kafka.admin()).createTopics([{ name: 'det', numPartitions: 5 }]);
      const out: string[] = [];
      for (const label of ['C', 'A', 'B']) {
        const c = await kafka.consumer({ groupId: 'g', assignor: labelAssignor(label), clientId: label });
        await c.subscribe(['det']);
      }
      const c = await kafka.consumer({ groupId: 'g', assignor: labelAssignor('D'), clientId: 'D' });
      c.onAssignmentChange((ch) => {
        out.push(`${c.memberId()}:${ch.assignment.partitions.map((tp) => tp.partition).join(',')}:${ch.assignment.userData.toString()}`);
      });
      await c.subscribe(['det']);
      await c.poll(10);
      await kafka.close();
      return out;
    };
    const first = await run();
    expect(first).toEqual(['D-4:3:for:D/4']);
    expect(await run()).toEqual(first);
  });

  it('sends fail atomically: a bad record in a batch writes nothing', async () => {
    const kafka = new EmbeddedKafka();
    const t = await setup(kafka);
    const p = await kafka.producer();
    await expect(
      p.send([
        { topic: t, key: null, value: v('ok') },
        { topic: t, partition: 7, key: null, value: v('bad partition') },
      ]),
    ).rejects.toBeInstanceOf(UnknownTopicError);
    expect((await (await kafka.admin()).listOffsets(t))[0]?.latest).toBe(0);
    await kafka.close();
  });
});

describe('Kafka seam errors', () => {
  it('fencing and refused commits are TaskMigrated; a failed transaction is TaskCorrupted; each has a stable kafkaCode', () => {
    const cases: [Error & { code: string; retriable: boolean; kafkaCode: string }, string, string, boolean][] = [
      [new ProducerFencedError('x'), ErrorCode.TASK_MIGRATED, KafkaErrorCode.PRODUCER_FENCED, true],
      [new CommitFailedError('x'), ErrorCode.TASK_MIGRATED, KafkaErrorCode.COMMIT_FAILED, true],
      [new TransactionFailedError('x'), ErrorCode.TASK_CORRUPTED, KafkaErrorCode.TRANSACTION_FAILED, true],
      [new UnknownTopicError('x'), ErrorCode.STREAMS, KafkaErrorCode.UNKNOWN_TOPIC_OR_PARTITION, false],
      [new KafkaError('x', KafkaErrorCode.NETWORK, true), ErrorCode.STREAMS, KafkaErrorCode.NETWORK, true],
    ];
    for (const [e, code, kafkaCode, retriable] of cases) {
      expect([e.name, e.code, e.kafkaCode, e.retriable]).toEqual([e.constructor.name, code, kafkaCode, retriable]);
    }
  });
});

describe("Kafka's default partitioner", () => {
  it('matches the murmur2 vectors of Kafka (UtilsTest)', () => {
    const vectors: [string, number][] = [
      ['21', -973932308],
      ['foobar', -790332482],
      ['a-little-bit-long-string', -985981536],
      ['a-little-bit-longer-string', -1486304829],
      ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
      ['abc', 479470107],
    ];
    for (const [s, h] of vectors) expect(murmur2(Buffer.from(s))).toBe(h);
  });
});
