/**
 * Splits `items` into consecutive chunks, in order, each as long as `fits` allows. A chunk holds
 * at least one item even when that item alone does not fit (the caller's limit check reports
 * it). `fits` must be monotone: if a list fits, so does every prefix of it.
 */
export function chunkBySize<T>(items: readonly T[], fits: (chunk: readonly T[]) => boolean): T[][] {
  const chunks: T[][] = [];
  let start = 0;
  while (start < items.length) {
    // Binary search for the longest prefix of items[start..] that fits.
    let lo = start + 1;
    let hi = items.length;
    while (lo < hi) {
      const mid = Math.ceil((lo + hi) / 2);
      if (fits(items.slice(start, mid))) lo = mid;
      else hi = mid - 1;
    }
    chunks.push(items.slice(start, lo));
    start = lo;
  }
  return chunks;
}
