/**
 * A time window [start, end): start inclusive, end exclusive, as Kafka's
 * TimeWindow. Session windows are [start, end] with both ends inclusive.
 */
export class Window {
  constructor(
    readonly start: number,
    readonly end: number,
  ) {}

  /** Kafka's window string, as in `Windowed.toString()`. */
  toString(): string {
    return `Window{startMs=${this.start}, endMs=${this.end}}`;
  }

  equals(other: Window): boolean {
    return this.start === other.start && this.end === other.end;
  }
}

/** A key with the window it belongs to (Kafka's `Windowed<K>`). */
export class Windowed<K> {
  constructor(
    readonly key: K,
    readonly window: Window,
  ) {}

  toString(): string {
    return `[${String(this.key)}@${this.window.start}/${this.window.end}]`;
  }
}
