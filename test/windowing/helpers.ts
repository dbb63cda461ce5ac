/**
 * Shared helpers of the windowing tests: a driver over one input topic whose
 * windowed output is read back as compact strings "key@start/end=value@ts".
 */
import {
  Serdes,
  TopologyTestDriver,
  WindowedSerdes,
  type Serde,
  type StreamsConfig,
  type Topology,
  type Windowed,
} from '../../src/index.js';

export const S = Serdes.String();
export const L = Serdes.Long();
export const CLOCK = 1_000_000;
export const EMIT_WINDOWED = '__emit.interval.ms.kstreams.windowed.aggregation__';

export function fmt<V>(key: Windowed<string> | null, value: V | null, ts: number): string {
  return key === null ? `null=${value}@${ts}` : `${key.key}@${key.window.start}/${key.window.end}=${value}@${ts}`;
}

/**
 * A driver with input topic "in" (string keys and values) and output topic
 * "out" holding windowed keys; `pipe` returns what the topology wrote for that record.
 */
export function windowedDriver<V>(
  topology: Topology,
  keySerde: Serde<Windowed<string>>,
  valueSerde: Serde<V>,
  config: Partial<StreamsConfig> = {},
) {
  const d = new TopologyTestDriver(topology, { applicationId: 'win', defaultKeySerde: S, defaultValueSerde: S, ...config }, CLOCK);
  const input = d.createInputTopic('in', S, S);
  const out = d.createOutputTopic('out', keySerde, valueSerde);
  const read = () => out.readRecordsToList().map((r) => fmt(r.key, r.value, r.timestamp as number));
  const pipe = (key: string | null, value: string | null, ts: number) => {
    input.pipeInput(key, value, ts);
    return read();
  };
  return { d, pipe, read };
}

export const timeKeys = (size: number) => WindowedSerdes.timeWindowedSerdeFrom(S, size);
export const sessionKeys = () => WindowedSerdes.sessionWindowedSerdeFrom(S);

/** [windowStart-or-key, value] pairs of a store iterator, closed afterwards. */
export function collect<K, V>(it: Iterable<{ key: K; value: V }> & { close(): void }): [K, V][] {
  const out: [K, V][] = [];
  for (const kv of it) out.push([kv.key, kv.value]);
  it.close();
  return out;
}
