/**
 * Hands the items of one request to the scheduler a few at a time, as its answer is taken.
 * Queueing all of a batch at once made every result of it exist as soon as the slots allowed,
 * whether or not the client read them: an unread NDJSON stream held the whole answer.
 */

/**
 * Calls `start` for each item in order, holding the next one while `window` started items
 * still wait for a sandbox slot (each calls its `begun` when it gets one, or settles without
 * needing one), and while `ready` (the answer's consumer) is not ready. Enough wait in the
 * flow to keep every slot busy and the request's sandboxes reused; once `signal` aborts,
 * the rest start at once, to be answered as cancelled. Resolves when every item settled.
 */
export async function startPaced<T>(
  items: readonly T[],
  window: number,
  options: { ready?: (() => Promise<void>) | undefined; signal?: AbortSignal | undefined },
  start: (item: T, index: number, begun: () => void) => Promise<void>,
): Promise<void> {
  const { ready, signal } = options;
  let waiting = 0;
  // The loop below waits for one thing at a time: room in the window, or the consumer.
  let waitingFor: { what: 'room' | 'ready'; resolve: () => void } | undefined;
  const wait = (what: 'room' | 'ready', until?: Promise<void>) =>
    new Promise<void>((resolve) => {
      waitingFor = { what, resolve };
      until?.then(resolve, resolve);
    });
  const wake = (what?: 'room') => {
    if (waitingFor === undefined || (what !== undefined && waitingFor.what !== what)) return;
    const { resolve } = waitingFor;
    waitingFor = undefined;
    resolve();
  };
  const onAbort = () => wake();
  signal?.addEventListener('abort', onAbort);
  const started: Promise<void>[] = [];
  try {
    for (const [index, item] of items.entries()) {
      while (!signal?.aborted && waiting >= window) await wait('room');
      if (ready && !signal?.aborted) await wait('ready', ready());
      waitingFor = undefined;
      waiting++;
      let counted = true;
      const begun = () => {
        if (!counted) return;
        counted = false;
        waiting--;
        wake('room');
      };
      started.push(start(item, index, begun).finally(begun));
    }
    await Promise.all(started);
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}
