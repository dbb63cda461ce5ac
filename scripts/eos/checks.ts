/**
 * The EOS verifier's checks, as pure functions over records already read (so that unit
 * tests can feed them broken output and see them fail). Kafka's EosTestDriver.verify
 * is the model; see scripts/eos/README.md for the reasoning behind each check.
 *
 * Under exactly_once_v2 every check is exact: a duplicate, a gap, a reordering within
 * a key or a wrong value fails. Under at_least_once only loss fails: every input must
 * appear, and aggregates must reach at least the truth (sum, count) or exactly the truth
 * where duplicates cannot change it (min, max).
 */
import { type Guarantee, keyOf, type Rec, rekey, seqOfValue } from './common.js';

export interface CheckResult {
  readonly name: string;
  readonly ok: boolean;
  /** One line: what was compared and the outcome. */
  readonly summary: string;
  /** The first problems found, one per line (capped). */
  readonly problems: readonly string[];
}

const MAX_PROBLEMS = 15;

class Problems {
  readonly lines: string[] = [];
  count = 0;
  add(line: string): void {
    this.count++;
    if (this.lines.length < MAX_PROBLEMS) this.lines.push(line);
  }
  result(name: string, okSummary: string, failSummary: (n: number) => string): CheckResult {
    const ok = this.count === 0;
    const lines = this.count > this.lines.length ? [...this.lines, `... and ${this.count - this.lines.length} more`] : this.lines;
    return { name, ok, summary: ok ? okSummary : failSummary(this.count), problems: lines };
  }
}

/** Records by partition, each list in offset order. */
export type ByPartition = ReadonlyMap<number, readonly Rec[]>;

/** What the driver says it sent (see driver.ts DriverReport). */
export interface SentSummary {
  readonly seed: number;
  readonly keys: number;
  readonly sent: number;
  readonly partitions: Readonly<Record<string, { count: number; end: number }>>;
}

/** The input as the verifier knows it: records per partition and where each seq went. */
export interface Input {
  readonly byPartition: ByPartition;
  /** seq -> partition of the input record with that seq. */
  readonly partitionOfSeq: ReadonlyMap<number, number>;
  readonly total: number;
}

const describe = (r: Rec): string => `p${r.partition}@${r.offset} <${r.key},${r.value}>`;

/**
 * The input topic holds exactly what the driver sent: seqs 0..sent-1, each once, each
 * with the key and value the generator gives it, in seq order within each partition.
 */
export function checkInput(sent: SentSummary, input: ByPartition): { result: CheckResult; input: Input } {
  const p = new Problems();
  const seen = new Map<number, number>();
  let total = 0;
  for (const [partition, records] of [...input].sort((a, b) => a[0] - b[0])) {
    let lastSeq = -1;
    for (const r of records) {
      total++;
      const seq = seqOfValue(r.value);
      if (seq < 0 || seq >= sent.sent) {
        p.add(`${describe(r)}: value is no value the driver sent (seq ${seq})`);
        continue;
      }
      const key = keyOf(seq, sent.seed, sent.keys);
      if (key !== r.key) p.add(`${describe(r)}: seq ${seq} should have key ${key}`);
      if (seen.has(seq)) p.add(`${describe(r)}: seq ${seq} appears twice (also in partition ${seen.get(seq)})`);
      seen.set(seq, partition);
      if (seq < lastSeq) p.add(`${describe(r)}: seq ${seq} after seq ${lastSeq} in the same partition`);
      lastSeq = seq;
    }
    const expected = sent.partitions[String(partition)]?.count ?? 0;
    if (records.length !== expected) p.add(`partition ${partition}: ${records.length} records, the driver had ${expected} acknowledged`);
  }
  if (seen.size < sent.sent) {
    const missing: number[] = [];
    for (let s = 0; s < sent.sent && missing.length < 10; s++) if (!seen.has(s)) missing.push(s);
    p.add(`${sent.sent - seen.size} of the ${sent.sent} sent records are missing from the input topic, e.g. seqs ${missing.join(', ')}`);
  }
  return {
    result: p.result(
      'input',
      `${total} records in ${input.size} partitions: exactly the ${sent.sent} the driver sent, in order`,
      (n) => `${n} problems in the input topic (the driver or the broker, not the application)`,
    ),
    input: { byPartition: input, partitionOfSeq: seen, total },
  };
}

