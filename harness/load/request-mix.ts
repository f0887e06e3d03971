/**
 * Picks requests in proportion to their weights by smooth weighted round-robin (nginx's): the
 * same sequence every run, and each request spread evenly through it rather than in runs, so
 * every second of the load carries the mix. Both drivers use it (k6 through the rendered order).
 */
export class RequestMix<T extends { weight: number }> {
  private readonly current: number[];
  private readonly total: number;

  constructor(private readonly items: readonly T[]) {
    if (items.length === 0) throw new RangeError('a request mix needs at least one request');
    this.current = items.map(() => 0);
    this.total = items.reduce((sum, i) => sum + i.weight, 0);
  }

  next(): T {
    let best = 0;
    for (let i = 0; i < this.items.length; i++) {
      this.current[i]! += this.items[i]!.weight;
      if (this.current[i]! > this.current[best]!) best = i;
    }
    this.current[best]! -= this.total;
    return this.items[best]!;
  }

  /** One full cycle of picks, as indices: its length is the sum of the weights. */
  static cycle(weights: readonly number[]): number[] {
    const mix = new RequestMix(weights.map((weight, index) => ({ weight, index })));
    return Array.from({ length: weights.reduce((a, b) => a + b, 0) }, () => mix.next().index);
  }
}
