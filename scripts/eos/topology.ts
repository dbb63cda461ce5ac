/**
 * The application under test, shaped like Kafka's EosTestClient: from the keyed integers
 * of `data` it writes
 *   echo   every input record, unchanged
 *   sum    running sum per key (Long)
 *   min    running minimum per key (Integer)
 *   max    running maximum per key (Integer)
 *   cnt    running count per key (Long)
 *   resum  running sum per re-keyed key `rekey(key)` (Long), after a repartition topic
 * with one output record per input record (the caller sets cacheMaxBytes 0, as Kafka's
 * test sets statestore.cache.max.bytes 0, so that no update is compacted away).
 */
import { Consumed, Grouped, Materialized, Produced, StreamsBuilder, type Topology } from '../../src/index.js';
import { intSerde, longSerde, REKEY_GROUPED, rekey, STORES, stringSerde, type TopicNames } from './common.js';

const INT_MAX = 2147483647;
const INT_MIN = -2147483648;

export function eosTopology(t: TopicNames, onRecord: () => void = () => {}): Topology {
  const builder = new StreamsBuilder();
  const data = builder.stream(t.data, Consumed.with(stringSerde, intSerde)).peek(() => onRecord());

  data.to(t.echo, Produced.with(stringSerde, intSerde));

  const grouped = data.groupByKey(Grouped.with(stringSerde, intSerde));
  grouped
    .aggregate(
      () => 0,
      (_key, value, agg) => agg + value,
      Materialized.as<string, number>(STORES.sum).withValueSerde(longSerde),
    )
    .toStream()
    .to(t.sum, Produced.with(stringSerde, longSerde));
  grouped
    .aggregate(
      () => INT_MAX,
      (_key, value, agg) => Math.min(agg, value),
      Materialized.as<string, number>(STORES.min).withValueSerde(intSerde),
    )
    .toStream()
    .to(t.min, Produced.with(stringSerde, intSerde));
  grouped
    .aggregate(
      () => INT_MIN,
      (_key, value, agg) => Math.max(agg, value),
      Materialized.as<string, number>(STORES.max).withValueSerde(intSerde),
    )
    .toStream()
    .to(t.max, Produced.with(stringSerde, intSerde));
  grouped
    .count(Materialized.as<string, number>(STORES.cnt))
    .toStream()
    .to(t.cnt, Produced.with(stringSerde, longSerde));

  // the repartitioned variant: a key-changing selectKey makes groupByKey write through
  // the internal topic <applicationId>-rekey-repartition
  data
    .selectKey((key) => rekey(key))
    .groupByKey(Grouped.with(stringSerde, intSerde, REKEY_GROUPED))
    .aggregate(
      () => 0,
      (_key, value, agg) => agg + value,
      Materialized.as<string, number>(STORES.resum).withValueSerde(longSerde),
    )
    .toStream()
    .to(t.resum, Produced.with(stringSerde, longSerde));

  return builder.build();
}
