import { describe, expect, it } from 'vitest';
import { SerializationError } from '../../src/errors.js';
import { Serdes, serdeFrom } from '../../src/index.js';

const roundTrip = <T>(serde: { serializer(): { serialize(t: string, v: T | null): Buffer | null }; deserializer(): { deserialize(t: string, b: Buffer | null): T | null } }, v: T | null) =>
  serde.deserializer().deserialize('t', serde.serializer().serialize('t', v));

describe('Serdes', () => {
  it('String is UTF-8', () => {
    expect(Serdes.String().serializer().serialize('t', 'héllo')).toEqual(Buffer.from('héllo', 'utf8'));
    expect(roundTrip(Serdes.String(), 'ünïcode ✓')).toBe('ünïcode ✓');
  });

  it('Integer is 4 bytes big-endian, as Java writes it', () => {
    expect(Serdes.Integer().serializer().serialize('t', 258)).toEqual(Buffer.from([0, 0, 1, 2]));
    expect(Serdes.Integer().serializer().serialize('t', -1)).toEqual(Buffer.from([0xff, 0xff, 0xff, 0xff]));
    expect(roundTrip(Serdes.Integer(), -2147483648)).toBe(-2147483648);
  });

  it('Long is 8 bytes big-endian two\'s complement', () => {
    expect(Serdes.Long().serializer().serialize('t', 1)).toEqual(Buffer.from([0, 0, 0, 0, 0, 0, 0, 1]));
    expect(Serdes.Long().serializer().serialize('t', -2)).toEqual(Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe]));
    for (const v of [0, 42, -42, 2 ** 40 + 3, -(2 ** 52), Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER]) {
      expect(roundTrip(Serdes.Long(), v)).toBe(v);
      const viaBigInt = Buffer.alloc(8);
      viaBigInt.writeBigInt64BE(BigInt(v));
      expect(Serdes.Long().serializer().serialize('t', v)).toEqual(viaBigInt);
    }
  });

  it('Long refuses values a JS number cannot hold exactly, and BigLong takes them', () => {
    expect(() => Serdes.Long().serializer().serialize('t', 2 ** 60)).toThrow(SerializationError);
    const big = Buffer.alloc(8);
    big.writeBigInt64BE(2n ** 60n);
    expect(() => Serdes.Long().deserializer().deserialize('t', big)).toThrow(/BigLong/);
    expect(Serdes.BigLong().deserializer().deserialize('t', big)).toBe(2n ** 60n);
  });

  it('Double, Float, Short and Boolean round-trip', () => {
    expect(roundTrip(Serdes.Double(), 3.25)).toBe(3.25);
    expect(roundTrip(Serdes.Float(), 1.5)).toBe(1.5);
    expect(roundTrip(Serdes.Short(), -300)).toBe(-300);
    expect(roundTrip(Serdes.Boolean(), true)).toBe(true);
    expect(roundTrip(Serdes.Boolean(), false)).toBe(false);
  });

  it('fixed-size deserializers reject data of the wrong size', () => {
    expect(() => Serdes.Integer().deserializer().deserialize('t', Buffer.from([1, 2]))).toThrow(/not 4/);
    expect(() => Serdes.Long().deserializer().deserialize('t', Buffer.from([1]))).toThrow(/not 8/);
    expect(() => Serdes.Double().deserializer().deserialize('t', Buffer.from([1]))).toThrow(SerializationError);
  });

  it('null stays null in every serde', () => {
    for (const s of [Serdes.String(), Serdes.Integer(), Serdes.Long(), Serdes.Double(), Serdes.Bytes(), Serdes.JSON()]) {
      expect(s.serializer().serialize('t', null as never)).toBeNull();
      expect(s.deserializer().deserialize('t', null)).toBeNull();
    }
  });

  it('Void only reads null', () => {
    expect(Serdes.Void().serializer().serialize('t', null)).toBeNull();
    expect(() => Serdes.Void().deserializer().deserialize('t', Buffer.from('x'))).toThrow(SerializationError);
  });

  it('Bytes passes buffers through', () => {
    const b = Buffer.from([1, 2, 3]);
    expect(roundTrip(Serdes.Bytes(), b)).toEqual(b);
  });

  it('JSON round-trips objects and reports bad JSON clearly', () => {
    const v = { id: 1, tags: ['a'], nested: { ok: true } };
    expect(roundTrip(Serdes.JSON<typeof v>(), v)).toEqual(v);
    expect(() => Serdes.JSON().deserializer().deserialize('t', Buffer.from('{nope'))).toThrow(/could not parse/);
  });

  it('serdeFrom builds a user serde from two functions', () => {
    const upper = serdeFrom<string>(
      (s) => Buffer.from(s.toUpperCase()),
      (b) => b.toString().toLowerCase(),
    );
    expect(upper.serializer().serialize('t', 'abc')).toEqual(Buffer.from('ABC'));
    expect(roundTrip(upper, 'abc')).toBe('abc');
  });
});
