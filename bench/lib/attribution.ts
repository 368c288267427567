// Pay that follows contribution, measured before it is built: each round's counted groups (within the norm
// bound, in a round with an aggregate) give one equation y = Σ_{i∈group} x_i, y the group's projection on
// the aggregate times its size (dot · m / aggNorm, figures every RoundFinalized event carries), x_i member
// i's contribution. Ridge least squares over the job's rounds, (AᵀA + λI) x = Aᵀy, attributes it (λ = 1 is
// one round's worth of prior at 0: a member seen in few rows is shrunk, and the system is never singular;
// a contract could check a posted x through these normal equations). A member's pay is then scaled by
// clamp(x_i / (τ · median x), 0, 1). Nothing here is on-chain: this is the analysis docs/RESULTS.md §4 reports.
import { InvalidInputError } from "../../src/errors";
import { seededRng } from "../../src/protocol";

/** One equation: the members of a counted group and its projection y (in units of one member's mean share). */
export interface GroupRow {
  members: readonly number[];
  y: number;
}

/** Ridge least squares over `n` members: the x with (AᵀA + λI) x = Aᵀy. */
export function ridgeAttribution(n: number, rows: readonly GroupRow[], lambda = 1): number[] {
  if (!(lambda > 0)) throw new InvalidInputError("lambda", `must be above 0, got ${lambda}`);
  const m = Array.from({ length: n }, () => new Array<number>(n + 1).fill(0));
  for (const { members, y } of rows) {
    for (const i of members) {
      m[i][n] += y;
      for (const j of members) m[i][j] += 1;
    }
  }
  for (let i = 0; i < n; i++) m[i][i] += lambda;
  // Gauss–Jordan: AᵀA + λI is symmetric positive definite, so no pivoting is needed.
  for (let c = 0; c < n; c++) {
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = m[r][c] / m[c][c];
      for (let k = c; k <= n; k++) m[r][k] -= f * m[c][k];
    }
  }
  return m.map((row, i) => row[n] / row[i]);
}

/** The median of a list (midpoint of the middle two for an even count). */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new InvalidInputError("values", "no value to take the median of");
  const s = [...values].sort((a, b) => a - b);
  const h = s.length >> 1;
  return s.length % 2 ? s[h] : (s[h - 1] + s[h]) / 2;
}

/** Pay factors clamp(x_i / (τ · median x), 0, 1) over the members `scored` (1 for everyone when the median is not positive). */
export function payFactors(x: readonly number[], scored: readonly boolean[], tau = 0.5): number[] {
  const pool = x.filter((_, i) => scored[i]);
  const m = pool.length > 0 ? median(pool) : 0;
  return x.map((v, i) => (!scored[i] || m <= 0 ? 1 : Math.min(1, Math.max(0, v / (tau * m)))));
}

/** Synthetic jobs: honest members contribute μ_i + noise per round (μ_i ~ N(1, σ_between), noise ~ N(0, σ_within)), attackers exactly `attacker`. */
export interface SyntheticSpec {
  n: number;
  groupSize: number;
  malicious: number;
  rounds: number;
  attacker: number;
  sigmaBetween: number;
  sigmaWithin: number;
  trials: number;
  seed: number;
  lambda?: number;
  tau?: number;
}

/** Mean attacker pay factor, mean and worst honest pay loss over the trials (groups drawn uniformly each round). */
export function syntheticPay(s: SyntheticSpec): { attackerShare: number; honestLoss: number; worstHonestLoss: number } {
  const rng = seededRng(s.seed);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
  const groups = Math.floor(s.n / s.groupSize);
  let attacker = 0;
  let loss = 0;
  let worst = 0;
  for (let t = 0; t < s.trials; t++) {
    const mu = Array.from({ length: s.n }, (_, i) => (i < s.malicious ? s.attacker : 1 + s.sigmaBetween * gauss()));
    const rows: GroupRow[] = [];
    for (let r = 0; r < s.rounds; r++) {
      const perm = Array.from({ length: s.n }, (_, i) => i);
      for (let i = s.n - 1; i > 0; i--) {
        const j = Math.floor(rng() * (i + 1));
        [perm[i], perm[j]] = [perm[j], perm[i]];
      }
      for (let g = 0; g < groups; g++) {
        // The leftover members join the first groups, as the protocol's assignment does.
        const members = perm.filter((_, p) => p % groups === g);
        rows.push({ members, y: members.reduce((a, i) => a + (i < s.malicious ? mu[i] : mu[i] + s.sigmaWithin * gauss()), 0) });
      }
    }
    const f = payFactors(
      ridgeAttribution(s.n, rows, s.lambda),
      mu.map(() => true),
      s.tau,
    );
    const honest = f.slice(s.malicious);
    const lost = 1 - honest.reduce((a, b) => a + b, 0) / honest.length;
    attacker += f.slice(0, s.malicious).reduce((a, b) => a + b, 0) / s.malicious;
    loss += lost;
    worst = Math.max(worst, lost);
  }
  return { attackerShare: attacker / s.trials, honestLoss: loss / s.trials, worstHonestLoss: worst };
}
