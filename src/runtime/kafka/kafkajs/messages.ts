/** Conversions between kstreams' byte records and kafkajs messages. */
import type { IHeaders, KafkaMessage, Message } from 'kafkajs';
import { type Header, Headers } from '../../../processor/Headers.js';
import type { RawRecord } from '../../task/RawRecord.js';
import type { ProducerRecord, TopicPartition, TopicPartitionOffset } from '../KafkaPort.js';
import { EMPTY_BYTES } from '../util.js';

/**
 * Headers -> kafkajs' object form. kafkajs groups repeated keys into arrays, so the
 * relative order of different keys is kept only by first occurrence (a, b, a arrives as
 * a, a, b); the order of values under one key is kept. A null value is sent as an
 * EMPTY value: kafkajs 2.2.4 cannot send null header values (its record encoder calls
 * Buffer.byteLength(null) before checking for null and throws a TypeError).
 */
export function toKafkajsHeaders(headers: Headers | undefined): IHeaders | undefined {
  if (headers === undefined || headers.size === 0) return undefined;
  const out: Record<string, Buffer[]> = {};
  for (const h of headers) (out[h.key] ??= []).push(h.value ?? EMPTY_BYTES);
  const result: IHeaders = {};
  for (const [k, values] of Object.entries(out)) result[k] = values.length === 1 ? values[0] : values;
  return result;
}

export function fromKafkajsHeaders(headers: IHeaders | undefined): Headers {
  if (headers === undefined) return Headers.EMPTY;
  const list: Header[] = [];
  for (const [key, v] of Object.entries(headers)) {
    const values = Array.isArray(v) ? v : [v];
    for (const value of values) list.push({ key, value: toBuffer(value) });
  }
  return list.length === 0 ? Headers.EMPTY : Headers.of(list);
}

function toBuffer(v: Buffer | string | null | undefined): Buffer | null {
  if (v === null || v === undefined) return null;
  return typeof v === 'string' ? Buffer.from(v, 'utf8') : v;
}

export function toKafkajsMessage(r: ProducerRecord, now: number): Message {
  const msg: Message = { key: r.key, value: r.value, timestamp: String(r.timestamp ?? now) };
  if (r.partition !== undefined) msg.partition = r.partition;
  const headers = toKafkajsHeaders(r.headers);
  if (headers !== undefined) msg.headers = headers;
  return msg;
}

export function toRawRecord(topic: string, partition: number, m: KafkaMessage): RawRecord {
  return {
    topic,
    partition,
    offset: Number(m.offset),
    timestamp: Number(m.timestamp),
    key: m.key ?? null,
    value: m.value ?? null,
    headers: fromKafkajsHeaders(m.headers),
  };
}

/** Groups partitions (or offsets) by topic, kafkajs' usual request shape. */
export function byTopic<T extends TopicPartition>(tps: readonly T[]): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const tp of tps) {
    const list = m.get(tp.topic);
    if (list === undefined) m.set(tp.topic, [tp]);
    else list.push(tp);
  }
  return m;
}

/** `[{ topic, partitions: [p...] }]`, as pause/resume take it. */
export function toTopicPartitions(tps: readonly TopicPartition[]): { topic: string; partitions: number[] }[] {
  return [...byTopic(tps)].map(([topic, list]) => ({ topic, partitions: list.map((tp) => tp.partition) }));
}

/** `[{ topic, partitions: [{ partition, offset }] }]` with string offsets, as sendOffsets takes it. */
export function toTopicOffsets(offsets: readonly TopicPartitionOffset[]): { topic: string; partitions: { partition: number; offset: string }[] }[] {
  return [...byTopic(offsets)].map(([topic, list]) => ({
    topic,
    partitions: list.map((o) => ({ partition: o.partition, offset: String(o.offset) })),
  }));
}
