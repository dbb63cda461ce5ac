/**
 * Kafka's default partitioning, shared by both adapters so that a keyed record lands
 * in the same partition on the embedded broker, through kafkajs, and from a Java
 * producer: `toPositive(murmur2(keyBytes)) % numPartitions`. Co-partitioned joins
 * depend on this being exact.
 */

/** Kafka's murmur2 (org.apache.kafka.common.utils.Utils#murmur2), as a signed 32-bit int. */
export function murmur2(data: Uint8Array): number {
  const length = data.length;
  const m = 0x5bd1e995;
  let h = (0x9747b28c ^ length) | 0;
  const whole = length & ~3;
  for (let i = 0; i < whole; i += 4) {
    let k = (data[i] as number) | ((data[i + 1] as number) << 8) | ((data[i + 2] as number) << 16) | ((data[i + 3] as number) << 24);
    k = Math.imul(k, m);
    k ^= k >>> 24;
    k = Math.imul(k, m);
    h = Math.imul(h, m) ^ k;
  }
  // the tail, as Java's switch with fall-through
  const rest = length & 3;
  if (rest === 3) h ^= (data[whole + 2] as number) << 16;
  if (rest >= 2) h ^= (data[whole + 1] as number) << 8;
  if (rest >= 1) {
    h ^= data[whole] as number;
    h = Math.imul(h, m);
  }
  h ^= h >>> 13;
  h = Math.imul(h, m);
  h ^= h >>> 15;
  return h | 0;
}

/** The partition Kafka's default partitioner picks for a non-null key. */
export function partitionForKey(key: Uint8Array, numPartitions: number): number {
  return (murmur2(key) & 0x7fffffff) % numPartitions;
}

/**
 * Chooses partitions for records without an explicit one: murmur2 for keyed records,
 * round-robin per topic for null keys (Kafka's sticky partitioner is an optimisation of
 * the same contract: no ordering promise for null keys).
 */
export class DefaultPartitioner {
  private readonly roundRobin = new Map<string, number>();

  partition(topic: string, key: Uint8Array | null, numPartitions: number): number {
    if (key !== null) return partitionForKey(key, numPartitions);
    const next = this.roundRobin.get(topic) ?? 0;
    this.roundRobin.set(topic, next + 1);
    return next % numPartitions;
  }
}
