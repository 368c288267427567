// The geometric median as the contract verifies it (docs/PROTOCOL.md "The geometric-median certificate";
// contracts/libraries/GeoMedian.sol): the chunks accumulate the Gram matrix G_kl = Σ mean_k · mean_l of the
// counted group means; the aggregator proposes uint32 weights w, so the candidate z = Σ w_k mean_k / W; the
// contract checks that the sum of the unit vectors from z to the means is short (the subgradient condition
// of the geometric median, within τ = 1/10), all in exact integers this file reproduces bit for bit. The
// weights come from Weiszfeld's algorithm (Weiszfeld 1937; Vardi and Zhang, PNAS 2000, for the case of z at
// a mean) run on the Gram matrix itself: every iterate is a weighted mean of the group means, so e numbers
// describe it whatever the model's size.
import { GeoMedianCertificateError, InvalidInputError } from "../errors";
import { GEOMEDIAN_TOLERANCE_INV } from "./constants";
import { dotExact } from "./exact";

/** The certificate's fixed point: cosines in units of 2^-64. */
export const CERTIFICATE_ONE = 1n << 64n;
const MAX_WEIGHT = 0xffffffff;

/** The contract's verdict on a set of weights and the figures its inlier test then scores. */
export interface GeoMedianCertificate {
  accepted: boolean;
  /** g² in units of 2^-64 (0 when the truncated sum is negative). */
  gradientSq: bigint;
  /** floor((10 · |Z| + 1)² · 2^64 / 100). */
  limitSq: bigint;
  /** Per group: floor(‖mean_k − z‖²). */
  dists: bigint[];
  /** Per group: trunc(mean_k · z). */
  dots: bigint[];
  /** floor(‖z‖²). */
  aggNorm: bigint;
}

/** The e × e Gram matrix of the means (row-major, exact): what the contract's chunks accumulate. */
export function gramMatrix(means: readonly Int32Array[]): bigint[] {
  const e = means.length;
  const g = new Array<bigint>(e * e);
  for (let u = 0; u < e; u++) {
    for (let v = u; v < e; v++) g[u * e + v] = g[v * e + u] = dotExact(means[u], means[v]);
  }
  return g;
}

/** floor(√x) for a non-negative bigint. */
export function isqrt(x: bigint): bigint {
  if (x < 0n) throw new InvalidInputError("x", `must be non-negative, got ${x}`);
  if (x < 2n) return x;
  let r = BigInt(Math.floor(Math.sqrt(Number(x))));
  while (r * r > x) r--;
  while ((r + 1n) * (r + 1n) <= x) r++;
  return r;
}

function checkShape(gram: readonly bigint[], weights: readonly number[]): number {
  const e = weights.length;
  if (e === 0) throw new InvalidInputError("weights", "no group to certify");
  if (gram.length !== e * e) throw new InvalidInputError("gram", `has ${gram.length} entries, expected ${e} × ${e}`);
  weights.forEach((w, k) => {
    if (!Number.isInteger(w) || w < 0 || w > MAX_WEIGHT) throw new InvalidInputError(`weights[${k}]`, `must be a uint32, got ${w}`);
  });
  if (weights.every((w) => w === 0)) throw new InvalidInputError("weights", "sum to zero");
  return e;
}

/** The contract's certificate check of `weights` against the Gram matrix `gram` (GeoMedian.certify). */
export function certifyGeoMedian(gram: readonly bigint[], weights: readonly number[]): GeoMedianCertificate {
  const e = checkShape(gram, weights);
  const w = weights.map(BigInt);
  const total = w.reduce((x, y) => x + y, 0n);
  const a = w.map((_, k) => w.reduce((row, wl, l) => row + wl * gram[k * e + l], 0n));
  const quad = w.reduce((q, wk, k) => q + wk * a[k], 0n);
  const total2 = total * total;
  const s = new Array<bigint>(e).fill(0n);
  let zeros = 0n;
  const dists: bigint[] = [];
  const dots: bigint[] = [];
  for (let k = 0; k < e; k++) {
    const d = total2 * gram[k * e + k] - 2n * total * a[k] + quad;
    dists.push(d / total2);
    dots.push(a[k] / total); // BigInt division truncates toward zero, as SDIV
    if (d === 0n) zeros++;
    else s[k] = isqrt(d);
  }
  let sq = 0n;
  for (let k = 0; k < e; k++) {
    if (s[k] === 0n) continue;
    for (let l = k; l < e; l++) {
      if (s[l] === 0n) continue;
      const p = total2 * gram[k * e + l] - total * (a[k] + a[l]) + quad;
      const term = (p * CERTIFICATE_ONE) / (s[k] * s[l]);
      sq += l === k ? term : 2n * term;
    }
  }
  const inv = BigInt(GEOMEDIAN_TOLERANCE_INV);
  const limit = zeros * inv + 1n;
  const gradientSq = sq > 0n ? sq : 0n;
  return {
    accepted: gradientSq * inv * inv <= limit * limit * CERTIFICATE_ONE,
    gradientSq,
    limitSq: (limit * limit * CERTIFICATE_ONE) / (inv * inv),
    dists,
    dots,
    aggNorm: quad / total2,
  };
}

