/**
 * SHUTDOWN_APPLICATION (Kafka's KIP-671) over a port without enforceRebalance: a
 * short-lived member joins the application's group announcing `shutdownRequested`. The
 * join itself is a rebalance; the leader's assignor sees the flag and hands every member
 * the SHUTDOWN_REQUESTED error code, on which every instance shuts down to ERROR.
 */
import type { GroupConsumerConfig, KafkaPort } from '../kafka/KafkaPort.js';
import type { TopologyMetadata } from '../topics/TopologyMetadata.js';
import { AssignorError, decodeAssignment, USER_DATA_VERSION } from './AssignmentInfo.js';
import { StreamsPartitionAssignor } from './StreamsPartitionAssignor.js';

/** Joins, waits (up to `timeoutMs`) until the group has answered with the error code, then leaves. */
export async function requestApplicationShutdown(
  port: KafkaPort,
  meta: TopologyMetadata,
  groupId: string,
  processId: string,
  consumer: Partial<GroupConsumerConfig>,
  timeoutMs: number,
): Promise<boolean> {
  const assignor = new StreamsPartitionAssignor(meta, () => ({ version: USER_DATA_VERSION, processId, prevTasks: [], shutdownRequested: true }));
  const c = await port.consumer({ ...consumer, groupId, assignor, clientId: `${processId}-shutdown-requester` });
  let answered = false;
  c.onAssignmentChange((change) => {
    answered ||= decodeAssignment(change.assignment.userData)?.error === AssignorError.SHUTDOWN_REQUESTED;
  });
  try {
    await c.subscribe(meta.sourceTopics());
    const end = Date.now() + timeoutMs;
    while (!answered && Date.now() < end) await c.poll(100);
    return answered;
  } finally {
    await c.close().catch(() => {});
  }
}
