/**
 * Kafka Streams prints topology descriptions from java.util collections, so
 * the order of names it prints is an artefact of HashMap bucket layout and
 * of TreeMap's red-black tree shape. To print the same text, this file
 * re-creates just enough of both (java.util as in OpenJDK 8 and later;
 * checked against Kafka Streams 3.9.2 on Java 17 with the oracle that
 * produced test/topology/kafka-descriptions.ts).
 */

/** String.hashCode: over UTF-16 code units, as JS strings are. */
function javaStringHash(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(31, h) + s.charCodeAt(i)) | 0;
  return h;
}

/** A HashMap bucket: its linked list (iteration order) and, once treeified, its red-black tree. */
interface Bin {
  list: string[];
  tree: JavaTreeSet<string> | null;
}

/** TreeNode order inside a treeified bucket: spread hash (signed), then String.compareTo. */
function compareTreeNodes(a: string, b: string): number {
  const ha = spread(a);
  const hb = spread(b);
  if (ha !== hb) return ha < hb ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

function spread(key: string): number {
  const h = javaStringHash(key);
  return h ^ (h >>> 16); // HashMap.hash: fold the high bits into the low ones used for the index
}

/**
 * HashMap.treeifyBin/TreeNode.treeify: a tree built in list order, then its
 * root moved to the list's front. TreeNode.balanceInsertion is the same CLR
 * fix-up as TreeMap's, so JavaTreeSet grows the same tree shape.
 */
function treeify(list: string[]): Bin {
  const tree = new JavaTreeSet<string>(compareTreeNodes);
  for (const k of list) tree.add(k);
  return { list: moveRootToFront(list, tree), tree };
}

function moveRootToFront(list: string[], tree: JavaTreeSet<string>): string[] {
  const root = tree.root as string;
  return [root, ...list.filter((k) => k !== root)];
}

/**
 * Iteration order of a java.util.HashSet<String> (or a HashMap's keys) after
 * adding `keys` in this order; `initialCapacity` is what the constructor got
 * (omitted: `new HashSet<>()`).
 *
 * Iteration walks the buckets in index order and each bucket's linked list.
 * A list grows at its tail, and a resize splits it in two without
 * reordering, so in practice a bucket lists keys in insertion order. The
 * rare exception is modelled too: a 9th key in one bucket resizes a table
 * smaller than 64 and otherwise "treeifies" the bucket, after which the
 * tree's root is moved to the front and each new key is linked right after
 * its tree parent.
 */
export function javaHashSetOrder(keys: readonly string[], initialCapacity = 16): string[] {
  let capacity = 1;
  while (capacity < initialCapacity) capacity *= 2; // HashMap.tableSizeFor
  let bins: Bin[] = Array.from({ length: capacity }, () => ({ list: [], tree: null }));
  let size = 0;
  const resize = (): void => {
    const old = capacity;
    capacity *= 2;
    const next: Bin[] = Array.from({ length: capacity }, () => ({ list: [], tree: null }));
    bins.forEach((bin, i) => {
      const lo = bin.list.filter((k) => (spread(k) & old) === 0);
      const hi = bin.list.filter((k) => (spread(k) & old) !== 0);
      // TreeNode.split: a half of 6 or fewer becomes a plain list; a half that got everything keeps its tree.
      for (const [half, other, at] of [[lo, hi, i] as const, [hi, lo, i + old] as const]) {
        if (bin.tree === null || half.length <= 6) next[at] = { list: half, tree: null };
        else next[at] = other.length === 0 ? bin : treeify(half);
      }
    });
    bins = next;
  };
  for (const key of keys) {
    const at = spread(key) & (capacity - 1);
    const bin = bins[at] as Bin;
    if (bin.list.includes(key)) continue;
    if (bin.tree !== null) {
      const parent = bin.tree.insert(key) as string;
      bin.list.splice(bin.list.indexOf(parent) + 1, 0, key);
      bin.list = moveRootToFront(bin.list, bin.tree);
    } else {
      bin.list.push(key);
      if (bin.list.length > 8) {
        if (capacity < 64) resize();
        else bins[at] = treeify(bin.list);
      }
    }
    if (++size > capacity * 0.75) resize();
  }
  return bins.flatMap((bin) => bin.list);
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
  private top: TreeEntry<T> | null = null;
  private count = 0;

  constructor(private readonly compare: (a: T, b: T) => number) {}

  get size(): number {
    return this.count;
  }

  add(value: T): boolean {
    return this.insert(value) !== undefined;
  }

  /** Adds `value`; returns the element it was first hung under (null if it became the root), or undefined if it was there. */
  insert(value: T): T | null | undefined {
    const entry: TreeEntry<T> = { value, left: null, right: null, parent: null, red: false };
    if (this.top === null) {
      this.top = entry;
      this.count = 1;
      return null;
    }
    let t: TreeEntry<T> | null = this.top;
    let parent = t;
    let cmp = 0;
    while (t !== null) {
      parent = t;
      cmp = this.compare(value, t.value);
      if (cmp < 0) t = t.left;
      else if (cmp > 0) t = t.right;
      else return undefined;
    }
    entry.parent = parent;
    if (cmp < 0) parent.left = entry;
    else parent.right = entry;
    this.fixAfterInsertion(entry);
    this.count++;
    return parent.value;
  }

  /** The element at the tree's root. */
  get root(): T | undefined {
    return this.top?.value;
  }

  *[Symbol.iterator](): Iterator<T> {
    const stack: TreeEntry<T>[] = [];
    let e = this.top;
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
    while (x !== null && x !== this.top && x.parent?.red === true) {
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
    (this.top as TreeEntry<T>).red = false;
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
    if (p.parent === null) this.top = child;
    else if (p.parent.left === p) p.parent.left = child;
    else p.parent.right = child;
  }
}
