/**
 * The EOS verifier's checks (scripts/eos/checks.ts) on synthetic records: they pass on
 * the output a correct application writes, and they catch what exactly-once forbids
 * (duplicates, gaps, reordering within a key, wrong values) while at-least-once mode
 * lets duplicates through and still catches loss.
 */
import { describe, expect, it } from 'vitest';
import { AGGREGATES, type ByPartition, checkAggregate, checkEcho, checkInput, checkRepartitionedSum, type SentSummary } from '../../scripts/eos/checks.js';
import { keyOf, PARTITIONS, type Rec, rekey, seqOfValue, valueOfSeq } from '../../scripts/eos/common.js';
import { partitionForKey } from '../../src/runtime/kafka/partitioner.js';

const seed = 7;
const keys = 40;
const N = 600;

function partitionOf(key: string): number {
  return partitionForKey(Buffer.from(key, 'utf8'), PARTITIONS);
}

/** The input topic as the driver writes it: seqs in order, each in its key's partition. */
function inputTopic(): Map<number, Rec[]> {
  const out = new Map<number, Rec[]>();
  for (let seq = 0; seq < N; seq++) {
    const key = keyOf(seq, seed, keys);
    const p = partitionOf(key);
    const list = out.get(p) ?? [];
    list.push({ partition: p, offset: list.length, key, value: valueOfSeq(seq) });
    out.set(p, list);
  }
  return out;
}

const sent: SentSummary = {
  seed,
  keys,
  sent: N,
  partitions: Object.fromEntries([...inputTopic()].map(([p, l]) => [String(p), { count: l.length, end: l.length }])),
};

/** A topic from (key, value) pairs in write order, partitioned by key. */
function topic(pairs: readonly (readonly [string, number])[]): Map<number, Rec[]> {
  const out = new Map<number, Rec[]>();
  for (const [key, value] of pairs) {
    const p = partitionOf(key);
    const list = out.get(p) ?? [];
    list.push({ partition: p, offset: list.length, key, value });
    out.set(p, list);
  }
  return out;
}

/** What a correct application writes for aggregate `fold`, processing partitions round-robin. */
function correctAggregate(fold: (a: number, v: number) => number, init: number, rekeyed = false): Map<number, Rec[]> {
  const state = new Map<string, number>();
  const pairs: [string, number][] = [];
  const parts = [...inputTopic().values()];
  const max = Math.max(...parts.map((l) => l.length));
  for (let i = 0; i < max; i++) {
    for (const list of parts) {
      const r = list[i];
      if (r === undefined) continue;
      const k = rekeyed ? rekey(r.key) : r.key;
      const next = fold(state.get(k) ?? init, r.value);
      state.set(k, next);
      pairs.push([k, next]);
    }
  }
  return topic(pairs);
}

const input = () => checkInput(sent, inputTopic()).input;
const sum = AGGREGATES.find((a) => a.name === 'sum')!;

