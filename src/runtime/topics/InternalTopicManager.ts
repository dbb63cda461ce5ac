/**
 * Prepares the topics of an application at start (Kafka's InternalTopicManager with the
 * leader's topic checks): the user's source topics must exist, internal topics are
 * computed by the TopicPlanner and created, and existing internal topics must have the
 * partition count the topology needs.
 */
import { StreamsError } from '../../errors.js';
import type { InternalTopologyBuilder } from '../../topology/InternalTopologyBuilder.js';
import type { KafkaAdmin } from '../kafka/KafkaPort.js';
import { MissingSourceTopicError } from '../errors.js';
import { planTopics, type TopicPlan } from './TopicPlanner.js';
import type { TopologyMetadata } from './TopologyMetadata.js';

/**
 * Checks the source topics, creates the internal ones and returns every known partition
 * count (sources, internal topics, global topics and the sink topics that exist).
 */
export async function prepareTopics(
  admin: KafkaAdmin,
  meta: TopologyMetadata,
  internal: InternalTopologyBuilder,
  replicationFactor: number,
): Promise<TopicPlan> {
  const inputs = [...new Set([...meta.externalSourceTopics(), ...meta.globalTopics])];
  const described = await admin.describeTopics(inputs);
  if (described.missing.length > 0) throw new MissingSourceTopicError(described.missing);

  const plan = planTopics(meta, internal, described.partitions, replicationFactor);
  const internalNames = plan.internalTopics.map((t) => t.name);
  const current = await admin.describeTopics(internalNames);
  for (const t of plan.internalTopics) {
    const actual = current.partitions.get(t.name);
    if (actual !== undefined && actual !== t.numPartitions) {
      throw new StreamsError(
        `Existing internal topic ${t.name} has invalid partitions: expected: ${t.numPartitions}; actual: ${actual}. ` +
          'The input topics changed since the application first ran; reset the application (delete its internal topics) before processing.',
      );
    }
  }
  await admin.createTopics(plan.internalTopics.filter((t) => !current.partitions.has(t.name)));

  // partition counts of sink topics, for StreamPartitioners (missing ones fail when written to)
  const partitions = new Map(plan.partitions);
  const sinks = [...new Set(meta.subtopologies.flatMap((s) => s.sinkTopics))].filter((t) => !partitions.has(t));
  if (sinks.length > 0) for (const [t, n] of (await admin.describeTopics(sinks)).partitions) partitions.set(t, n);
  return { partitions, internalTopics: plan.internalTopics };
}
