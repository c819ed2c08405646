/**
 * Numbers of many records (paths) as rows of two typed arrays — `ints` (Int32Array, `intsPerRow` a row) and `nums`
 * (Float64Array, `numsPerRow`) — that grow by doubling. Record r's field f is ints[r * intsPerRow + f]: a record's
 * numbers sit in a few adjacent cache lines, and cost the garbage collector nothing however many records there are.
 * The arrays are replaced when they grow: read them again after adding a row.
 */
export class Rows {
  ints: Int32Array;
  nums: Float64Array;
  private capacity: number;
  size = 0;

  constructor(
    readonly intsPerRow: number,
    readonly numsPerRow: number,
    initialRows = 64,
  ) {
    this.capacity = initialRows;
    this.ints = new Int32Array(initialRows * intsPerRow);
    this.nums = new Float64Array(initialRows * numsPerRow);
  }

  /** A new row, all zeros; its number. */
  add(): number {
    const r = this.size++;
    if (r === this.capacity) {
      this.capacity *= 2;
      const ints = new Int32Array(this.capacity * this.intsPerRow);
      ints.set(this.ints);
      this.ints = ints;
      const nums = new Float64Array(this.capacity * this.numsPerRow);
      nums.set(this.nums);
      this.nums = nums;
    }
    return r;
  }
}
