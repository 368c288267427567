// Colluding members of one group: attackers gain most when they share a group, since its mean then
// carries all their poison undiluted (the concern SHARE, Velicheti et al. 2021, discusses for
// clustered secure aggregation). Given a round's assignment, pick attacker indices that all land in
// one group, to test what the inlier check does against that worst case.
import { InvalidInputError } from "../errors";

/** `count` roster indices from one group of `groups` (the largest, lowest group index on ties), ascending. */
export function pickColludingMembers(groups: readonly (readonly number[])[], count: number): number[] {
  if (!Number.isSafeInteger(count) || count < 1) throw new InvalidInputError("count", `must be a positive integer, got ${count}`);
  if (groups.length === 0) throw new InvalidInputError("groups", "must not be empty");
  let best = 0;
  groups.forEach((g, k) => {
    if (g.length > groups[best].length) best = k;
  });
  if (groups[best].length < count) throw new InvalidInputError("count", `exceeds the largest group size ${groups[best].length}`);
  return [...groups[best]].sort((a, b) => a - b).slice(0, count);
}