/** Is `sub` a subsequence of `seq` (by key and value)? Returns the index in `sub` of the first element not found. */
function subsequenceMismatch(sub: readonly Rec[], seq: readonly Rec[]): number {
  let i = 0;
  for (const r of seq) {
    const want = sub[i];
    if (want !== undefined && want.key === r.key && want.value === r.value) i++;
  }
  return i >= sub.length ? -1 : i;
}

/**
 * echo: exactly_once_v2, partition by partition, the same (key, value) sequence as the
 * input; at_least_once, the input is a subsequence of the echo (replays only repeat)
 * and the echo holds nothing that is not an input record.
 */
export function checkEcho(g: Guarantee, input: Input, echo: ByPartition): CheckResult {
  const p = new Problems();
  let total = 0;
  for (const partition of echo.keys()) {
    if (!input.byPartition.has(partition)) p.add(`echo partition ${partition} has ${echo.get(partition)?.length} records but the input has no such partition`);
  }
  for (const [partition, inp] of input.byPartition) {
    const out = echo.get(partition) ?? [];
    total += out.length;
    if (g === 'exactly_once_v2') {
      if (out.length !== inp.length) p.add(`partition ${partition}: ${out.length} echo records for ${inp.length} input records (${out.length > inp.length ? 'duplicates' : 'loss'})`);
      const n = Math.min(out.length, inp.length);
      for (let i = 0; i < n; i++) {
        const a = inp[i] as Rec;
        const b = out[i] as Rec;
        if (a.key !== b.key || a.value !== b.value) {
          p.add(`partition ${partition}, echo #${i} ${describe(b)} should be ${describe(a)}`);
          break; // the rest of the partition is shifted; one line says it
        }
      }
    } else {
      const at = subsequenceMismatch(inp, out);
      if (at >= 0) p.add(`partition ${partition}: input record ${describe(inp[at] as Rec)} (and maybe more after it) is missing from the echo: LOST`);
      const keyOfValue = new Map(inp.map((x) => [x.value, x.key]));
      for (const r of out) {
        if (keyOfValue.get(r.value) !== r.key) {
          p.add(`echo ${describe(r)} is no input record of partition ${partition}`);
          break;
        }
      }
    }
  }
  const dup = total - input.total;
  return p.result(
    'echo',
    g === 'exactly_once_v2'
      ? `${total} records, equal to the input record for record in every partition`
      : `${total} records contain all ${input.total} input records in order (${dup} duplicates, allowed at least once)`,
    (n) => `${n} problems in ${total} echo records for ${input.total} input records`,
  );
}

/** Output records grouped by key (each list in offset order), checking each key lives in one partition. */
function groupByKey(out: ByPartition, p: Problems, name: string): Map<string, Rec[]> {
  const byKey = new Map<string, Rec[]>();
  const where = new Map<string, number>();
  for (const [partition, records] of [...out].sort((a, b) => a[0] - b[0])) {
    for (const r of records) {
      const w = where.get(r.key);
      if (w === undefined) where.set(r.key, partition);
      else if (w !== partition) {
        p.add(`${name}: key ${r.key} has output in partitions ${w} and ${partition}; one key must stay in one partition`);
        where.set(r.key, partition);
      }
      let list = byKey.get(r.key);
      if (list === undefined) byKey.set(r.key, (list = []));
      list.push(r);
    }
  }
  return byKey;
}

export interface Aggregate {
  readonly name: string;
  readonly init: number;
  readonly fold: (agg: number, value: number) => number;
  /** Under at_least_once: how the final output compares with the truth ('ge' where duplicates add, 'eq' where they cannot). */
  readonly atLeastOnce: 'ge' | 'eq';
}

export const AGGREGATES: readonly Aggregate[] = [
  { name: 'sum', init: 0, fold: (a, v) => a + v, atLeastOnce: 'ge' },
  { name: 'min', init: 2147483647, fold: (a, v) => Math.min(a, v), atLeastOnce: 'eq' },
  { name: 'max', init: -2147483648, fold: (a, v) => Math.max(a, v), atLeastOnce: 'eq' },
  { name: 'cnt', init: 0, fold: (a) => a + 1, atLeastOnce: 'ge' },
];

