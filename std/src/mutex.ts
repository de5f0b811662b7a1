/**
 * A lock in shared memory (Rust: `std::sync::Mutex`), so that threads that share a
 * `SharedArrayBuffer` can take turns on what it holds.
 *
 * One 32-bit cell: 0 unlocked, 1 locked, 2 locked with waiters. An uncontended
 * lock/unlock is one compare-exchange each; a contended one sleeps in `Atomics.wait`
 * (a futex) instead of spinning. (Ulrich Drepper, "Futexes Are Tricky", mutex 2.)
 */
export class Mutex {
  constructor(
    private readonly cells: Int32Array,
    private readonly index: number,
  ) {}

  /** Blocks until this thread holds the lock. */
  lock(): void {
    let state = Atomics.compareExchange(this.cells, this.index, 0, 1);
    if (state === 0) return;
    do {
      if (state === 2 || Atomics.compareExchange(this.cells, this.index, 1, 2) !== 0) {
        Atomics.wait(this.cells, this.index, 2);
      }
      state = Atomics.compareExchange(this.cells, this.index, 0, 2);
    } while (state !== 0);
  }

  /** Releases the lock and wakes one waiter if there is any. */
  unlock(): void {
    if (Atomics.sub(this.cells, this.index, 1) !== 1) {
      Atomics.store(this.cells, this.index, 0);
      Atomics.notify(this.cells, this.index, 1);
    }
  }
}
