/**
 * The byte-level restore of the stores behind suppress() and outer stream-stream joins:
 * what a store logs to its changelog, read back into a fresh store, gives the same
 * store (Kafka's restore callbacks of InMemoryTimeOrderedKeyValueChangeBuffer and of the
 * ListValueStore), in Kafka's changelog layouts, including the older ones Kafka reads.
 */
import { describe, expect, it } from 'vitest';
import { Change } from '../../src/dsl/internals/Change.js';
import { OuterJoinStoreBuilder } from '../../src/dsl/internals/OuterJoinStore.js';
import type { BufferedUpdate } from '../../src/dsl/internals/SuppressionBuffer.js';
import { SuppressionBuffer, type SuppressionChangelogRecord } from '../../src/dsl/internals/SuppressionBuffer.js';
import { ProcessorStateError } from '../../src/errors.js';
import { Headers } from '../../src/processor/Headers.js';
import { TaskId } from '../../src/runtime/TaskId.js';
import { Serdes } from '../../src/serdes/Serdes.js';
import type { RecordContext, StoreContext } from '../../src/state/StateStore.js';

const S = Serdes.String();
const TOPIC = 'app-buf-changelog';

interface Logged {
  key: Buffer;
  value: Buffer | null;
  timestamp: number;
  headers: Headers;
}

function context(partition = 0): { context: StoreContext; logged: Logged[] } {
  const logged: Logged[] = [];
  let rc: RecordContext = { timestamp: 0, headers: Headers.EMPTY, topic: 'in', partition, offset: 0 };
  return {
    logged,
    context: {
      applicationId: 'app',
      taskId: new TaskId(0, partition),
      defaultKeySerde: S as never,
      defaultValueSerde: S as never,
      cache: null,
      recordContext: () => rc,
      withRecordContext: (ctx, fn) => {
        const prev = rc;
        rc = ctx;
        try {
          fn();
        } finally {
          rc = prev;
        }
      },
      setRecordContext: (ctx) => {
        const prev = rc;
        rc = ctx;
        return prev;
      },
      logChange: (_store, key, value, timestamp, headers) => logged.push({ key: Buffer.from(key), value, timestamp, headers }),
      register: () => {},
    },
  };
}

function buffer(partition = 0): { buf: SuppressionBuffer<string, string>; logged: Logged[] } {
  const { context: ctx, logged } = context(partition);
  const buf = new SuppressionBuffer<string, string>('buf', S, S, true);
  buf.init(ctx, buf);
  return { buf, logged };
}

function rc(timestamp: number, offset: number, headers = Headers.EMPTY, topic: string | null = 'in'): RecordContext {
  return { timestamp, offset, partition: 0, topic, headers };
}

function asRecords(logged: readonly Logged[], partition = 0): SuppressionChangelogRecord[] {
  return logged.map((l, i) => ({ topic: TOPIC, partition, offset: i, timestamp: l.timestamp, key: l.key, value: l.value, headers: l.headers }));
}

/** Everything the buffer holds, oldest first, as eviction hands it over (the buffer is emptied). */
function drain(buf: SuppressionBuffer<string, string>): BufferedUpdate<string, string>[] {
  const out: BufferedUpdate<string, string>[] = [];
  buf.evictWhile(
    () => true,
    (u) => out.push(u),
  );
  return out;
}

const sized = (b: Buffer | null): Buffer[] => {
  const len = Buffer.alloc(4);
  len.writeInt32BE(b === null ? -1 : b.length);
  return b === null ? [len] : [len, b];
};
const long = (n: number): Buffer => {
  const b = Buffer.alloc(8);
  b.writeBigInt64BE(BigInt(n));
  return b;
};
const int = (n: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return b;
};
const str = (s: string): Buffer => Buffer.from(s, 'utf8');
/** Kafka's ProcessorRecordContext.serialize, with one header h=1. */
const serializedContext = (timestamp: number, offset: number): Buffer =>
  Buffer.concat([long(timestamp), long(offset), ...sized(str('in')), int(0), int(1), ...sized(str('h')), ...sized(Buffer.from([1]))]);
const legacyChange = (oldValue: string | null, newValue: string | null): Buffer =>
  Buffer.concat([...sized(oldValue === null ? null : str(oldValue)), ...sized(newValue === null ? null : str(newValue))]);