/**
 * A per-key running aggregate of the input (sum, min, max, count): per key, the outputs
 * in offset order are compared with the running aggregate over that key's inputs in
 * offset order (a key's records share one input and one output partition, so both
 * orders are defined). exactly_once_v2: one output per input, each equal to the running
 * aggregate, and the key's output partition is its input partition. at_least_once: at
 * least one output per input, and the last output compares with the truth as `atLeastOnce`.
 */
export function checkAggregate(g: Guarantee, agg: Aggregate, input: Input, out: ByPartition): CheckResult {
  const p = new Problems();
  const inputs = new Map<string, { partition: number; values: number[] }>();
  for (const [partition, records] of input.byPartition) {
    for (const r of records) {
      let e = inputs.get(r.key);
      if (e === undefined) inputs.set(r.key, (e = { partition, values: [] }));
      e.values.push(r.value);
    }
  }
  const outputs = groupByKey(out, p, agg.name);
  let total = 0;
  for (const [key, got] of outputs) {
    total += got.length;
    if (!inputs.has(key)) p.add(`key ${key}: ${got.length} outputs but no input has this key`);
  }
  for (const [key, { partition, values }] of inputs) {
    const got = outputs.get(key) ?? [];
    if (got.length === 0) {
      p.add(`key ${key}: no output for its ${values.length} inputs: LOST`);
      continue;
    }
    let truth = agg.init;
    const running = values.map((v) => (truth = agg.fold(truth, v)));
    if (g === 'exactly_once_v2') {
      if ((got[0] as Rec).partition !== partition) p.add(`key ${key}: output in partition ${(got[0] as Rec).partition}, input in partition ${partition}`);
      const n = Math.min(got.length, values.length);
      let diverge = n;
      for (let i = 0; i < n && diverge === n; i++) if ((got[i] as Rec).value !== running[i]) diverge = i;
      const where =
        diverge < n ? `; first wrong: output #${diverge} ${describe(got[diverge] as Rec)}, expected ${running[diverge]}` : got.length !== values.length ? `; all ${n} in common are right` : '';
      if (got.length !== values.length) {
        p.add(`key ${key}: ${got.length} outputs for ${values.length} inputs (${got.length > values.length ? 'DUPLICATES' : 'LOSS'})${where}`);
      } else if (diverge < n) {
        p.add(`key ${key}: wrong value${where}`);
      }
    } else {
      if (got.length < values.length) p.add(`key ${key}: ${got.length} outputs for ${values.length} inputs: LOST`);
      const last = (got[got.length - 1] as Rec).value;
      if (agg.atLeastOnce === 'eq' ? last !== truth : last < truth) {
        p.add(`key ${key}: final ${agg.name} ${last}, the truth is ${truth} (${agg.atLeastOnce === 'eq' ? 'must be equal' : 'must be at least that'})`);
      }
    }
  }
  return p.result(
    agg.name,
    g === 'exactly_once_v2'
      ? `${total} records for ${inputs.size} keys: one per input, each the exact running ${agg.name}`
      : `${total} records for ${inputs.size} keys (${total - input.total} extra): at least one per input, final ${agg.name} ${agg.atLeastOnce === 'eq' ? 'equal to' : 'at least'} the truth`,
    (n) => `${n} problems in ${total} records for ${inputs.size} keys`,
  );
}

/**
 * resum, the running sum per new key rekey(key) computed after a repartition topic.
 * The order in which a new key's inputs reach its task is not determined: they come
 * from all five input partitions through the repartition topic, interleaved by timing.
 * What is determined: each input partition's records reach the repartition topic in
 * that partition's order (one task writes them, in order, and a transaction that
 * aborted is retried from the same position), so a new key's inputs arrive as SOME
 * interleaving of its per-input-partition sequences. Input values are all distinct and
 * every output is the previous output plus one value, so the difference between two
 * consecutive outputs of a key names the input record it added (seqOfValue).
 *
 * exactly_once_v2: per new key, the deltas are exactly the key's input records, each
 * once (no duplicate, no gap), each belonging to this new key, and within every input
 * partition in offset order; hence the count matches and the last output is the total.
 * at_least_once: at least one output per input and a final sum at least the total.
 */
