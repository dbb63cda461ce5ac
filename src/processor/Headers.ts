/** One record header: a key and optional bytes. */
export interface Header {
  readonly key: string;
  readonly value: Buffer | null;
}

/**
 * Record headers. Immutable: `add` and `remove` return new Headers, so a
 * record's headers can be shared between forwarded copies without copying.
 */
export class Headers {
  static readonly EMPTY = new Headers([]);

  private constructor(private readonly list: readonly Header[]) {}

  /** Builds headers from a list, or from an object of key to value. */
  static of(init?: readonly Header[] | Record<string, Buffer | string | null>): Headers {
    if (!init) return Headers.EMPTY;
    if (Array.isArray(init)) return init.length === 0 ? Headers.EMPTY : new Headers([...init]);
    const list: Header[] = Object.entries(init as Record<string, Buffer | string | null>).map(([key, v]) => ({
      key,
      value: typeof v === 'string' ? Buffer.from(v, 'utf8') : v,
    }));
    return list.length === 0 ? Headers.EMPTY : new Headers(list);
  }

  /** A copy with one more header at the end. */
  add(key: string, value: Buffer | string | null): Headers {
    const v = typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
    return new Headers([...this.list, { key, value: v }]);
  }

  /** A copy without any header named `key`. */
  remove(key: string): Headers {
    return new Headers(this.list.filter((h) => h.key !== key));
  }

  /** The last header named `key`, as Kafka's `lastHeader`. */
  lastHeader(key: string): Header | undefined {
    for (let i = this.list.length - 1; i >= 0; i--) {
      const h = this.list[i] as Header;
      if (h.key === key) return h;
    }
    return undefined;
  }

  /** Every header named `key`, in order. */
  headers(key: string): Header[] {
    return this.list.filter((h) => h.key === key);
  }

  toArray(): Header[] {
    return [...this.list];
  }

  get size(): number {
    return this.list.length;
  }

  [Symbol.iterator](): Iterator<Header> {
    return this.list[Symbol.iterator]();
  }

  equals(other: Headers): boolean {
    if (this === other) return true;
    if (this.list.length !== other.list.length) return false;
    return this.list.every((h, i) => {
      const o = other.list[i] as Header;
      if (h.key !== o.key) return false;
      if (h.value === null || o.value === null) return h.value === o.value;
      return h.value.equals(o.value);
    });
  }
}
