// When a round's aggregation is due from this member. The designated aggregator (the lowest submitter)
// aggregates at once; any other member takes over only when aggregation has made no progress for a
// whole delay — a large round takes minutes to aggregate, and every member piling in would only repeat
// the reads and send transactions that revert.

/** Tracks the progress of one member's view of the aggregate phase. */
export class AggregationWatch {
  private key: string | undefined;
  private since = 0;

  /** `delayMs`: how long aggregation may stand still before a member that is not designated takes over. */
  constructor(private readonly delayMs: number) {}

  /** Whether this member should aggregate now, given the round and how many chunks are aggregated so far. */
  due(round: number, chunksAggregated: number, designated: boolean, now = Date.now()): boolean {
    const key = `${round}:${chunksAggregated}`;
    if (key !== this.key) {
      this.key = key;
      this.since = now;
    }
    return designated || now - this.since > this.delayMs;
  }

  /** After an attempt (done or failed), waits a whole delay before the next one by a member that is not designated. */
  attempted(now = Date.now()): void {
    this.since = now;
  }

  /** Forgets the phase (called outside the aggregate phase). */
  reset(): void {
    this.key = undefined;
  }
}
