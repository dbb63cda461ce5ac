import { Consumed, Grouped, Materialized, Produced, Serdes, StreamsBuilder, type Topology } from '../../src/index.js';

/** The classic word count: split lines into words, count each word, write the running counts. */
export function wordCountTopology(inputTopic = 'streams-plaintext-input', outputTopic = 'streams-wordcount-output'): Topology {
  const builder = new StreamsBuilder();
  builder
    .stream(inputTopic, Consumed.with(Serdes.String(), Serdes.String()))
    .flatMapValues((line) => line.toLowerCase().split(/\W+/).filter((w) => w.length > 0))
    .groupBy((_key, word) => word, Grouped.with(Serdes.String(), Serdes.String()))
    .count(Materialized.as<string, number>('counts-store'))
    .toStream()
    .to(outputTopic, Produced.with(Serdes.String(), Serdes.Long()));
  return builder.build();
}