describe('restoring a suppression buffer from its changelog', () => {
  it('rebuilds the buffer it logged: entries, buffer times, prior values, contexts, size', () => {
    const { buf, logged } = buffer();
    const headers = Headers.of([{ key: 'h', value: Buffer.from('v') }]);
    buf.put(20, 'b', new Change('b1', null), rc(12, 3, headers));
    buf.put(10, 'a', new Change('a1', 'a0'), rc(5, 1));
    // non-resetting: the key keeps its buffer time and its prior value a0
    buf.put(30, 'a', new Change('a2', 'a1'), rc(7, 4, Headers.EMPTY, null));
    buf.put(5, 'c', new Change('c1', null), rc(40, 5));
    buf.flush();
    // c, the oldest, leaves the buffer (emitted): a tombstone at the next flush
    buf.evictWhile(
      () => buf.numRecords() > 2,
      () => {},
    );
    buf.flush();
    expect(logged.map((l) => [l.key.toString(), l.value === null ? null : l.headers.lastHeader('v')?.value])).toContainEqual(['a', Buffer.from([3])]);

    const restored = buffer();
    for (const r of asRecords(logged)) restored.buf.restore(r);
    // nothing restored is logged again
    restored.buf.flush();
    expect(restored.logged).toEqual([]);
    expect(restored.buf.numRecords()).toBe(2);
    expect(restored.buf.numRecords()).toBe(buf.numRecords());
    expect(restored.buf.bufferSize()).toBe(buf.bufferSize());
    expect(restored.buf.minTimestamp()).toBe(buf.minTimestamp());
    const strip = (us: BufferedUpdate<string, string>[]) => us.map(({ context: c, ...rest }) => ({ ...rest, context: { ...c, headers: c.headers.toArray() } }));
    const evicted = strip(drain(buf));
    expect(evicted.map((u) => [u.key, u.time, u.priorValue, u.oldValue, u.newValue])).toEqual([
      ['a', 10, 'a0', 'a1', 'a2'],
      ['b', 20, null, null, 'b1'],
    ]);
    expect(strip(drain(restored.buf))).toEqual(evicted);
  });

  it('after a restore, a newer update of a buffered key keeps its place and its prior value', () => {
    const { buf, logged } = buffer();
    buf.put(10, 'a', new Change('a1', 'a0'), rc(5, 1));
    buf.flush();
    const restored = buffer();
    for (const r of asRecords(logged)) restored.buf.restore(r);
    restored.buf.put(99, 'a', new Change('a2', 'a1'), rc(8, 2));
    const [u] = drain(restored.buf);
    expect(u).toMatchObject({ key: 'a', time: 10, newValue: 'a2', oldValue: 'a1', priorValue: 'a0' });
  });

  it('a tombstone (the key was emitted) removes the key', () => {
    const { buf } = buffer();
    buf.restore({ topic: TOPIC, partition: 0, offset: 0, timestamp: 1, key: str('a'), value: null, headers: Headers.EMPTY });
    expect(buf.numRecords()).toBe(0);
    const { buf: b2, logged } = buffer();
    b2.put(10, 'a', new Change('a1', null), rc(5, 1));
    b2.flush();
    for (const r of asRecords(logged)) buf.restore(r);
    expect(buf.numRecords()).toBe(1);
    buf.restore({ topic: TOPIC, partition: 0, offset: 1, timestamp: 1, key: str('a'), value: null, headers: Headers.EMPTY });
    expect(buf.numRecords()).toBe(0);
    expect(buf.bufferSize()).toBe(0);
    expect(buf.minTimestamp()).toBe(Number.POSITIVE_INFINITY);
  });

  it('reads the older layouts Kafka reads: versions 0, 1 and 2 (and version 3 data under the 2 header)', () => {
    const { buf } = buffer();
    const rec = (key: string, value: Buffer, v: number | null, offset = 0): SuppressionChangelogRecord => ({
      topic: TOPIC,
      partition: 0,
      offset,
      timestamp: 77,
      key: str(key),
      value,
      headers: v === null ? Headers.EMPTY : Headers.of([{ key: 'v', value: Buffer.from([v]) }]),
    });
    // version 0: [time][old][new]; the record's own context
    buf.restore(rec('a', Buffer.concat([long(10), legacyChange('a0', 'a1')]), null, 5));
    // version 1: [time][context][legacy change as one sized array]
    buf.restore(rec('b', Buffer.concat([long(20), serializedContext(3, 4), ...sized(legacyChange(null, 'b1'))]), 1));
    // version 2: [context][legacy change][prior][time]
    buf.restore(rec('c', Buffer.concat([serializedContext(6, 7), ...sized(legacyChange('c1', 'c2')), ...sized(str('c0')), long(30)]), 2));
    // version 3 under the version 2 header (Kafka 2.4.0 to 2.5.0): [context][prior][old: -2 = prior][new][time]
    buf.restore(rec('d', Buffer.concat([serializedContext(8, 9), ...sized(str('d0')), int(-2), ...sized(str('d1')), long(40)]), 2));
    const us = drain(buf);
    expect(us.map((u) => [u.key, u.time, u.priorValue, u.oldValue, u.newValue, u.context.timestamp, u.context.offset])).toEqual([
      ['a', 10, 'a0', 'a0', 'a1', 77, 5],
      ['b', 20, null, null, 'b1', 3, 4],
      ['c', 30, 'c0', 'c1', 'c2', 6, 7],
      ['d', 40, 'd0', 'd0', 'd1', 8, 9],
    ]);
    expect(us[1]?.context.headers.lastHeader('h')?.value).toEqual(Buffer.from([1]));
    expect(us[0]?.context.topic).toBe(TOPIC);
  });

  it('refuses an unknown version, a corrupt value and a record of another partition', () => {
    const { buf } = buffer();
    const base = { topic: TOPIC, partition: 0, offset: 0, timestamp: 1, key: str('a') };
    expect(() => buf.restore({ ...base, value: Buffer.alloc(20), headers: Headers.of([{ key: 'v', value: Buffer.from([9]) }]) })).toThrow(ProcessorStateError);
    expect(() => buf.restore({ ...base, value: Buffer.alloc(3), headers: Headers.of([{ key: 'v', value: Buffer.from([3]) }]) })).toThrow(
      /invalid changelog record/,
    );
    expect(() => buf.restore({ ...base, partition: 1, value: null, headers: Headers.EMPTY })).toThrow(
      'record partition [1] is being restored by the wrong suppress partition [0]',
    );
  });
});

