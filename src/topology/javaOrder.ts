/**
 * Kafka Streams prints topology descriptions from java.util collections, so
 * the order of names it prints is an artefact of HashMap bucket layout and
 * of TreeMap's red-black tree shape. To print the same text, this file
 * re-creates just enough of both (behaviour of OpenJDK 8 to 21).
 */

function javaStringHash(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(31, h) + s.charCodeAt(i)) | 0;
  return h;
}

/**
 * Iteration order of a java.util.HashSet<String> (or a HashMap's keys) after
 * adding `keys` in this order. `initialCapacity` is what the constructor got;
 * omitted means `new HashSet<>()`.
 *
 * Iteration walks the buckets in index order and each bucket's list in
 * insertion order; a resize splits every list into two without reordering
 * it. So replaying the inserts and resizes reproduces Java exactly, except
 * for "treeified" buckets (9+ colliding keys in a table of 64+), which
 * descriptions never come near and which are not modelled.
 */
export function javaHashSetOrder(keys: readonly string[], initialCapacity = 16): string[] {
  let capacity = 1;
  while (capacity < initialCapacity) capacity *= 2; // HashMap.tableSizeFor
  let buckets: string[][] = Array.from({ length: capacity }, () => []);
  let size = 0;
  const index = (key: string, cap: number): number => {
    const h = javaStringHash(key);
    return (h ^ (h >>> 16)) & (cap - 1); // HashMap.hash spreads the high bits down
  };
  const resize = (): void => {
    capacity *= 2;
    const next: string[][] = Array.from({ length: capacity }, () => []);
    for (const list of buckets) for (const k of list) next[index(k, capacity)]?.push(k);
    buckets = next;
  };
  for (const key of keys) {
    const list = buckets[index(key, capacity)] as string[];
    if (list.includes(key)) continue;
    list.push(key);
    // putVal: a 9th entry in one bucket of a small table makes treeifyBin() resize instead.
    if (list.length > 8 && capacity < 64) resize();
    if (++size > capacity * 0.75) resize();
  }
  return buckets.flat();
}

/** Iteration order of `new HashSet<>(items)`: the constructor pre-sizes the table from the item count. */
export function javaHashSetCopyOrder(items: readonly string[]): string[] {
  return javaHashSetOrder(items, Math.max(Math.trunc(Math.fround(items.length / 0.75)) + 1, 16));
}

interface TreeEntry<T> {
  readonly value: T;
  left: TreeEntry<T> | null;
  right: TreeEntry<T> | null;
  parent: TreeEntry<T> | null;
  red: boolean;
}

/**
 * java.util.TreeSet (a TreeMap red-black tree) with a comparator. Kafka's
 * description sets compare nodes by sub-tree sizes that keep changing after
 * insertion, so the tree is never re-sorted: where a new element lands
 * depends on the elements met on its path, i.e. on the exact tree shape
 * left by earlier rotations. Hence a faithful copy of TreeMap.put and
 * fixAfterInsertion, not a sorted array (which would differ once keys are stale).
 */
export class JavaTreeSet<T> implements Iterable<T> {
  private root: TreeEntry<T> | null = null;
  private count = 0;

  constructor(private readonly compare: (a: T, b: T) => number) {}

  get size(): number {
    return this.count;
  }

  add(value: T): boolean {
    const entry: TreeEntry<T> = { value, left: null, right: null, parent: null, red: false };
    if (this.root === null) {
      this.root = entry;
      this.count = 1;
      return true;
    }
    let t: TreeEntry<T> | null = this.root;
    let parent = t;
    let cmp = 0;
    while (t !== null) {
      parent = t;
      cmp = this.compare(value, t.value);
      if (cmp < 0) t = t.left;
      else if (cmp > 0) t = t.right;
      else return false;
    }
    entry.parent = parent;
    if (cmp < 0) parent.left = entry;
    else parent.right = entry;
    this.fixAfterInsertion(entry);
    this.count++;
    return true;
  }

  *[Symbol.iterator](): Iterator<T> {
    const stack: TreeEntry<T>[] = [];
    let e = this.root;
    while (e !== null || stack.length > 0) {
      while (e !== null) {
        stack.push(e);
        e = e.left;
      }
      const top = stack.pop() as TreeEntry<T>;
      yield top.value;
      e = top.right;
    }
  }

  // CLR insertion fix-up, transcribed from TreeMap (null children count as black).
  private fixAfterInsertion(inserted: TreeEntry<T>): void {
    let x: TreeEntry<T> | null = inserted;
    x.red = true;
    while (x !== null && x !== this.root && x.parent?.red === true) {
      const p: TreeEntry<T> = x.parent;
      const g = p.parent as TreeEntry<T>; // a red parent is never the root
      if (p === g.left) {
        const y = g.right;
        if (y?.red) {
          p.red = false;
          y.red = false;
          g.red = true;
          x = g;
        } else {
          if (x === p.right) {
            x = p;
            this.rotateLeft(x);
          }
          const xp = x.parent as TreeEntry<T>;
          xp.red = false;
          (xp.parent as TreeEntry<T>).red = true;
          this.rotateRight(xp.parent);
        }
      } else {
        const y = g.left;
        if (y?.red) {
          p.red = false;
          y.red = false;
          g.red = true;
          x = g;
        } else {
          if (x === p.left) {
            x = p;
            this.rotateRight(x);
          }
          const xp = x.parent as TreeEntry<T>;
          xp.red = false;
          (xp.parent as TreeEntry<T>).red = true;
          this.rotateLeft(xp.parent);
        }
      }
    }
    (this.root as TreeEntry<T>).red = false;
  }

  private rotateLeft(p: TreeEntry<T> | null): void {
    if (p === null || p.right === null) return;
    const r = p.right;
    p.right = r.left;
    if (r.left !== null) r.left.parent = p;
    this.replaceChild(p, r);
    r.left = p;
    p.parent = r;
  }

  private rotateRight(p: TreeEntry<T> | null): void {
    if (p === null || p.left === null) return;
    const l = p.left;
    p.left = l.right;
    if (l.right !== null) l.right.parent = p;
    this.replaceChild(p, l);
    l.right = p;
    p.parent = l;
  }

  /** Puts `child` where `p` hangs (under p's parent, or as root). */
  private replaceChild(p: TreeEntry<T>, child: TreeEntry<T>): void {
    child.parent = p.parent;
    if (p.parent === null) this.root = child;
    else if (p.parent.left === p) p.parent.left = child;
    else p.parent.right = child;
  }
}
