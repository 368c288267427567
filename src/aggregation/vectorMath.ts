// Small dense-vector helpers shared by the rules.

/** Euclidean norm ‖x‖₂. */
export function l2Norm(x: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i] * x[i];
  return Math.sqrt(s);
}

/** Squared Euclidean distance ‖a − b‖₂². */
export function squaredDistance(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) {
    const diff = a[i] - b[i];
    s += diff * diff;
  }
  return s;
}

/** Σ w_i · rows_i / Σ w_i. */
export function weightedAverage(rows: readonly Float64Array[], weights: ArrayLike<number>): Float64Array {
  const out = new Float64Array(rows[0].length);
  let total = 0;
  rows.forEach((row, r) => {
    const w = weights[r];
    total += w;
    for (let i = 0; i < out.length; i++) out[i] += w * row[i];
  });
  for (let i = 0; i < out.length; i++) out[i] /= total;
  return out;
}

/** Plain average of the rows. */
export function average(rows: readonly Float64Array[]): Float64Array {
  return weightedAverage(rows, new Float64Array(rows.length).fill(1));
}

/** Applies `reduce` to each coordinate's sorted column of values. */
export function perCoordinate(rows: readonly Float64Array[], reduce: (sortedColumn: Float64Array) => number): Float64Array {
  const out = new Float64Array(rows[0].length);
  const column = new Float64Array(rows.length);
  for (let i = 0; i < out.length; i++) {
    for (let r = 0; r < rows.length; r++) column[r] = rows[r][i];
    column.sort();
    out[i] = reduce(column);
  }
  return out;
}
