export { EmbeddedKafka, type EmbeddedKafkaOptions } from './EmbeddedKafka.js';
export { EmbeddedCluster } from './Cluster.js';
