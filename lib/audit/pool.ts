/**
 * Running asynchronous work over a list with at most `limit` items in flight, keeping the
 * results in input order.
 */

/**
 * Maps `items` through `work` with at most `limit` calls running at once. Results are in the
 * order of `items`. `work` should not reject (collect failures as data); if it does, the first
 * rejection rejects the whole map after the calls in flight settle.
 */
export async function mapWithConcurrency<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  if (!Number.isInteger(limit) || limit < 1) {
    throw new Error(`bug: concurrency must be a positive integer; got ${limit}`);
  }
  const results = new Array<R>(items.length);
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async (): Promise<void> => {
    while (failure === undefined && next < items.length) {
      const index = next;
      next += 1;
      try {
        results[index] = await work(items.at(index) as T, index);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, () => worker()));
  if (failure !== undefined) throw failure.error;
  return results;
}
