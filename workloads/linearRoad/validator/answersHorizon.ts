// How far an answers file has surely got, in Emit seconds, while it is read: the largest,
// over the lines read so far, of the least Emit among `lines` consecutive lines. A file
// written as answers leave the system is in Emit order, give or take its writers'
// interleaving, so the horizon follows it `lines` lines behind; one line with a wild Emit
// does not move it (every line of a window would have to), and a file out of order by
// fewer than `lines` lines never has an answer still to come from before its horizon.

/** The Emit an answers file has reached. */
export class AnswersHorizon {
  /** Ring of the window's candidate minima: line index and Emit, Emits increasing from head to tail. */
  private readonly index: Float64Array;
  private readonly emit: Float64Array;
  private head = 0;
  private size = 0;
  private read = 0;
  /** The horizon: -Infinity until `lines` lines have been read. */
  value = Number.NEGATIVE_INFINITY;

  /** @param lines the window, in lines (Infinity: the horizon stays -Infinity, the file may be in any order) */
  constructor(readonly lines: number) {
    if (!(lines >= 1)) throw new RangeError(`lines ${lines} < 1`);
    const capacity = Number.isFinite(lines) ? lines + 1 : 0;
    this.index = new Float64Array(capacity);
    this.emit = new Float64Array(capacity);
  }

  /** Takes the Emit of the next line; returns the horizon. */
  add(emit: number): number {
    const capacity = this.index.length;
    if (capacity === 0) return this.value;
    const at = this.read++;
    // Drop the candidates this line outlives (a later, not larger Emit), then those out of the window.
    while (this.size > 0 && this.emit[(this.head + this.size - 1) % capacity] >= emit) this.size--;
    const tail = (this.head + this.size) % capacity;
    this.index[tail] = at;
    this.emit[tail] = emit;
    this.size++;
    while (this.index[this.head] <= at - this.lines) {
      this.head = (this.head + 1) % capacity;
      this.size--;
    }
    if (this.read >= this.lines && this.emit[this.head] > this.value) this.value = this.emit[this.head];
    return this.value;
  }
}
