/**
 * max.task.idle.ms in the runtime (Kafka's PartitionGroup.readyToProcess): a task whose
 * input partition is empty locally but has records on the broker waits for them, so a
 * stream-table join started on existing data joins every stream record against the
 * table as of its timestamp, as Kafka Streams does; -1 disables the wait. The real-broker
 * run is in test/runtime/taskIdle.integration.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { EmbeddedKafka } from '../../../src/index.js';
import { JOIN_RECORDS as N, joinExisting } from '../fixtures/taskIdleScenario.js';

describe('max.task.idle.ms in the runtime', () => {
  it('waits for table records the broker has before joining later stream records (default 0)', async () => {
    const out = await joinExisting(new EmbeddedKafka(), 0);
    expect(out).toHaveLength(N);
    expect(out.filter(([, v]) => v?.endsWith(':UNKNOWN'))).toEqual([]);
    expect(out[0]).toEqual([`c${N - 1}`, `order0:name${N - 1}`]);
  }, 60_000);

  it('with -1 does not wait: stream records can run ahead of the table', async () => {
    const out = await joinExisting(new EmbeddedKafka(), -1);
    expect(out).toHaveLength(N);
    // processed as fetched: some orders meet a table that has not caught up
    expect(out.some(([, v]) => v?.endsWith(':UNKNOWN'))).toBe(true);
  }, 60_000);
});
