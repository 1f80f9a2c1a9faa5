import { describe, expect, it } from "vitest";
import { BoundedCache } from "./bounded-cache.js";

describe("BoundedCache", () => {
  it("answers every key with its own value", () => {
    const cache = new BoundedCache<number>();
    cache.set("a", 1);
    cache.set("b", 2);
    expect([cache.get("a"), cache.get("a"), cache.get("b"), cache.get("a")]).toEqual([1, 1, 2, 1]);
    expect(cache.get("c")).toBeUndefined();
    // Equal strings built apart are the same key.
    expect(cache.get(["a"].join(""))).toBe(1);
  });

  it("is cleared when full, so distinct keys cannot grow it past its limit", () => {
    const cache = new BoundedCache<number>(2);
    cache.set("a", 1);
    cache.set("b", 2);
    cache.set("c", 3);
    expect([cache.get("a"), cache.get("b"), cache.get("c")]).toEqual([undefined, undefined, 3]);
  });
});
