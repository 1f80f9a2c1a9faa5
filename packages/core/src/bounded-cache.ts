/**
 * The engine's per-policy caches (cookie plans by name, written lines' decisions by
 * attributes). Bounded: cleared when full, so a flood of distinct keys costs memory once.
 * A cache's answer equals a fresh policy's for any sequence of requests (the differential
 * property test holds it to that).
 */
export class BoundedCache<V> {
  private readonly map = new Map<string, V>();
  constructor(private readonly limit = 1024) {}
  get(key: string): V | undefined {
    return this.map.get(key);
  }
  set(key: string, value: V): V {
    if (this.map.size >= this.limit) this.map.clear();
    this.map.set(key, value);
    return value;
  }
}
