/**
 * Kafka prints the topics of a source and the stores of a processor from a
 * java.util.HashSet, so their order follows Java's string hash. To print the
 * same description, this reproduces that iteration order.
 */
function javaStringHash(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(31, h) + s.charCodeAt(i)) | 0;
  return h;
}

/** The order in which `new HashSet<>(items)` iterates, for distinct strings. */
export function javaHashSetOrder(items: readonly string[]): string[] {
  const distinct = [...new Set(items)];
  if (distinct.length <= 1) return distinct;
  let capacity = 1;
  const wanted = Math.max(Math.floor(distinct.length / 0.75) + 1, 16);
  while (capacity < wanted) capacity *= 2;
  const buckets = new Map<number, string[]>();
  for (const s of distinct) {
    const h = javaStringHash(s);
    const idx = (h ^ (h >>> 16)) & (capacity - 1);
    const list = buckets.get(idx);
    if (list) list.push(s);
    else buckets.set(idx, [s]);
  }
  return [...buckets.keys()].sort((a, b) => a - b).flatMap((k) => buckets.get(k) as string[]);
}
