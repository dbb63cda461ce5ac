/** Contract: topics, offsets and producing. */
import { describe, expect, it } from 'vitest';
import { Headers } from '../../../../src/processor/Headers.js';
import { UnknownTopicError } from '../../../../src/runtime/kafka/errors.js';
import { partitionForKey } from '../../../../src/runtime/kafka/partitioner.js';
import { type ContractContext, rec, str, unique, values } from './helpers.js';

export function adminAndProducerContract(ctx: ContractContext): void {
  const { topic, readAll } = ctx;
  describe('admin', () => {
    it('creates topics idempotently and reports missing topics without throwing', async () => {
      const t = unique('adm');
      await ctx.admin.createTopics([{ name: t, numPartitions: 3, configs: { 'cleanup.policy': 'compact' } }]);
      await ctx.admin.createTopics([{ name: t, numPartitions: 3 }]); // again: fine
      const missing = unique('missing');
      const d = await ctx.admin.describeTopics([t, missing]);
      expect(d.partitions.get(t)).toBe(3);
      expect(d.missing).toEqual([missing]);
    });

    it('lists offsets and moves the log start with deleteRecords', async () => {
      const t = await topic('offsets', 2);
      const p = await ctx.h.port.producer();
      await p.send([0, 1, 2, 3, 4].map((i) => rec(t, `v${i}`, 0)));
      expect(await ctx.admin.listOffsets(t)).toEqual([
        { partition: 0, earliest: 0, latest: 5 },
        { partition: 1, earliest: 0, latest: 0 },
      ]);
      await ctx.admin.deleteRecords(t, [{ partition: 0, offset: 3 }]);
      expect((await ctx.admin.listOffsets(t))[0]).toEqual({ partition: 0, earliest: 3, latest: 5 });
      expect(values(await readAll(t, 'read_uncommitted', 2))).toEqual(['v3', 'v4']);
    });

    it('reports no committed offset for an unknown group', async () => {
      const t = await topic('nocommit');
      expect(await ctx.admin.fetchCommittedOffsets(unique('g'), [{ topic: t, partition: 0 }])).toEqual([{ topic: t, partition: 0, offset: null }]);
    });
  });

  describe('producer', () => {
    it('returns per-record metadata in input order; records keep key, value, headers and timestamp', async () => {
      const t = await topic('prod', 2);
      const p = await ctx.h.port.producer();
      const headers = Headers.of([
        { key: 'trace', value: Buffer.from('abc') },
        { key: 'trace', value: Buffer.from('def') },
        { key: 'empty', value: Buffer.alloc(0) },
      ]);
      const meta = await p.send([
        { topic: t, partition: 1, key: Buffer.from('k1'), value: Buffer.from('one'), headers, timestamp: 1_000 },
        { topic: t, partition: 0, key: null, value: null, timestamp: 2_000 },
        { topic: t, partition: 1, key: Buffer.from('k3'), value: Buffer.from('three'), timestamp: 3_000 },
      ]);
      expect(meta).toEqual([
        { topic: t, partition: 1, offset: 0, timestamp: 1_000 },
        { topic: t, partition: 0, offset: 0, timestamp: 2_000 },
        { topic: t, partition: 1, offset: 1, timestamp: 3_000 },
      ]);
      await p.flush();
      const got = (await readAll(t, 'read_uncommitted', 3)).sort((a, b) => a.timestamp - b.timestamp);
      expect(got.map((r) => [r.partition, r.offset, str(r.key), str(r.value), r.timestamp])).toEqual([
        [1, 0, 'k1', 'one', 1_000],
        [0, 0, null, null, 2_000],
        [1, 1, 'k3', 'three', 3_000],
      ]);
      expect(got[0]?.headers.toArray().map((x) => [x.key, str(x.value)])).toEqual([
        ['trace', 'abc'],
        ['trace', 'def'],
        ['empty', ''],
      ]);
      expect(got[1]?.headers.size).toBe(0);
    });

    it("places keyed records without a partition with Kafka's murmur2 partitioner", async () => {
      const t = await topic('murmur', 5);
      const p = await ctx.h.port.producer();
      const keys = ['alpha', 'beta', 'gamma', 'delta', 'epsilon', 'zeta', 'eta', 'theta'];
      const meta = await p.send(keys.map((k) => ({ topic: t, key: Buffer.from(k), value: Buffer.from(k) })));
      expect(meta.map((m) => m.partition)).toEqual(keys.map((k) => partitionForKey(Buffer.from(k), 5)));
    });

    it('fails with UnknownTopicError for a topic that does not exist', async () => {
      const p = await ctx.h.port.producer();
      await expect(p.send([rec(unique('nope'), 'x')])).rejects.toBeInstanceOf(UnknownTopicError);
    });
  });
}
