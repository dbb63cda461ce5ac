/**
 * The EOS verifier's Kafka-facing checks on a REAL broker, with transactions written by
 * hand: an open transaction is found (a read_uncommitted consumer reads at the last
 * stable offset) and is no longer reported once committed; reading read_committed to
 * the end stops on partitions that end in markers and aborted records; a committed
 * offset with readable records after it is caught.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { endOffsets, firstReadableFrom, readToEnd, tpKey } from '../../scripts/eos/common.js';
import { checkNoOpenTransactions } from '../../scripts/eos/verify.js';
import { KafkajsPort } from '../../src/runtime/kafka/kafkajs/index.js';
import type { TransactionalProducer } from '../../src/runtime/kafka/KafkaPort.js';

const bootstrap = process.env.KAFKA_BOOTSTRAP ?? '';
const title = bootstrap
  ? `EOS verifier checks on the broker at ${bootstrap}`
  : 'EOS verifier checks on a real broker (SKIPPED: KAFKA_BOOTSTRAP is not set; run `bash scripts/kafka.sh up` and pass the address it prints)';

const rec = (topic: string, partition: number, v: string) => ({ topic, partition, key: Buffer.from(v), value: Buffer.from(v) });

describe.skipIf(bootstrap === '')(title, () => {
  let port: KafkajsPort;
  const topic = `eos-verifier-${Date.now().toString(36)}`;
  let open: TransactionalProducer;

  beforeAll(async () => {
    port = new KafkajsPort({ brokers: bootstrap, clientId: 'eos-verifier-test', logLevel: 'error', fetchMaxWaitMs: 100 });
    const admin = await port.admin();
    await admin.createTopics([{ name: topic, numPartitions: 2, replicationFactor: 1 }]);
    await admin.close();
    const p = await port.transactionalProducer({ transactionalId: `${topic}-a` });
    await p.beginTransaction();
    await p.send([rec(topic, 0, 'c1'), rec(topic, 0, 'c2'), rec(topic, 0, 'c3')]);
    await p.commitTransaction(); // p0: 0..2 data, 3 commit marker
    await p.beginTransaction();
    await p.send([rec(topic, 0, 'x1'), rec(topic, 1, 'x2')]);
    await p.abortTransaction(); // p0: 4 aborted, 5 marker; p1: 0 aborted, 1 marker
    await p.close();
    // the coordinator writes the markers after EndTxn returns: wait for them
    const end = Date.now() + 30_000;
    const settled = async () => {
      const e = await endOffsets(port, [topic]);
      return e.get(tpKey(topic, 0))?.end === 6 && e.get(tpKey(topic, 1))?.end === 2;
    };
    while (!(await settled()) && Date.now() < end) await new Promise((r) => setTimeout(r, 200));
    open = await port.transactionalProducer({ transactionalId: `${topic}-b` });
    await open.beginTransaction();
    await open.send([rec(topic, 1, 'o1')]); // p1: 2, left open
  }, 60_000);

  afterAll(async () => {
    await port?.close();
  });

  it('finds the open transaction, and only that one', async () => {
    const r = await checkNoOpenTransactions(port, [topic], 0);
    expect(r.ok).toBe(false);
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0]).toContain(`${topic}|1: last stable offset 2`);
  }, 60_000);

  it('reads read_committed to the end of partitions that end in markers and aborted records', async () => {
    const ends = await endOffsets(port, [topic]);
    expect(ends.get(tpKey(topic, 0))?.end).toBe(6);
    expect(ends.get(tpKey(topic, 1))?.end).toBe(2); // the last stable offset: the open transaction's first record
    const started = Date.now();
    const { records } = await readToEnd(port, ends, 'read_committed', { quietMs: 2_000, timeoutMs: 30_000 });
    expect(records.get(tpKey(topic, 0))?.map((r) => r.value?.toString())).toEqual(['c1', 'c2', 'c3']);
    expect(records.get(tpKey(topic, 1))).toEqual([]);
    // ended by the consumer's position or by the quiet period, not by the timeout
    expect(Date.now() - started).toBeLessThan(20_000);
  }, 60_000);

  it('reports nothing once the transaction is committed; a record after a committed offset is found', async () => {
    await open.commitTransaction();
    await open.close();
    // the commit marker is written after EndTxn returns, so this may need a retry or two
    const r = await checkNoOpenTransactions(port, [topic], 30_000);
    expect(r.ok, r.problems.join('\n')).toBe(true);
    // as if a group had committed offset 1 on p1 (past the aborted record): o1 at 2 is unprocessed
    const unread = await firstReadableFrom(port, new Map([[tpKey(topic, 1), { topic, partition: 1, offset: 1 }]]), 'read_committed', 3_000);
    expect(unread.get(tpKey(topic, 1))?.offset).toBe(2);
    // committed offset 4 on p0 (after c1..c3 and their marker): only aborted records follow
    const none = await firstReadableFrom(port, new Map([[tpKey(topic, 0), { topic, partition: 0, offset: 4 }]]), 'read_committed', 3_000);
    expect(none.size).toBe(0);
  }, 60_000);
});
