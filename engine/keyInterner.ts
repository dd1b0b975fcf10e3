// Interning: strings to dense integer keys, so that routing and keyed state work on
// numbers. An interner is deterministic for one stream (ids in order of first sight);
// parallel instances that must agree without a shared dictionary use hashString53.

/** Assigns dense integer ids to strings in order of first appearance. */
export class KeyInterner {
  private readonly ids = new Map<string, number>();
  private readonly names: string[] = [];

  /** The id of `name`, assigning the next one if it is new. */
  intern(name: string): number {
    let id = this.ids.get(name);
    if (id === undefined) {
      id = this.names.length;
      this.ids.set(name, id);
      this.names.push(name);
    }
    return id;
  }

  /** The string of an id handed out by `intern`. */
  name(id: number): string {
    const n = this.names[id];
    if (n === undefined) throw new RangeError(`no string was interned as ${id}`);
    return n;
  }

  /** Number of distinct strings. */
  get size(): number {
    return this.names.length;
  }
}
