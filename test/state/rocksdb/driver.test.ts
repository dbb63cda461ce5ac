import { existsSync, readdirSync, statSync } from 'node:fs';
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

  it('writes RocksDB stores once their uncommitted writes grow (commit step 3), and reads stay right', () => {
    const b = new StreamsBuilder();
    b.stream('in', Consumed.with(Serdes.String(), Serdes.String()))
      .groupByKey()
      .count(Materialized.as<string, number>('big-counts'))
      .toStream()
      .to('out', Produced.with(Serdes.String(), Serdes.Long()));
    const appId = `driver-commit-${process.pid}-${Date.now()}`;
    const driver = new TopologyTestDriver(b.build(), { applicationId: appId });
    const input = driver.createInputTopic('in', Serdes.String().serializer(), Serdes.String().serializer());
    // 40,000 distinct 100-byte keys are about 6 MiB of writes: more than the driver holds uncommitted
    const key = (i: number) => `${String(i).padStart(8, '0')}${'k'.repeat(92)}`;
    for (let round = 0; round < 2; round++) for (let i = 0; i < 40_000; i++) input.pipeInput(key(i), 'x');
    const store = driver.getKeyValueStore<string, number>('big-counts');
    expect(store?.persistent).toBe(true);
    expect(store?.get(key(0))).toBe(2);
    expect(store?.get(key(39_999))).toBe(2);
    // the writes reached RocksDB's files (its log), not only memory
    const root = readdirSync(tmpdir()).find((f) => f.startsWith('kstreams-') && existsSync(join(tmpdir(), f, appId)));
    const dir = join(tmpdir(), root as string, appId, '0_0', 'rocksdb', 'big-counts');
    const bytesOnDisk = readdirSync(dir).reduce((n, f) => n + statSync(join(dir, f)).size, 0);
    expect(bytesOnDisk).toBeGreaterThan(4 * 1024 * 1024);
    driver.close();
  }, 60_000);
});
