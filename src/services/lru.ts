/**
 * A map of at most `capacity` keys that drops the least recently used first, for the
 * duplicate guard and the rate limit (SPEC section 9). Not Effect's `Cache`: in Effect 3.22
 * its key list keeps a key's place from when its lookup started, so a key touched since
 * is still dropped first (test/services/limits.test.ts shows the order this one keeps).
 * A JavaScript Map iterates in insertion order; re-inserting a key moves it to the end.
 */
export class LruMap<K, V> {
  readonly #map = new Map<K, V>()

  constructor(readonly capacity: number) {}

  get size(): number {
    return this.#map.size
  }

  /** The value, without touching it. */
  peek(key: K): V | undefined {
    return this.#map.get(key)
  }

  /** The value, now the most recently used. */
  get(key: K): V | undefined {
    const value = this.#map.get(key)
    if (value !== undefined) this.set(key, value)
    return value
  }

  /** Sets `key` as the most recently used, dropping the least recently used beyond capacity. */
  set(key: K, value: V): void {
    this.#map.delete(key)
    this.#map.set(key, value)
    for (const oldest of this.#map.keys()) {
      if (this.#map.size <= this.capacity) break
      this.#map.delete(oldest)
    }
  }

  delete(key: K): void {
    this.#map.delete(key)
  }

  /** The least recently used entry. */
  oldest(): readonly [K, V] | undefined {
    for (const entry of this.#map) return entry
    return undefined
  }
}
