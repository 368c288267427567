// Multi-Krum as the contract chooses it (docs/PROTOCOL.md "Multi-Krum"; contracts/libraries/MultiKrum.sol):
// over e counted group means with f = ⌊(e − 3) / 2⌋ presumed bad, each mean's score is the sum of its squared
// distances to its e − f − 2 nearest others, read exactly from the chunks' Gram matrix (‖μ_k − μ_l‖² = G_kk +
// G_ll − 2·G_kl), and the e − f means of lowest score, ties to the lower index, get weight 1. The aggregate
// is their mean (weightedAggregate). Paper: Blanchard, El Mhamdi, Guerraoui, Stainer, "Machine Learning with
// Adversaries: Byzantine Tolerant Gradient Descent", NeurIPS 2017 (src/aggregation/multiKrum.ts is the float
// version over individual updates).
import { InvalidInputError } from "../errors";

/** The groups Multi-Krum presumes bad among `e` counted ones: ⌊(e − 3) / 2⌋ (0 below 3), so e > 2f + 2. */
export function krumPresumedBad(e: number): number {
  return e < 3 ? 0 : Math.floor((e - 3) / 2);
}

/** The contract's Multi-Krum weights (1 chosen, 0 not) for the e × e Gram matrix `gram` of the counted means. */
export function multiKrumWeights(gram: readonly bigint[]): number[] {
  const e = Math.round(Math.sqrt(gram.length));
  if (e < 2 || e * e !== gram.length) throw new InvalidInputError("gram", `must be an e × e matrix with e ≥ 2, got ${gram.length} entries`);
  const f = krumPresumedBad(e);
  const neighbours = e - f - 2;
  const score = Array.from({ length: e }, (_, k) => {
    const d: bigint[] = [];
    for (let l = 0; l < e; l++) if (l !== k) d.push(gram[k * e + k] + gram[l * e + l] - 2n * gram[k * e + l]);
    d.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    return d.slice(0, neighbours).reduce((a, b) => a + b, 0n);
  });
  return score.map((s, k) => {
    const rank = score.filter((t, l) => t < s || (t === s && l < k)).length;
    return rank < e - f ? 1 : 0;
  });
}
