/** A value with the timestamp of the record that last wrote it (Kafka's `ValueAndTimestamp`). */
export interface ValueAndTimestamp<V> {
  readonly value: V;
  readonly timestamp: number;
}

export const ValueAndTimestamp = {
  /** Returns null for a null value, as Kafka does, so that null means "no entry". */
  make<V>(value: V | null | undefined, timestamp: number): ValueAndTimestamp<V> | null {
    return value === null || value === undefined ? null : { value, timestamp };
  },
  /** The value, or null for a null wrapper. */
  getValueOrNull<V>(vat: ValueAndTimestamp<V> | null | undefined): V | null {
    return vat === null || vat === undefined ? null : vat.value;
  },
};
