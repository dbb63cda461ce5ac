import { Serdes, TopologyTestDriver } from '../../src/index.js';
import { wordCountTopology } from './topology.js';

// Runs word count under TopologyTestDriver (no Kafka needed) and prints what it does.
const topology = wordCountTopology();
console.log(topology.describe().toString());

const driver = new TopologyTestDriver(topology, { applicationId: 'wordcount-demo' });
const input = driver.createInputTopic('streams-plaintext-input', Serdes.String(), Serdes.String(), 0, 1000);
const output = driver.createOutputTopic('streams-wordcount-output', Serdes.String(), Serdes.Long());

const lines = ['all streams lead to kafka', 'hello kafka streams', 'join kafka summit'];
for (const line of lines) {
  input.pipeInput(null, line);
  console.log(`> ${line}`);
  for (const { key, value } of output.readKeyValuesToList()) console.log(`  ${key}: ${value}`);
}
const store = driver.getKeyValueStore<string, number>('counts-store');
const all = store ? [...store.all()].map((kv) => `${kv.key}=${kv.value}`) : [];
console.log(`\ncounts-store: ${all.join(', ')}`);
console.log(`topics written: ${[...driver.producedTopicNames()].sort().join(', ')}`);
driver.close();
