/** Runs `work` on every item with at most `width` of them in flight, each worker taking the next item when it is done. */
export async function pool<T>(width: number, items: readonly T[], work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) await work(items[next++]!);
    }),
  );
}
