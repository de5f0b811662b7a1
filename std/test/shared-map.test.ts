import { describe, expect, it } from "vitest";
import { MapFullError, SharedMap, spawn } from "../dist/index.js";

// The stand-in for Arc<Mutex<HashMap<usize, Waker>>>: keys to pairs of numbers.

describe("SharedMap", () => {
  it("gives the pair stored last for a key, and nothing once it is removed", () => {
    const map = SharedMap.create();
    const seen: [number, number][] = [];
    const use = (first: number, second: number) => {
      seen.push([first, second]);
    };
    expect(map.get(1, use)).toBe(false);
    map.set(1, 3, 7);
    map.set(1, 4, 8); // replaced: only the latest counts
    expect(map.get(1, use)).toBe(true);
    map.remove(1);
    expect(map.get(1, use)).toBe(false);
    expect(seen).toEqual([[4, 8]]);
  });

  it("refuses a key it could not keep, finds none for it, and a capacity it cannot make", () => {
    const map = SharedMap.create(16);
    // 0 marks a free entry (an empty map said it held key 0); -1 and 1.5 were folded onto
    // other keys' entries by the mask and lost.
    for (const key of [0, -1, 1.5, 2 ** 31, Number.NaN]) {
      expect(() => map.set(key, 1, 2), String(key)).toThrow(/keys are whole numbers from 1/);
      expect(
        map.get(key, () => {}),
        String(key),
      ).toBe(false);
    }
    for (const capacity of [0, -1, Number.NaN, 2 ** 30]) {
      expect(() => SharedMap.create(capacity), String(capacity)).toThrow(RangeError);
    }
  });

  it("rounds its capacity up to a power of two", () => {
    expect(SharedMap.create(1000).capacity).toBe(1024);
    expect(new SharedMap(SharedMap.create(16).buffer).capacity).toBe(16);
  });

  it("when full, refuses with MapFullError and never gives a key another's value", () => {
    const map = SharedMap.create(16);
    map.set(5, 1, 0);
    expect(map.get(5 + 16, () => {})).toBe(false);
    expect(() => map.set(5 + 16, 2, 0)).toThrow(MapFullError);
    // A runtime's user cannot make the waker table larger by hand: the message says what to do.
    expect(() => map.set(5 + 16, 2, 0)).toThrow(/finish or close some requests.*WAKER_CAPACITY/);
    map.remove(5 + 16); // not its entry: changes nothing
    expect(map.get(5, () => {})).toBe(true);
  });

  it("its Mutex keeps each pair whole while two threads write and this one reads", () => {
    const map = SharedMap.create();
    const done = new Int32Array(new SharedArrayBuffer(4));
    const rounds = 20_000;
    const writers = [1, 2].map((id) =>
      spawn(new URL("./helpers/map-writer.mjs", import.meta.url), "nothing", {
        name: `writer-${id}`,
        data: { buffer: map.buffer, done: done.buffer, id, rounds, key: 9 },
      }),
    );
    let reads = 0;
    let torn = 0;
    const check = (first: number, second: number) => {
      if (first !== second) torn++;
    };
    const deadline = performance.now() + 20_000;
    while (Atomics.load(done, 0) < 2 && performance.now() < deadline) {
      map.get(9, check);
      reads++;
    }
    for (const writer of writers) writer.join(20_000);
    expect(Atomics.load(done, 0)).toBe(2);
    expect(reads).toBeGreaterThan(0);
    expect(torn).toBe(0);
  });
});
