/**
 * Byte keys are Buffers at the store interfaces, but hash maps need a value
 * type with equality. A latin1 string maps each byte to one UTF-16 code unit,
 * so it is a lossless key whose JS string order equals unsigned byte order.
 */
export function bytesToKey(bytes: Buffer): string {
  return bytes.toString('latin1');
}

export function keyToBytes(key: string): Buffer {
  return Buffer.from(key, 'latin1');
}

/** Unsigned lexicographic comparison of two byte keys in their string form. */
export function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The smallest key string strictly greater than every key that starts with `prefix`, or null if none exists. */
export function prefixUpperBound(prefix: string): string | null {
  for (let i = prefix.length - 1; i >= 0; i--) {
    const c = prefix.charCodeAt(i);
    if (c < 0xff) return prefix.slice(0, i) + String.fromCharCode(c + 1);
  }
  return null;
}

const TWO_32 = 2 ** 32;

/** Writes a safe integer as a 64-bit big-endian signed long, without BigInt (hot path). */
export function writeLong(buf: Buffer, offset: number, n: number): void {
  const hi = Math.floor(n / TWO_32);
  buf.writeInt32BE(hi, offset);
  buf.writeUInt32BE(n - hi * TWO_32, offset + 4);
}

/** Reads a 64-bit big-endian signed long as a number (exact within ±2^53). */
export function readLong(buf: Buffer, offset: number): number {
  return buf.readInt32BE(offset) * TWO_32 + buf.readUInt32BE(offset + 4);
}