describe('restoring the shared store of an outer stream-stream join from its changelog', () => {
  function store() {
    const { context: ctx, logged } = context();
    const builder = new OuterJoinStoreBuilder<string, string, number>('pairs-outer-shared-join-store', S, S, Serdes.Integer());
    const s = builder.build();
    s.init(ctx, s);
    return { s, logged, decoder: builder.changelogDecoder('app-pairs-outer-shared-join-store-changelog', { keySerde: S as never, valueSerde: S as never }) };
  }

  it("logs each key's whole list in Kafka's layout (ListSerde of LeftOrRightValue) and a tombstone when it goes", () => {
    const { s, logged } = store();
    const key = { timestamp: 1000, leftSide: true, key: 'k' };
    s.put(key, [
      { left: 'L1', right: null },
      { left: null, right: 7 },
    ]);
    s.delete(key);
    expect(logged[0]?.key).toEqual(Buffer.concat([long(1000), Buffer.from([1]), str('k')]));
    expect(logged[0]?.value).toEqual(Buffer.concat([Buffer.from([1]), int(2), int(3), Buffer.from([1]), str('L1'), int(5), Buffer.from([0]), int(7)]));
    expect(logged[1]?.value).toBeNull();
  });

  it('decodes its changelog back to the store (also values of the earlier kstreams layout)', () => {
    const { s, logged, decoder } = store();
    const key = { timestamp: 1500, leftSide: false, key: 'k2' };
    const list = [
      { left: null, right: 9 },
      { left: 'x', right: null },
    ];
    s.put(key, list);
    const restored = store();
    for (const l of logged) restored.s.put(decoder.key(l.key), l.value === null ? null : decoder.value(l.value));
    expect(restored.s.get(key)).toEqual(list);
    const legacy = Buffer.concat([int(2), Buffer.from([0]), int(4), int(9), Buffer.from([1]), int(1), str('x')]);
    expect(decoder.value(legacy)).toEqual(list);
  });
});