/** geoMedianWeights' options. */
export interface GeoMedianWeightsOptions {
  /** Weiszfeld iterations at most (default 20000). */
  maxIterations?: number;
}

/**
 * uint32 weights that the contract accepts as the geometric median of the means whose Gram matrix is `gram`:
 * Weiszfeld's iteration w_k ∝ 1 / ‖mean_k − z‖ in weight space (on the Gram matrix centred at mean 0, so the
 * distances lose no precision to the means' size), checked with the contract's exact test as it goes; if the
 * median sits at a mean (Weiszfeld then creeps towards it), that mean alone is the certificate.
 */
export function geoMedianWeights(gram: readonly bigint[], options: GeoMedianWeightsOptions = {}): number[] {
  const e = Math.round(Math.sqrt(gram.length));
  if (e === 0 || e * e !== gram.length) throw new InvalidInputError("gram", `must be a non-empty square matrix, got ${gram.length} entries`);
  const maxIterations = options.maxIterations ?? 20000;
  const vertex = (k: number) => Array.from({ length: e }, (_, l) => (l === k ? 1 : 0));
  if (e === 1) return vertex(0);
  const c = new Float64Array(e * e);
  for (let k = 0; k < e; k++) {
    for (let l = 0; l < e; l++) c[k * e + l] = Number(gram[k * e + l] - gram[k * e] - gram[l] + gram[0]);
  }
  let w = new Float64Array(e).fill(1 / e);
  const quantized = (x: Float64Array) => {
    const top = Math.max(...x);
    return Array.from(x, (v) => Math.round((v / top) * MAX_WEIGHT));
  };
  const accepted = (q: number[]) => q.some((v) => v > 0) && certifyGeoMedian(gram, q).accepted;
  for (let iteration = 0; iteration < maxIterations; iteration++) {
    if (iteration % 64 === 0) {
      const q = quantized(w);
      if (accepted(q)) return q;
    }
    const cw = new Float64Array(e);
    for (let k = 0; k < e; k++) for (let l = 0; l < e; l++) cw[k] += c[k * e + l] * w[l];
    let wcw = 0;
    for (let k = 0; k < e; k++) wcw += w[k] * cw[k];
    const next = new Float64Array(e);
    let sum = 0;
    let atMean = -1;
    for (let k = 0; k < e; k++) {
      const r = Math.sqrt(Math.max(0, c[k * e + k] - 2 * cw[k] + wcw));
      if (r === 0) atMean = k;
      next[k] = r === 0 ? 0 : 1 / r;
      sum += next[k];
    }
    if (atMean >= 0 || !Number.isFinite(sum)) break;
    for (let k = 0; k < e; k++) next[k] /= sum;
    w = next;
  }
  const last = quantized(w);
  if (accepted(last)) return last;
  for (let k = 0; k < e; k++) if (accepted(vertex(k))) return vertex(k);
  throw new GeoMedianCertificateError(e, maxIterations);
}

/** The round aggregate the weights define, per lane trunc(Σ w_k · mean_k / Σ w_k), as uint32(int32) lanes. */
export function weightedAggregate(means: readonly Int32Array[], weights: readonly number[]): Uint32Array {
  if (means.length !== weights.length) throw new InvalidInputError("weights", `has ${weights.length} entries for ${means.length} means`);
  const lanes = means[0]?.length ?? 0;
  const total = BigInt(weights.reduce((x, y) => x + y, 0));
  if (total === 0n) throw new InvalidInputError("weights", "sum to zero");
  const out = new Int32Array(lanes);
  // Σ w_k · mean_k < 16 · 2^32 · 2^31 = 2^67 exceeds a double's exact range: split each weight in 16-bit halves.
  const high = weights.map((w) => Math.floor(w / 65536));
  const low = weights.map((w) => w % 65536);
  for (let i = 0; i < lanes; i++) {
    let hi = 0;
    let lo = 0;
    for (let k = 0; k < means.length; k++) {
      hi += high[k] * means[k][i];
      lo += low[k] * means[k][i];
    }
    out[i] = Number((BigInt(hi) * 65536n + BigInt(lo)) / total);
  }
  return new Uint32Array(out.buffer);
}
