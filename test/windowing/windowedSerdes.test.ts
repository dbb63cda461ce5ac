/**
 * Windowed key serdes in Kafka's byte layouts (WindowKeySchema.toBinary and
 * SessionKeySchema.toBinary): time windows [key][start int64 BE], the end
 * rebuilt as start + window size on the way back; session windows
 * [key][end int64 BE][start int64 BE].
 */
import { describe, expect, it } from 'vitest';
import {
  Consumed,
  Serdes,
  SessionWindows,
  StreamsBuilder,
  TopologyTestDriver,
  Window,
  Windowed,
  WindowedSerdes,
} from '../../src/index.js';

const S = Serdes.String();

const long = (n: bigint) => {
  const b = Buffer.alloc(8);
  b.writeBigInt64BE(n);
  return b;
};

describe('time-windowed keys', () => {
  const serde = WindowedSerdes.timeWindowedSerdeFrom(S, 100);
  const ser = serde.serializer();
  const de = serde.deserializer();

  it('serialize to [key][start] and back, with end = start + size', () => {
    const bytes = ser.serialize('t', new Windowed('ab', new Window(5, 105)));
    expect(bytes).toEqual(Buffer.from([0x61, 0x62, 0, 0, 0, 0, 0, 0, 0, 5]));
    const back = de.deserialize('t', bytes);
    expect(back?.key).toBe('ab');
    expect([back?.window.start, back?.window.end]).toEqual([5, 105]);
    expect(back?.toString()).toBe('[ab@5/105]');
    expect(back?.window.toString()).toBe('Window{startMs=5, endMs=105}');
  });

  it('the end is not written: it always comes back as start + the serde window size', () => {
    const bytes = ser.serialize('t', new Windowed('k', new Window(10, 12)));
    expect(bytes).toEqual(Buffer.concat([Buffer.from('k'), long(10n)]));
    expect(de.deserialize('t', bytes)?.window.end).toBe(110);
    expect(WindowedSerdes.timeWindowedSerdeFrom(S, 7).deserializer().deserialize('t', bytes)?.window.end).toBe(17);
  });

  it('uses all 64 bits, big-endian', () => {
    const start = 2 ** 40 + 3;
    const bytes = ser.serialize('t', new Windowed('', new Window(start, start + 100)));
    expect(bytes).toEqual(Buffer.from([0, 0, 1, 0, 0, 0, 0, 3]));
    const back = de.deserialize('t', bytes);
    expect([back?.key, back?.window.start, back?.window.end]).toEqual(['', start, start + 100]);
  });

  it('works with any inner serde', () => {
    const ints = WindowedSerdes.timeWindowedSerdeFrom(Serdes.Integer(), 10);
    const bytes = ints.serializer().serialize('t', new Windowed(-2, new Window(20, 30)));
    expect(bytes).toEqual(Buffer.from([0xff, 0xff, 0xff, 0xfe, 0, 0, 0, 0, 0, 0, 0, 20]));
    expect(ints.deserializer().deserialize('t', bytes)?.key).toBe(-2);
  });

  it('null stays null; short input fails', () => {
    expect(ser.serialize('t', null)).toBeNull();
    expect(de.deserialize('t', null)).toBeNull();
    expect(() => de.deserialize('t', Buffer.alloc(7))).toThrow();
  });
});

describe('session-windowed keys', () => {
  const serde = WindowedSerdes.sessionWindowedSerdeFrom(S);
  const ser = serde.serializer();
  const de = serde.deserializer();

  it('serialize to [key][end][start] and back', () => {
    const bytes = ser.serialize('t', new Windowed('ab', new Window(5, 17)));
    expect(bytes).toEqual(Buffer.concat([Buffer.from('ab'), long(17n), long(5n)]));
    const back = de.deserialize('t', bytes);
    expect([back?.key, back?.window.start, back?.window.end]).toEqual(['ab', 5, 17]);
  });

  it('a single-record session has start = end', () => {
    const bytes = ser.serialize('t', new Windowed('x', new Window(2 ** 33, 2 ** 33)));
    expect(bytes).toEqual(Buffer.concat([Buffer.from('x'), long(2n ** 33n), long(2n ** 33n)]));
  });

  it('null stays null; short input fails', () => {
    expect(ser.serialize('t', null)).toBeNull();
    expect(de.deserialize('t', null)).toBeNull();
    expect(() => de.deserialize('t', Buffer.alloc(15))).toThrow();
  });

  it('a session count writes these bytes to its sink without a Produced', () => {
    const b = new StreamsBuilder();
    b.stream<string, string>('in', Consumed.with(S, S)).groupByKey().windowedBy(SessionWindows.ofInactivityGapAndGrace(10, 10)).count().toStream().to('out');
    const d = new TopologyTestDriver(b.build(), { applicationId: 'sess-bytes' });
    const input = d.createInputTopic('in', S, S);
    input.pipeInput('key', 'v', 3);
    input.pipeInput('key', 'v', 8);
    const out = d.createOutputTopic('out', Serdes.ByteArray(), Serdes.ByteArray()).readRecordsToList();
    expect(out.map((r) => [r.key, r.value, r.timestamp])).toEqual([
      [Buffer.concat([Buffer.from('key'), long(3n), long(3n)]), long(1n), 3],
      [Buffer.concat([Buffer.from('key'), long(3n), long(3n)]), null, 3],
      [Buffer.concat([Buffer.from('key'), long(8n), long(3n)]), long(2n), 8],
    ]);
    d.close();
  });
});
