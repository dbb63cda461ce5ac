/**
 * Kafka's rules for the partition counts and configs of internal topics, as a pure
 * function of the topology and the partition counts of the user's topics (Kafka's
 * RepartitionTopics, CopartitionedTopicsEnforcer and ChangelogTopics):
 * - repartition topics take the largest partition count among the source topics of the
 *   sub-topology that writes them, found by iterating to a fixed point (a repartition
 *   topic can feed another), unless `Repartitioned.numberOfPartitions` fixed the count;
 * - co-partitioned groups (join inputs) must agree: user topics must have equal counts,
 *   and repartition topics in the group are coerced to that count;
 * - changelog topics get the task count of their sub-topology (its largest source topic).
 */
import { StreamsError } from '../../errors.js';
import type { NewTopic } from '../kafka/KafkaPort.js';
import { SessionStoreBuilder, WindowStoreBuilder } from '../../state/Stores.js';
import type { InternalTopologyBuilder } from '../../topology/InternalTopologyBuilder.js';
import { CopartitionError, formatCounts } from '../errors.js';
import type { TopologyMetadata } from './TopologyMetadata.js';

/** Kafka's windowstore.changelog.additional.retention.ms default: one day. */
const WINDOW_CHANGELOG_ADDITIONAL_RETENTION_MS = 24 * 60 * 60 * 1000;

/** Kafka's repartition topic defaults: purged by the application, so kept forever by the broker. */
const REPARTITION_CONFIGS: Readonly<Record<string, string>> = {
  'cleanup.policy': 'delete',
  'retention.ms': '-1',
  'segment.bytes': '52428800',
};

export interface TopicPlan {
  /** Partition count of every topic the application reads or writes internally. */
  readonly partitions: ReadonlyMap<string, number>;
  /** Repartition and changelog topics to create (existing ones are checked, not changed). */
  readonly internalTopics: readonly NewTopic[];
}

/**
 * Computes the internal topics. `existing` holds the partition counts of the user's
 * source topics (all of which must exist: check that first).
 */
export function planTopics(
  meta: TopologyMetadata,
  internal: InternalTopologyBuilder,
  existing: ReadonlyMap<string, number>,
  replicationFactor: number,
): TopicPlan {
  const counts = new Map(existing);
  const fixed = new Set<string>();
  for (const spec of internal.repartitionTopics()) {
    if (spec.numPartitions !== undefined) {
      counts.set(spec.name, spec.numPartitions);
      fixed.add(spec.name);
    }
  }
  computeRepartitionCounts(meta, counts);
  for (const group of internal.copartitionGroupsDecorated()) enforceCopartitioning(group, meta, counts, fixed);

  const topics: NewTopic[] = [];
  const rf = replicationFactor;
  for (const name of meta.repartitionTopics) {
    topics.push({ name, numPartitions: counts.get(name) as number, replicationFactor: rf, configs: REPARTITION_CONFIGS });
  }
  for (const s of meta.subtopologies) {
    const n = Math.max(0, ...s.sourceTopics.map((t) => counts.get(t) ?? 0));
    for (const [store, topic] of s.changelogTopics) {
      counts.set(topic, n);
      topics.push({ name: topic, numPartitions: n, replicationFactor: rf, configs: changelogConfigs(internal, store) });
    }
  }
  return { partitions: counts, internalTopics: topics };
}

/** Kafka's RepartitionTopics.setRepartitionSourceTopicPartitionCount: iterate until every count is known. */
function computeRepartitionCounts(meta: TopologyMetadata, counts: Map<string, number>): void {
  for (;;) {
    const unknown = [...meta.repartitionTopics].filter((t) => !counts.has(t));
    if (unknown.length === 0) return;
    let progress = false;
    for (const topic of unknown) {
      let n: number | undefined;
      for (const s of meta.subtopologies) {
        if (!s.sinkTopics.includes(topic)) continue;
        for (const upstream of s.sourceTopics) {
          const c = counts.get(upstream);
          if (c !== undefined && (n === undefined || c > n)) n = c;
        }
      }
      if (n !== undefined) {
        counts.set(topic, n);
        progress = true;
      }
    }
    if (!progress) {
      throw new StreamsError(
        `Failed to compute the number of partitions of repartition topic(s) [${unknown.join(', ')}]: ` +
          'no sub-topology writing them reads a topic with a known partition count. Make sure all input topics exist.',
      );
    }
  }
}

/** Kafka's CopartitionedTopicsEnforcer.enforce for one group of topics. */
function enforceCopartitioning(group: readonly string[], meta: TopologyMetadata, counts: Map<string, number>, fixed: ReadonlySet<string>): void {
  if (group.length === 0) return;
  const repartition = group.filter((t) => meta.repartitionTopics.has(t));
  const external = group.filter((t) => !meta.repartitionTopics.has(t));
  const countsOf = (topics: readonly string[]) => Object.fromEntries(topics.map((t) => [t, counts.get(t) as number]));
  let target: number;
  if (external.length === 0) {
    const enforced = repartition.filter((t) => fixed.has(t));
    if (enforced.length > 0) {
      target = counts.get(enforced[0] as string) as number;
      if (enforced.some((t) => counts.get(t) !== target)) {
        const all = countsOf(enforced);
        throw new CopartitionError(
          `Invalid topology: Following topics do not have the same number of partitions: [${formatCounts(all)}]. ` +
            'Co-partitioned repartition topics (Repartitioned.withNumberOfPartitions) must use the same count.',
          all,
        );
      }
    } else {
      target = Math.max(...repartition.map((t) => counts.get(t) as number));
    }
  } else {
    const all = countsOf(external);
    target = counts.get(external[0] as string) as number;
    if (external.some((t) => counts.get(t) !== target)) {
      throw new CopartitionError(
        `Invalid topology: Topics not co-partitioned: [${formatCounts(all)}]. The inputs of a join must have the same ` +
          'number of partitions (and the same partitioner); repartition one side (e.g. with repartition()) or recreate a topic.',
        all,
      );
    }
  }
  for (const t of repartition) {
    if (!fixed.has(t)) counts.set(t, target);
    else if (counts.get(t) !== target) {
      const all = { ...countsOf(external), [t]: counts.get(t) as number };
      throw new CopartitionError(
        `Invalid topology: Number of partitions [${counts.get(t)}] of repartition topic [${t}] doesn't match number of partitions [${target}] of the source topic.`,
        all,
      );
    }
  }
}

/** Changelog configs: compacted; windowed stores also delete by time (retention + one day). */
function changelogConfigs(internal: InternalTopologyBuilder, store: string): Record<string, string> {
  const builder = internal.storeBuilder(store);
  const own = builder?.logConfig() ?? {};
  if (builder instanceof WindowStoreBuilder || builder instanceof SessionStoreBuilder) {
    const retention = builder.retentionPeriod + WINDOW_CHANGELOG_ADDITIONAL_RETENTION_MS;
    return { 'cleanup.policy': 'compact,delete', 'retention.ms': String(retention), ...own };
  }
  return { 'cleanup.policy': 'compact', ...own };
}