export function checkRepartitionedSum(g: Guarantee, input: Input, out: ByPartition, sent: SentSummary): CheckResult {
  const p = new Problems();
  // per new key, per input partition: the values, in offset order
  const expected = new Map<string, Map<number, number[]>>();
  const totals = new Map<string, { count: number; sum: number }>();
  for (const [partition, records] of input.byPartition) {
    for (const r of records) {
      const nk = rekey(r.key);
      let perPartition = expected.get(nk);
      if (perPartition === undefined) expected.set(nk, (perPartition = new Map()));
      let list = perPartition.get(partition);
      if (list === undefined) perPartition.set(partition, (list = []));
      list.push(r.value);
      const t = totals.get(nk) ?? { count: 0, sum: 0 };
      t.count++;
      t.sum += r.value;
      totals.set(nk, t);
    }
  }
  const outputs = groupByKey(out, p, 'resum');
  let total = 0;
  for (const [nk, got] of outputs) {
    total += got.length;
    if (!totals.has(nk)) p.add(`new key ${nk}: ${got.length} outputs but no input maps to it`);
  }
  for (const [nk, t] of totals) {
    const got = outputs.get(nk) ?? [];
    if (got.length === 0) {
      p.add(`new key ${nk}: no output for its ${t.count} inputs: LOST`);
      continue;
    }
    const last = (got[got.length - 1] as Rec).value;
    if (g === 'at_least_once') {
      if (got.length < t.count) p.add(`new key ${nk}: ${got.length} outputs for ${t.count} inputs: LOST`);
      if (last < t.sum) p.add(`new key ${nk}: final sum ${last} below the total ${t.sum}: LOST`);
      continue;
    }
    const perPartition = expected.get(nk) as Map<number, number[]>;
    const next = new Map<number, number>([...perPartition.keys()].map((k) => [k, 0]));
    let prev = 0;
    let bad = false;
    for (let i = 0; i < got.length && !bad; i++) {
      const r = got[i] as Rec;
      const delta = r.value - prev;
      prev = r.value;
      const seq = seqOfValue(delta);
      const from = seq < 0 ? undefined : input.partitionOfSeq.get(seq);
      if (from === undefined) {
        p.add(`new key ${nk}: output #${i} ${describe(r)} adds ${delta}, which is no input value`);
        bad = true;
        continue;
      }
      const origKey = keyOf(seq, sent.seed, sent.keys);
      if (rekey(origKey) !== nk) {
        p.add(`new key ${nk}: output #${i} ${describe(r)} adds the value of input seq ${seq} (key ${origKey}), which belongs to ${rekey(origKey)}`);
        bad = true;
        continue;
      }
      const list = perPartition.get(from) ?? [];
      const at = next.get(from) ?? 0;
      if (list[at] !== delta) {
        const where = list.indexOf(delta);
        p.add(
          `new key ${nk}: output #${i} ${describe(r)} adds input seq ${seq} of partition ${from}, ` +
            (where >= 0 && where < at ? 'a second time (DUPLICATE)' : `but the next one of that partition is value ${list[at]} (ORDER or GAP)`),
        );
        bad = true;
        continue;
      }
      next.set(from, at + 1);
    }
    if (bad) continue;
    for (const [from, list] of perPartition) {
      const at = next.get(from) ?? 0;
      if (at < list.length) p.add(`new key ${nk}: ${list.length - at} inputs from partition ${from} never added (first value ${list[at]}): LOST`);
    }
    if (got.length !== t.count) p.add(`new key ${nk}: ${got.length} outputs for ${t.count} inputs`);
    if (last !== t.sum) p.add(`new key ${nk}: final sum ${last}, the total is ${t.sum}`);
  }
  return p.result(
    'resum',
    g === 'exactly_once_v2'
      ? `${total} records for ${totals.size} new keys: each adds exactly one input once, every input partition's order kept`
      : `${total} records for ${totals.size} new keys (${total - input.total} extra): at least one per input, final sums at least the totals`,
    (n) => `${n} problems in ${total} records for ${totals.size} new keys`,
  );
}
