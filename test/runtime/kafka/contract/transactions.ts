/** Contract: transactions, their visibility, their offsets and fencing. */
import { describe, expect, it } from 'vitest';
import { TaskMigratedError } from '../../../../src/errors.js';
import { ProducerFencedError } from '../../../../src/runtime/kafka/errors.js';
import { type ContractContext, eventually, rec, unique, values } from './helpers.js';

export function transactionContract(ctx: ContractContext): void {
  const { topic, readAll } = ctx;
  describe('transactions', () => {
    it('records of an open transaction are invisible to read_committed until commit', async () => {
      const t = await topic('txvis');
      const tx = await ctx.h.port.transactionalProducer({ transactionalId: unique('tx') });
      await tx.beginTransaction();
      expect(tx.inTransaction()).toBe(true);
      await tx.send([rec(t, 't1'), rec(t, 't2')]);
      expect(values(await readAll(t, 'read_uncommitted', 2))).toEqual(['t1', 't2']);
      expect(await readAll(t, 'read_committed', 1, 1000)).toEqual([]);
      expect((await ctx.admin.listOffsets(t))[0]?.latest).toBe(0); // the last stable offset
      await tx.commitTransaction();
      expect(tx.inTransaction()).toBe(false);
      expect(values(await readAll(t, 'read_committed', 2))).toEqual(['t1', 't2']);
      // two records and the commit marker
      expect((await ctx.admin.listOffsets(t))[0]?.latest).toBe(3);
    });

    it('aborted records never reach read_committed consumers; read_uncommitted sees them', async () => {
      const t = await topic('txabort');
      const tx = await ctx.h.port.transactionalProducer({ transactionalId: unique('tx') });
      await tx.beginTransaction();
      await tx.send([rec(t, 'gone1'), rec(t, 'gone2')]);
      await tx.abortTransaction();
      await tx.beginTransaction();
      await tx.send([rec(t, 'kept')]);
      await tx.commitTransaction();
      expect(values(await readAll(t, 'read_committed', 1))).toEqual(['kept']);
      expect(values(await readAll(t, 'read_uncommitted', 3))).toEqual(['gone1', 'gone2', 'kept']);
    });

    it('sendOffsets commits group offsets with the transaction, and only if it commits', async () => {
      const t = await topic('txoff');
      const groupId = unique('g');
      const tp = { topic: t, partition: 0 };
      const tx = await ctx.h.port.transactionalProducer({ transactionalId: unique('tx') });
      await tx.beginTransaction();
      await tx.send([rec(t, 'x')]);
      await tx.sendOffsets(groupId, [{ ...tp, offset: 5 }]);
      const committed = () => ctx.admin.fetchCommittedOffsets(groupId, [tp]);
      await tx.commitTransaction();
      expect(await eventually(committed, [{ ...tp, offset: 5 }], ctx.patience)).toEqual([{ ...tp, offset: 5 }]);
      await tx.beginTransaction();
      await tx.sendOffsets(groupId, [{ ...tp, offset: 9 }]);
      await tx.abortTransaction();
      await new Promise((r) => setTimeout(r, 300)); // time for a wrongly applied commit to show
      expect(await committed()).toEqual([{ ...tp, offset: 5 }]);
    });

    it('a second producer with the same transactional id fences the first', async () => {
      const t = await topic('fence');
      const id = unique('tx');
      const first = await ctx.h.port.transactionalProducer({ transactionalId: id });
      await first.beginTransaction();
      await first.send([rec(t, 'zombie')]);
      const second = await ctx.h.port.transactionalProducer({ transactionalId: id });
      const e = await (async () => {
        await first.send([rec(t, 'zombie2')]);
        await first.commitTransaction();
      })().catch((x: unknown) => x);
      expect(e).toBeInstanceOf(ProducerFencedError);
      expect(e).toBeInstanceOf(TaskMigratedError);
      // once fenced, always fenced
      await expect(first.beginTransaction()).rejects.toBeInstanceOf(ProducerFencedError);
      await second.beginTransaction();
      await second.send([rec(t, 'live')]);
      await second.commitTransaction();
      expect(values(await readAll(t, 'read_committed', 1))).toEqual(['live']);
    });

    it('runs back-to-back transactions, with and without records', async () => {
      const t = await topic('b2b');
      const groupId = unique('g');
      const tx = await ctx.h.port.transactionalProducer({ transactionalId: unique('tx') });
      for (let i = 0; i < 8; i++) {
        await tx.beginTransaction();
        if (i % 2 === 0) await tx.send([rec(t, `r${i}`)]);
        await tx.sendOffsets(groupId, [{ topic: t, partition: 0, offset: i + 1 }]);
        await tx.commitTransaction();
      }
      expect(values(await readAll(t, 'read_committed', 4))).toEqual(['r0', 'r2', 'r4', 'r6']);
      const final = [{ topic: t, partition: 0, offset: 8 }];
      expect(await eventually(() => ctx.admin.fetchCommittedOffsets(groupId, [{ topic: t, partition: 0 }]), final, ctx.patience)).toEqual(final);
    });
  });
}
