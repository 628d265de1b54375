/**
 * A map of at most `capacity` keys that drops the least recently used first, for the
 * duplicate guard and the rate limit (contract §9). Not Effect's `Cache` (which keeps
 * this order too since Effect 4): both guards look a key up and take it in one step, with
 * no effect between, and set an entry's expiry after its lookup (when a submission is
 * accepted, when a window slides), which a cache's lookup-time TTL cannot.
 * A Map of nodes in a doubly linked list, oldest first: every step is O(1). (A plain Map
 * re-inserted on each use keeps the order too, but V8 then skips the deleted slots at its
 * front on every "oldest" lookup: 5 to 8 µs a call at 10,000 keys, measured.)
 */
interface Node<K, V> {
  readonly key: K
  value: V
  older: Node<K, V> | undefined
  newer: Node<K, V> | undefined
}

export class LruMap<K, V> {
  readonly #nodes = new Map<K, Node<K, V>>()
  #oldest: Node<K, V> | undefined = undefined
  #newest: Node<K, V> | undefined = undefined

  constructor(readonly capacity: number) {}

  get size(): number {
    return this.#nodes.size
  }

  /** The value, without touching it. */
  peek(key: K): V | undefined {
    return this.#nodes.get(key)?.value
  }

  /** The value, now the most recently used. */
  get(key: K): V | undefined {
    const node = this.#nodes.get(key)
    if (node === undefined) return undefined
    this.#unlink(node)
    this.#append(node)
    return node.value
  }

  /** Sets `key` as the most recently used, dropping the least recently used beyond capacity. */
  set(key: K, value: V): void {
    const known = this.#nodes.get(key)
    if (known !== undefined) this.#unlink(known)
    const node: Node<K, V> = known ?? { key, value, older: undefined, newer: undefined }
    node.value = value
    this.#nodes.set(key, node)
    this.#append(node)
    if (this.#nodes.size > this.capacity && this.#oldest !== undefined) {
      this.delete(this.#oldest.key)
    }
  }

  delete(key: K): void {
    const node = this.#nodes.get(key)
    if (node === undefined) return
    this.#unlink(node)
    this.#nodes.delete(key)
  }

  /** The least recently used entry. */
  oldest(): readonly [K, V] | undefined {
    return this.#oldest === undefined ? undefined : [this.#oldest.key, this.#oldest.value]
  }

  #append(node: Node<K, V>): void {
    node.older = this.#newest
    node.newer = undefined
    if (this.#newest === undefined) this.#oldest = node
    else this.#newest.newer = node
    this.#newest = node
  }

  #unlink(node: Node<K, V>): void {
    if (node.older === undefined) this.#oldest = node.newer
    else node.older.newer = node.newer
    if (node.newer === undefined) this.#newest = node.older
    else node.newer.older = node.older
    node.older = undefined
    node.newer = undefined
  }
}
