/**
 * A kstreams PartitionAssignor as a kafkajs PartitionAssigner. kafkajs' assigner
 * protocol is Kafka's ConsumerProtocol (v0 layout): the member metadata carries the
 * subscribed topics and our subscription userData, the member assignment carries the
 * partitions and our assignment userData. kafkajs decodes the assignment for itself and
 * keeps only the partitions, so the member reads its own userData back with
 * `readOwnAssignment` (a DescribeGroups call) after each join.
 */
// first: fixes kafkajs' read_committed filter before kafkajs loads (see the file)
import './abortedFilterFix.js';
import { AssignerProtocol, type Consumer, type PartitionAssigner } from 'kafkajs';
import type { GroupSubscription, MemberAssignment, MemberSubscription, PartitionAssignor, TopicPartition } from '../KafkaPort.js';
import { EMPTY_BYTES, sortPartitions, tpKey } from '../util.js';

export function toKafkajsAssigner(assignor: PartitionAssignor): PartitionAssigner {
  const version = assignor.version ?? 0;
  return ({ cluster }) => ({
    name: assignor.name,
    version,
    protocol({ topics }) {
      const userData = assignor.subscriptionUserData(topics);
      return { name: assignor.name, metadata: AssignerProtocol.MemberMetadata.encode({ version, topics, userData }) };
    },
    async assign({ members }) {
      const subscriptions: MemberSubscription[] = members.map((m) => {
        const md = AssignerProtocol.MemberMetadata.decode(m.memberMetadata);
        return { memberId: m.memberId, topics: md?.topics ?? [], userData: md?.userData ?? EMPTY_BYTES };
      });
      // kafkajs hands the leader only its own topics; members may subscribe to more
      const topics = [...new Set(subscriptions.flatMap((s) => s.topics))];
      await cluster.addMultipleTargetTopics(topics);
      const partitionsPerTopic = new Map<string, number>();
      for (const t of topics) {
        const n = cluster.findTopicPartitionMetadata(t).length;
        if (n > 0) partitionsPerTopic.set(t, n);
      }
      const group: GroupSubscription = { members: subscriptions, partitionsPerTopic };
      const result = await assignor.assign(group);
      return members.map((m) => {
        const a = result.get(m.memberId);
        const assignment: Record<string, number[]> = {};
        for (const tp of a?.partitions ?? []) (assignment[tp.topic] ??= []).push(tp.partition);
        return {
          memberId: m.memberId,
          memberAssignment: AssignerProtocol.MemberAssignment.encode({ version, assignment, userData: a?.userData ?? EMPTY_BYTES }),
        };
      });
    },
  });
}

function samePartitions(a: readonly TopicPartition[], b: readonly TopicPartition[]): boolean {
  if (a.length !== b.length) return false;
  const keys = new Set(a.map((tp) => tpKey(tp.topic, tp.partition)));
  return b.every((tp) => keys.has(tpKey(tp.topic, tp.partition)));
}

/**
 * This member's assignment userData for the generation whose partitions kafkajs just
 * reported. DescribeGroups returns assignments only while the group is Stable; if the
 * group moved on meanwhile (another rebalance), the partitions will not match and we try
 * again, then give up with empty userData (a later join will bring the right one).
 */
export async function readOwnAssignment(
  consumer: Consumer,
  memberId: string,
  partitions: readonly TopicPartition[],
  stillWanted: () => boolean,
): Promise<MemberAssignment> {
  for (let attempt = 1; attempt <= 8; attempt++) {
    try {
      const group = await consumer.describeGroup();
      const me = group.state === 'Stable' ? group.members.find((m) => m.memberId === memberId) : undefined;
      const decoded = me !== undefined && me.memberAssignment.length > 0 ? AssignerProtocol.MemberAssignment.decode(me.memberAssignment) : null;
      if (decoded !== null) {
        const got = sortPartitions(Object.entries(decoded.assignment).flatMap(([topic, ps]) => ps.map((partition) => ({ topic, partition }))));
        if (samePartitions(got, partitions)) return { partitions: got, userData: decoded.userData ?? EMPTY_BYTES };
      }
    } catch {
      // the coordinator may be moving; retry below
    }
    await new Promise((r) => setTimeout(r, 50 * attempt));
    if (!stillWanted()) break;
  }
  return { partitions: sortPartitions(partitions), userData: EMPTY_BYTES };
}