describe('EOS verifier checks', () => {
  it('values name their records', () => {
    for (const seq of [0, 1, 2, 999, 123_456, 2_000_000]) expect(seqOfValue(valueOfSeq(seq))).toBe(seq);
    const values = new Set(Array.from({ length: 10_000 }, (_, s) => valueOfSeq(s)));
    expect(values.size).toBe(10_000);
    expect(seqOfValue(0)).toBe(-1);
  });

  it('pass on correct output, in both modes', () => {
    const { result } = checkInput(sent, inputTopic());
    expect(result.ok, result.problems.join('\n')).toBe(true);
    for (const g of ['exactly_once_v2', 'at_least_once'] as const) {
      expect(checkEcho(g, input(), inputTopic()).ok).toBe(true);
      for (const agg of AGGREGATES) {
        const r = checkAggregate(g, agg, input(), correctAggregate(agg.fold, agg.init));
        expect(r.ok, `${agg.name}: ${r.problems.join('\n')}`).toBe(true);
      }
      const r = checkRepartitionedSum(g, input(), correctAggregate(sum.fold, 0, true), sent);
      expect(r.ok, r.problems.join('\n')).toBe(true);
    }
  });

  it('input: a duplicate or a missing record of the driver fails', () => {
    const dup = inputTopic();
    const p0 = dup.get(0)!;
    p0.push({ ...p0[0]!, offset: p0.length });
    expect(checkInput(sent, dup).result.ok).toBe(false);
    const gap = inputTopic();
    gap.get(1)!.splice(3, 1);
    expect(checkInput(sent, gap).result.problems.join('\n')).toMatch(/missing/);
  });

  it('echo: a duplicate fails exactly once, passes at least once; a loss fails both', () => {
    const dup = inputTopic();
    const p2 = dup.get(2)!;
    p2.splice(5, 0, ...p2.slice(2, 5).map((r) => ({ ...r })));
    expect(checkEcho('exactly_once_v2', input(), dup).ok).toBe(false);
    expect(checkEcho('at_least_once', input(), dup).ok).toBe(true);
    const lost = inputTopic();
    lost.get(3)!.splice(4, 1);
    expect(checkEcho('exactly_once_v2', input(), lost).ok).toBe(false);
    expect(checkEcho('at_least_once', input(), lost).problems.join('\n')).toMatch(/LOST/);
  });

  it('aggregates: a duplicate update fails exactly once; at least once only the final value counts', () => {
    const cnt = AGGREGATES.find((a) => a.name === 'cnt')!;
    const out = correctAggregate(cnt.fold, 0);
    // a replay: the first key's first output again, with the count going one too far from there on
    const p = [...out.keys()][0]!;
    const list = out.get(p)!;
    const key = list[0]!.key;
    let bump = 0;
    const replayed = list.flatMap((r) => {
      if (r.key !== key) return [r];
      if (bump === 0) {
        bump = 1;
        return [r, { ...r, value: r.value + 1 }];
      }
      return [{ ...r, value: r.value + bump }];
    });
    out.set(p, replayed);
    expect(checkAggregate('exactly_once_v2', cnt, input(), out).ok).toBe(false);
    expect(checkAggregate('at_least_once', cnt, input(), out).ok).toBe(true);
    // min can never exceed the truth at the end, even at least once
    const min = AGGREGATES.find((a) => a.name === 'min')!;
    const wrong = correctAggregate(min.fold, min.init);
    const wl = wrong.get(p)!;
    const last = wl.map((r) => r.key).lastIndexOf(wl[0]!.key);
    wl[last] = { ...wl[last]!, value: wl[last]!.value + 1 };
    expect(checkAggregate('at_least_once', min, input(), wrong).ok).toBe(false);
  });

  it('resum: any interleaving of the input partitions passes; a duplicate or a reordering within one partition fails', () => {
    // partitions processed one after the other instead of round-robin: another valid interleaving
    const state = new Map<string, number>();
    const pairs: [string, number][] = [];
    for (const list of [...inputTopic().values()].reverse()) {
      for (const r of list) {
        const k = rekey(r.key);
        const next = (state.get(k) ?? 0) + r.value;
        state.set(k, next);
        pairs.push([k, next]);
      }
    }
    expect(checkRepartitionedSum('exactly_once_v2', input(), topic(pairs), sent).ok).toBe(true);

    // one input processed twice
    const dupPairs: [string, number][] = [];
    const st2 = new Map<string, number>();
    const first = [...inputTopic().values()][0]!;
    for (const r of [...first.slice(0, 3), first[1]!, ...first.slice(3)]) {
      const k = rekey(r.key);
      const next = (st2.get(k) ?? 0) + r.value;
      st2.set(k, next);
      dupPairs.push([k, next]);
    }
    const res = checkRepartitionedSum('exactly_once_v2', input(), topic(dupPairs), sent);
    expect(res.ok).toBe(false);
    expect(res.problems.join('\n')).toMatch(/DUPLICATE|LOST|ORDER/);

    // two records of one input partition, for the same new key, swapped
    const parts = [...inputTopic().values()];
    const p0 = parts[0]!;
    const nk = rekey(p0[0]!.key);
    const j = p0.findIndex((r, i) => i > 0 && rekey(r.key) === nk);
    const swapped = [...p0];
    [swapped[0], swapped[j]] = [swapped[j]!, swapped[0]!];
    const st3 = new Map<string, number>();
    const swappedPairs: [string, number][] = [];
    for (const list of [swapped, ...parts.slice(1)]) {
      for (const r of list) {
        const k = rekey(r.key);
        const next = (st3.get(k) ?? 0) + r.value;
        st3.set(k, next);
        swappedPairs.push([k, next]);
      }
    }
    const res3 = checkRepartitionedSum('exactly_once_v2', input(), topic(swappedPairs), sent);
    expect(res3.ok).toBe(false);
    expect(res3.problems.join('\n')).toMatch(/ORDER/);
    // at least once only asks for completeness
    expect(checkRepartitionedSum('at_least_once', input(), topic(swappedPairs), sent).ok).toBe(true);
  });

  it('type check: ByPartition accepts the maps built here', () => {
    const m: ByPartition = inputTopic();
    expect(m.size).toBe(PARTITIONS);
  });
});
