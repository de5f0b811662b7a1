/**
 * Named counters in shared memory that any thread can bump and read (Rust: a struct of
 * `AtomicUsize`s): a runtime's flags and statistics, said once here rather than as cell
 * numbers in every stage.
 */
export class SharedCounters<Name extends string> {
  /** The memory to hand to another thread, which views it with the same names. */
  readonly buffer: SharedArrayBuffer;
  readonly #cells: Int32Array;

  constructor(
    private readonly names: readonly Name[],
    buffer = new SharedArrayBuffer(names.length * Int32Array.BYTES_PER_ELEMENT),
  ) {
    this.buffer = buffer;
    this.#cells = new Int32Array(buffer);
  }

  /** Adds `by` (default 1) to `name`; returns the value it had before. */
  add(name: Name, by = 1): number {
    return Atomics.add(this.#cells, this.names.indexOf(name), by);
  }

  /** The value of `name` now. */
  get(name: Name): number {
    return Atomics.load(this.#cells, this.names.indexOf(name));
  }

  /** Every counter's value now. */
  snapshot(): Record<Name, number> {
    const values = {} as Record<Name, number>;
    for (const name of this.names) values[name] = this.get(name);
    return values;
  }
}
