/**
 * The group assignor of kstreams (Kafka's StreamsPartitionAssignor), plugged into the
 * Kafka port's PartitionAssignor. Every member is one stream thread; the leader turns
 * the topology's tasks into partitions per member with the sticky, balanced
 * TaskAssignor, and tells everyone where every task lives (for interactive queries).
 */
import type { GroupSubscription, MemberAssignment, PartitionAssignor, TopicPartition } from '../kafka/KafkaPort.js';
import type { TopologyMetadata } from '../topics/TopologyMetadata.js';
import {
  type AssignmentInfo,
  AssignorError,
  decodeSubscription,
  encodeAssignment,
  encodeSubscription,
  type HostInfo,
  type SubscriptionInfo,
  USER_DATA_VERSION,
} from './AssignmentInfo.js';
import { assignTasks } from './TaskAssignor.js';

/**
 * The protocol name. Kafka's is "stream"; kstreams' userData differs from Java's, so a
 * different name makes a mixed group fail at join (INCONSISTENT_GROUP_PROTOCOL) instead
 * of misreading each other's bytes.
 */
export const KSTREAMS_PROTOCOL = 'kstreams';

export class StreamsPartitionAssignor implements PartitionAssignor {
  readonly name = KSTREAMS_PROTOCOL;
  readonly version = USER_DATA_VERSION;

  /**
   * @param meta the topology (identical in every instance of the application)
   * @param subscription what this member announces; read at every join, so it carries the current tasks
   */
  constructor(
    private readonly meta: TopologyMetadata,
    private readonly subscription: () => SubscriptionInfo,
  ) {}

  subscriptionUserData(): Buffer {
    return encodeSubscription(this.subscription());
  }

  assign(group: GroupSubscription): ReadonlyMap<string, MemberAssignment> {
    const members = group.members.map((m) => ({ memberId: m.memberId, info: decodeSubscription(m.userData) }));
    const result = new Map<string, MemberAssignment>();
    if (members.some((m) => m.info.shutdownRequested)) {
      const info: AssignmentInfo = { version: USER_DATA_VERSION, activeTasks: [], hosts: {}, error: AssignorError.SHUTDOWN_REQUESTED };
      for (const m of members) result.set(m.memberId, { partitions: [], userData: encodeAssignment(info) });
      return result;
    }
    const tasks = this.meta.tasks(group.partitionsPerTopic);
    const partitionsOf = new Map(tasks.map((t) => [t.id.toString(), t.partitions]));
    const byMember = assignTasks(
      tasks.map((t) => t.id.toString()),
      members.map((m) => ({ memberId: m.memberId, prevTasks: m.info.prevTasks })),
    );
    // group by client host for interactive queries
    const hosts: Record<string, { tasks: string[]; partitions: [string, number][] }> = {};
    for (const m of members) {
      const server = m.info.applicationServer;
      if (server === undefined) continue;
      const h = (hosts[server] ??= { tasks: [], partitions: [] });
      for (const t of byMember.get(m.memberId) ?? []) {
        h.tasks.push(t);
        for (const tp of partitionsOf.get(t) ?? []) h.partitions.push([tp.topic, tp.partition]);
      }
    }
    for (const m of members) {
      const activeTasks = byMember.get(m.memberId) ?? [];
      const partitions: TopicPartition[] = activeTasks.flatMap((t) => partitionsOf.get(t) ?? []);
      const info: AssignmentInfo = {
        version: USER_DATA_VERSION,
        activeTasks,
        hosts: hosts as Record<string, HostInfo>,
        error: AssignorError.NONE,
      };
      result.set(m.memberId, { partitions, userData: encodeAssignment(info) });
    }
    return result;
  }
}
