/** Contract: group membership, the assignor, polling, pause/resume/seek and commits. */
import { describe, expect, it } from 'vitest';
import { TaskMigratedError } from '../../../../src/errors.js';
import { CommitFailedError, UnknownTopicError } from '../../../../src/runtime/kafka/errors.js';
import type { AssignmentChange } from '../../../../src/runtime/kafka/KafkaPort.js';
import type { RawRecord } from '../../../../src/runtime/task/RawRecord.js';
import { type ContractContext, labelAssignor, names, pollAllUntil, pollUntil, rec, unique, values } from './helpers.js';

export function groupConsumerContract(ctx: ContractContext): void {
  const { topic, consumer } = ctx;
  describe('group consumer', () => {
    it('a lone member gets every partition, and userData travels both ways through the assignor', async () => {
      const t = await topic('lone', 3);
      const assignor = labelAssignor('A');
      const c = await ctx.h.port.consumer({ groupId: unique('g'), assignor, ...ctx.h.consumerDefaults });
      const changes: AssignmentChange[] = [];
      c.onAssignmentChange((ch) => {
        changes.push(ch);
      });
      await c.subscribe([t]);
      await pollAllUntil([c], () => changes.length > 0, ctx.patience);
      expect(names(changes[0]?.assigned ?? [])).toEqual(names([0, 1, 2].map((partition) => ({ topic: t, partition }))));
      expect(changes[0]?.revoked).toEqual([]);
      expect(c.assignment().userData.toString()).toBe('for:A/1');
      expect(assignor.seen.at(-1)).toEqual([{ memberId: c.memberId(), userData: 'A' }]);
      await c.close();
    });

    it('commits offsets; a new member of the group resumes after them', async () => {
      const t = await topic('commit');
      const groupId = unique('g');
      const p = await ctx.h.port.producer();
      await p.send([0, 1, 2, 3, 4].map((i) => rec(t, `v${i}`)));
      const c1 = await consumer(groupId, 'A');
      await c1.subscribe([t]);
      const first = await pollUntil(c1, (g) => g.length >= 5, ctx.patience);
      expect(values(first)).toEqual(['v0', 'v1', 'v2', 'v3', 'v4']);
      await c1.commitOffsets([{ topic: t, partition: 0, offset: 3 }]);
      expect(await ctx.admin.fetchCommittedOffsets(groupId, [{ topic: t, partition: 0 }])).toEqual([{ topic: t, partition: 0, offset: 3 }]);
      await c1.close();
      const c2 = await consumer(groupId, 'A');
      await c2.subscribe([t]);
      expect(values(await pollUntil(c2, (g) => g.length >= 2, ctx.patience))).toEqual(['v3', 'v4']);
      await c2.close();
    });

    it('refuses to subscribe to a topic that does not exist', async () => {
      const c = await consumer(unique('g'), 'A');
      await expect(c.subscribe([unique('absent')])).rejects.toBeInstanceOf(UnknownTopicError);
      await c.close();
    });

    it('refuses to commit a partition the member does not own', async () => {
      const t = await topic('notmine');
      const other = await topic('other');
      const c = await consumer(unique('g'), 'A');
      await c.subscribe([t]);
      await pollAllUntil([c], () => c.assignment().partitions.length === 1, ctx.patience);
      const e = await c.commitOffsets([{ topic: other, partition: 0, offset: 1 }]).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(CommitFailedError);
      expect(e).toBeInstanceOf(TaskMigratedError);
      await c.close();
    });

    it('rebalances when members join and leave, telling each what it lost and gained', async () => {
      const t = await topic('rebal', 4);
      const groupId = unique('g');
      const p = await ctx.h.port.producer();
      await p.send([0, 1, 2, 3].map((i) => rec(t, `p${i}`, i)));
      const a = await consumer(groupId, 'A');
      const aChanges: AssignmentChange[] = [];
      a.onAssignmentChange((ch) => {
        aChanges.push(ch);
      });
      await a.subscribe([t]);
      const aFirst = await pollUntil(a, (g) => g.length >= 4, ctx.patience);
      expect(values(aFirst).sort()).toEqual(['p0', 'p1', 'p2', 'p3']);

      const b = await consumer(groupId, 'B');
      await b.subscribe([t]);
      const aLater: RawRecord[] = [];
      const bGot: RawRecord[] = [];
      const end = Date.now() + ctx.patience;
      while ((a.assignment().partitions.length !== 2 || bGot.length < 2) && Date.now() < end) {
        for (const batch of await a.poll(50)) aLater.push(...batch.records);
        for (const batch of await b.poll(50)) bGot.push(...batch.records);
      }
      expect(names(a.assignment().partitions)).toEqual([`${t}-0`, `${t}-2`]);
      expect(names(b.assignment().partitions)).toEqual([`${t}-1`, `${t}-3`]);
      expect(a.assignment().userData.toString()).toBe('for:A/2');
      expect(b.assignment().userData.toString()).toBe('for:B/2');
      expect(names(aChanges.at(-1)?.revoked ?? [])).toEqual([`${t}-1`, `${t}-3`]);
      expect(aChanges.at(-1)?.assigned).toEqual([]);
      // nothing was committed: B starts its partitions from the beginning (at-least-once),
      // while A continues its kept partitions from where it was
      expect(values(bGot).sort()).toEqual(['p1', 'p3']);
      expect(aLater).toEqual([]);
      // A may no longer commit what it lost
      await expect(a.commitOffsets([{ topic: t, partition: 1, offset: 1 }])).rejects.toBeInstanceOf(CommitFailedError);

      await b.close();
      await pollAllUntil([a], () => a.assignment().partitions.length === 4, ctx.patience);
      expect(names(aChanges.at(-1)?.assigned ?? [])).toEqual([`${t}-1`, `${t}-3`]);
      expect(a.assignment().userData.toString()).toBe('for:A/1');
      await a.close();
    });

    it('pause holds back a partition until resume; seek rewinds', async () => {
      const t = await topic('pause', 2);
      const c = await consumer(unique('g'), 'A');
      await c.subscribe([t]);
      await pollAllUntil([c], () => c.assignment().partitions.length === 2, ctx.patience);
      const p0 = { topic: t, partition: 0 };
      c.pause([p0]);
      expect(c.paused()).toEqual([p0]);
      const p = await ctx.h.port.producer();
      await p.send([rec(t, 'a0', 0), rec(t, 'a1', 0), rec(t, 'b0', 1)]);
      expect(values(await pollUntil(c, (g) => g.length >= 1, ctx.patience))).toEqual(['b0']);
      expect(await pollUntil(c, () => false, 500)).toEqual([]); // nothing more may come
      c.resume([p0]);
      expect(c.paused()).toEqual([]);
      expect(values(await pollUntil(c, (g) => g.length >= 2, ctx.patience))).toEqual(['a0', 'a1']);
      expect(c.position(p0)).toBe(2);
      c.seek(p0, 1);
      expect(values(await pollUntil(c, (g) => g.length >= 1, ctx.patience))).toEqual(['a1']);
      await c.close();
    });

    it('delivers every record once and in order to a slow caller (fetch backpressure), and seeks inside buffered data', async () => {
      const t = await topic('slow', 2);
      const p = await ctx.h.port.producer();
      await p.send(Array.from({ length: 60 }, (_, i) => rec(t, `v${i}`, i % 2)));
      const c = await consumer(unique('g'), 'A', { maxPollRecords: 3, maxBufferedRecordsPerPartition: 5 });
      await c.subscribe([t]);
      const got = await pollUntil(c, (g) => g.length >= 60, ctx.patience);
      for (const partition of [0, 1]) {
        expect(got.filter((r) => r.partition === partition).map((r) => r.offset)).toEqual(Array.from({ length: 30 }, (_, i) => i));
      }
      const p1 = { topic: t, partition: 1 };
      c.seek(p1, 28);
      expect((await pollUntil(c, (g) => g.length >= 2, ctx.patience)).map((r) => [r.partition, r.offset])).toEqual([
        [1, 28],
        [1, 29],
      ]);
      c.seek(p1, 3);
      const [first] = await pollUntil(c, (g) => g.length >= 1, ctx.patience);
      expect([first?.partition, first?.offset]).toEqual([1, 3]);
      await new Promise((r) => setTimeout(r, 300)); // without polling: kafkajs buffers more of partition 1
      c.seek(p1, 20);
      const [again] = await pollUntil(c, (g) => g.length >= 1, ctx.patience);
      expect([again?.partition, again?.offset]).toEqual([1, 20]);
      await c.close();
    });

    it('starts at the end with offsetReset latest', async () => {
      const t = await topic('latest');
      const p = await ctx.h.port.producer();
      await p.send([rec(t, 'old')]);
      const c = await consumer(unique('g'), 'A', { offsetReset: 'latest' });
      await c.subscribe([t]);
      await pollAllUntil([c], () => c.assignment().partitions.length === 1, ctx.patience);
      await c.poll(300);
      await p.send([rec(t, 'new')]);
      expect(values(await pollUntil(c, (g) => g.length >= 1, ctx.patience))).toEqual(['new']);
      await c.close();
    });
  });
}
