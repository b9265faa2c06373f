'use strict';
// Node writes to a pipe without blocking: once the pipe is full, every further write is queued in
// memory until the event loop runs. A synchronous loop printing a lot then grows the heap instead
// of waiting for the reader (a correct program printing 10^6 lines can hit the memory limit, an
// endless one never reaches the output cap), and process.exit() drops what is still queued.
// Blocking writes, as Python's and C's, make all three behave.
for (const stream of [process.stdout, process.stderr]) {
  if (stream._handle && typeof stream._handle.setBlocking === 'function') stream._handle.setBlocking(true);
}
