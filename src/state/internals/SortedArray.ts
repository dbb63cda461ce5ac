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
