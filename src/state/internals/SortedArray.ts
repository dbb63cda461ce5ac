/**
 * Sorted arrays of numbers or strings (window starts, session ends, latin1
 * byte keys), kept ordered by binary-search insertion. Time-ordered stores
 * mostly append at the end, so the splice is usually cheap, and unlike a
 * lazily re-sorted key list a read after every write costs no re-sort.
 */
export function lowerBound<T extends number | string>(arr: readonly T[], target: T): number {
  let lo = 0;
  let hi = arr.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((arr[mid] as T) < target) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Inserts `value`, which the caller knows is absent, at its place. */
export function insertSorted<T extends number | string>(arr: T[], value: T): void {
  const i = lowerBound(arr, value);
  // appending is the common case (time moves forward); splice only when needed
  if (i === arr.length) arr.push(value);
  else arr.splice(i, 0, value);
}

/** Removes `value` if present. */
export function removeSorted<T extends number | string>(arr: T[], value: T): void {
  const i = lowerBound(arr, value);
  if (i < arr.length && arr[i] === value) arr.splice(i, 1);
}

/**
 * Index of the first element for which `isBefore` is false, in an array where
 * every element it holds for comes first (a binary search by any order).
 */
export function partitionPoint<T>(arr: readonly T[], isBefore: (x: T) => boolean): number {
  let lo = 0;
  let hi = arr.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (isBefore(arr[mid] as T)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * A sorted list whose front can be dropped in O(1): time-ordered stores and
 * join buffers mostly remove their oldest entries, and splicing the front of
 * a large array on every removal would make each one O(n). Dropped slots are
 * reclaimed when they outnumber the live ones.
 */
export class SortedList<T extends number | string> {
  private items: T[] = [];
  private head = 0;

  get length(): number {
    return this.items.length - this.head;
  }

  /** The i-th live element (0 = smallest). */
  at(i: number): T {
    return this.items[this.head + i] as T;
  }

  /** Index (among live elements) of the first element >= target. */
  lowerBound(target: T): number {
    let lo = this.head;
    let hi = this.items.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.items[mid] as T) < target) lo = mid + 1;
      else hi = mid;
    }
    return lo - this.head;
  }

  /** Inserts `value`, which the caller knows is absent. */
  insert(value: T): void {
    const i = this.head + this.lowerBound(value);
    if (i === this.items.length) this.items.push(value);
    else this.items.splice(i, 0, value);
  }

  /** Removes `value` if present. */
  remove(value: T): void {
    const i = this.lowerBound(value);
    if (i >= this.length || this.at(i) !== value) return;
    if (i === 0) this.dropFront(1);
    else this.items.splice(this.head + i, 1);
  }

  /** Drops the `n` smallest elements. */
  dropFront(n: number): void {
    this.head += n;
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
  }

  /** A copy of the live elements with index in [from, to). */
  slice(from: number, to: number): T[] {
    return this.items.slice(this.head + from, this.head + to);
  }

  clear(): void {
    this.items = [];
    this.head = 0;
  }
}
