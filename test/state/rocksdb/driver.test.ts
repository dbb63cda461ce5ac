import { existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Consumed, Materialized, Produced, Serdes, Stores, StreamsBuilder, TopologyTestDriver } from '../../../src/index.js';

describe('persistent stores in the TopologyTestDriver', () => {
  it('a count materialized in RocksDB works, and the task directory is temporary', () => {
    const appId = `driver-test-${process.pid}-${Date.now()}`;
    // other test files make temporary task directories too: find ours by its application id
    const ours = () => readdirSync(tmpdir()).filter((f) => f.startsWith('kstreams-') && existsSync(join(tmpdir(), f, appId)));
    const b = new StreamsBuilder();
    b.stream('in', Consumed.with(Serdes.String(), Serdes.String()))
      .groupByKey()
      .count(Materialized.as(Stores.persistentKeyValueStore('counts')))
      .toStream()
      .to('out', Produced.with(Serdes.String(), Serdes.Long()));
    const driver = new TopologyTestDriver(b.build(), { applicationId: appId });
    const created = ours();
    expect(created).toHaveLength(1);
    expect(existsSync(join(tmpdir(), created[0] as string, appId, '0_0', 'rocksdb', 'counts'))).toBe(true);
    const input = driver.createInputTopic('in', Serdes.String().serializer(), Serdes.String().serializer());
    const output = driver.createOutputTopic('out', Serdes.String().deserializer(), Serdes.Long().deserializer());
    for (const k of ['a', 'b', 'a', 'a']) input.pipeInput(k, 'x');
    expect(output.readKeyValuesToMap()).toEqual(new Map([['a', 3], ['b', 1]]));
    const store = driver.getKeyValueStore<string, number>('counts');
    expect(store?.get('a')).toBe(3);
    expect(store?.persistent).toBe(true);
    driver.close();
    expect(ours()).toEqual([]);
  });
});
