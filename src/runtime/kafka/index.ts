/**
 * The Kafka seam: the port, its errors, Kafka's default partitioner and the embedded
 * broker. The kafkajs adapter is imported from './kafkajs/index.js' on purpose, so that
 * code using only the embedded broker never loads kafkajs.
 */
export * from './KafkaPort.js';
export * from './errors.js';
export { DefaultPartitioner, murmur2, partitionForKey } from './partitioner.js';
export { EmbeddedKafka, type EmbeddedKafkaOptions } from './embedded/index.js';
