import { Headers } from '../processor/Headers.js';

/** A record piped into or read from the test driver (Kafka's `TestRecord`). */
export class TestRecord<K, V> {
  readonly headers: Headers;
  constructor(
    readonly key: K,
    readonly value: V,
    /** Event time in ms; undefined on input means "the input topic's current time". */
    readonly timestamp?: number,
    headers?: Headers,
  ) {
    this.headers = headers ?? Headers.EMPTY;
  }
}
