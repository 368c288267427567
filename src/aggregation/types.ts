// The one interface every aggregation rule implements, and the options they read.

/** Updates as given by callers: rows of equal length. */
export type Updates = readonly Float64Array[] | readonly (readonly number[])[];

/** Rule parameters; each rule reads the ones it documents and validates them. */
export interface AggregateOptions {
  /** Number of Byzantine updates tolerated (krum, multi-krum). */
  f?: number;
  /** Number of updates averaged by multi-krum (default n − f). */
  m?: number;
  /** Fraction trimmed from each end per coordinate, in [0, 0.5) (trimmed-mean). */
  beta?: number;
  /** Non-negative weights, one per update (weighted-mean, geomedian). */
  weights?: readonly number[];
  /** Clipping radius (norm-clipping, centered-clipping). */
  tau?: number;
  /** Iteration cap (geomedian, centered-clipping). */
  maxIterations?: number;
  /** Relative tolerance on the objective (geomedian). */
  tolerance?: number;
  /** Smoothing ν of the Weiszfeld weights (geomedian). */
  smoothing?: number;
  /** Starting point (centered-clipping), e.g. the previous round's aggregate. */
  center?: readonly number[] | Float64Array;
}

/** A robust (or plain) aggregation rule over equal-length float updates. */
export interface Aggregator {
  readonly name: string;
  aggregate(updates: Updates, opts?: AggregateOptions): Float64Array;
}
