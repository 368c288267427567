// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {IOmniMarket} from "../interfaces/IOmniMarket.sol";
import {Rule} from "../types/MarketTypes.sol";
import {MarketStorage} from "./MarketStorage.sol";
import {RoundState} from "./RoundState.sol";
import {Packed32} from "./Packed32.sol";
import {MaskPRG} from "./MaskPRG.sol";
import {RobustRules} from "./RobustRules.sol";
import {Books} from "./Books.sol";
import {ChunkSizing} from "./ChunkSizing.sol";
import {GeoMedian} from "./GeoMedian.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

/// @title AggregateLogic: one chunk of a round aggregate from all eligible submitters' masked chunks
/// @notice Calldata layout of `data`: for each eligible group not yet over the norm bound, in ascending
/// group index, for each of its submitters in ascending roster index, that member's chunk bytes (L = chunk
/// length · 32 bytes), so slice s sits at [s·L, (s+1)·L). Per word the group sum is a SWAR sum of its
/// submitters' words, minus (plus) the mask words of active pairs with dropped members of higher (lower)
/// roster index. Each group's Σ int32(sum lane)² over the chunks so far is checked against the bound
/// (submitters · (clipNormQ + ceil(√paramCount)))², which no group of honest members can exceed; a group
/// over it is excluded from this chunk on. Over the groups within it the mean is int32(sum) / submitters,
/// the rule runs per lane over their means, and each accumulates its squared distance to the aggregate and
/// its dot product with it (the round also accumulates Σ agg²). Under the geometric median and Multi-Krum no rule
/// runs per lane: the chunk emits the means and adds their Gram matrix to the round's; finalizeCertifiedRound
/// checks the aggregator's weights against it (GeoMedian), or finalizeRound chooses the groups (MultiKrum). All eight lanes of every word are
/// processed alike, including the padding lanes of the last word (zero for honest members).
library AggregateLogic {
    /// @dev Who is summed and which masks are removed, per eligible group.
    struct Plan {
        uint256 eligibleGroups; // bitmap over group index
        uint256[] groupIndex; // eligible groups' indices, ascending
        uint256[][] submitters; // per eligible group, ascending roster index
        bytes32[][] subSeeds; // pair seeds with dropped members of higher index: their masks are subtracted
        bytes32[][] addSeeds; // pair seeds with dropped members of lower index: their masks are added
        uint256 slices; // total submitters over eligible groups
    }

    /// @dev Per-chunk statistics of the eligible groups against the aggregate.
    struct Tally {
        uint256[] dist; // per eligible group: Σ (mean − agg)²
        int256[] dot; // per eligible group: Σ mean · agg
        uint256 aggNorm; // Σ agg²
    }

    /// @dev Element-wise inputs of the computation.
    struct Shape {
        uint256 firstWord; // global index of the chunk's first word
        uint256 words; // words in the chunk
        uint256 sliceBytes; // words · 32
        Rule rule;
        uint256 trimBps;
        uint256 normSlack; // per submitter: the group bound is (submitters · normSlack)²
        uint256 needed; // fewest groups the rule needs
        bool last; // the round's last chunk
    }

    /// @dev See IOmniMarket.aggregateChunk.
    function aggregateChunk(
        MarketStorage.State storage self,
        uint256 jobId,
        uint256 round,
        uint256 chunkIndex,
        bytes calldata data
    ) external {
        Plan memory plan;
        Shape memory shape;
        {
            MarketStorage.Job storage j = RoundState.job(self, jobId);
            uint256[][] memory gs = RoundState.groups(self, jobId);
            MarketStorage.Round storage rd = self.rounds[jobId];
            // Chunk 0 derives the phase and the eligible groups; later chunks read what it stored.
            uint256 eligible = RoundState.expectAggregate(self, jobId, j, rd, gs);
            RoundState.expectRound(rd, jobId, round);
            uint256 needed = RoundState.minEligibleGroups(j.params.rule, j.params.trimBps);
            if (RoundState.popcount(eligible) < needed) {
                revert IOmniMarket.MarketTooFewEligibleGroups(jobId, round, RoundState.popcount(eligible), needed);
            }
            if (chunkIndex != rd.chunksAggregated || chunkIndex >= j.chunkCount) {
                revert IOmniMarket.MarketUnexpectedChunk(jobId, rd.chunksAggregated, chunkIndex);
            }
            // Groups over the norm bound in an earlier chunk post nothing more (none before chunk 0).
            uint256 counted = eligible & ~uint256(rd.excludedGroups);
            if (RoundState.popcount(counted) < needed) {
                revert IOmniMarket.MarketTooFewEligibleGroups(jobId, round, RoundState.popcount(counted), needed);
            }
            plan = _plan(self, jobId, rd, gs, counted);
            plan.eligibleGroups = eligible;
            uint256 words = RoundState.chunkLength(j, chunkIndex);
            shape = Shape({
                firstWord: chunkIndex * j.chunkWords,
                words: words,
                sliceBytes: words * 32,
                rule: j.params.rule,
                trimBps: j.params.trimBps,
                normSlack: normSlack(j.params.clipNormQ, j.params.paramCount),
                needed: needed,
                last: chunkIndex + 1 == j.chunkCount
            });
        }
        if (data.length != plan.slices * shape.sliceBytes) {
            revert IOmniMarket.MarketInvalidDataLength(jobId, plan.slices * shape.sliceBytes, data.length);
        }
        _verify(self, jobId, chunkIndex, plan, data, shape.sliceBytes);
        (uint256[] memory sums, uint256[] memory norms) = _sums(plan, data, shape);
        uint256[] memory within = _bound(self, jobId, chunkIndex, plan, norms, shape);
        _rule(self, jobId, chunkIndex, plan, sums, within, shape);
        Books.payFee(self, jobId);
    }

    /// @dev Rules the chunk over the groups at plan positions `within` and records it: per lane, or under the
    /// geometric median the means and their Gram matrix; with too few groups left, nothing.
    function _rule(
        MarketStorage.State storage self,
        uint256 jobId,
        uint256 chunkIndex,
        Plan memory plan,
        uint256[] memory sums,
        uint256[] memory within,
        Shape memory shape
    ) private {
        if (within.length < shape.needed) {
            // Too few groups left for the rule: nothing is aggregated, and finalizeRound voids the round.
            _advance(self, jobId, chunkIndex, plan);
        } else if (ChunkSizing.usesGram(shape.rule)) {
            (bytes memory means, int256[] memory gram) = _means(plan, sums, within, shape);
            _recordGram(self, jobId, chunkIndex, plan, within, means, gram);
        } else {
            (bytes memory out, Tally memory tally) = _compute(plan, sums, within, shape);
            _record(self, jobId, chunkIndex, plan, within, out, tally);
        }
    }

    /// @dev The norm bound's slack per submitter: clipNormQ + ceil(√paramCount). An honest member's
    /// quantized update q is its scaled clipped update v (‖v‖ ≤ clipNormQ) plus a rounding error below 1 per
    /// element, so ‖q‖ < clipNormQ + √d, and a group of m honest submitters sums to under m times that.
    function normSlack(uint256 clipNormQ, uint256 paramCount) internal pure returns (uint256) {
        return clipNormQ + Math.sqrt(paramCount, Math.Rounding.Ceil);
    }

    /// @dev Adds this chunk's squared norms to each planned group's running total and returns, ascending,
    /// the plan positions of the groups still within the bound (submitters · normSlack)²; the others join
    /// `excludedGroups` (event GroupsOverBound). Totals are stored only while a later chunk needs them.
    function _bound(
        MarketStorage.State storage self,
        uint256 jobId,
        uint256 chunkIndex,
        Plan memory plan,
        uint256[] memory norms,
        Shape memory shape
    ) private returns (uint256[] memory within) {
        mapping(uint256 group => uint256) storage totals = self.sumNorms[jobId];
        uint256 e = plan.groupIndex.length;
        within = new uint256[](e);
        uint256 kept;
        uint256 over;
        for (uint256 q = 0; q < e; ++q) {
            uint256 k = plan.groupIndex[q];
            uint256 total = chunkIndex == 0 ? norms[q] : totals[k] + norms[q];
            uint256 bound = plan.submitters[q].length * shape.normSlack;
            if (total > bound * bound) {
                over |= uint256(1) << k;
                continue;
            }
            if (!shape.last) totals[k] = total;
            within[kept++] = q;
        }
        assembly ("memory-safe") {
            mstore(within, kept)
        }
        if (over != 0) _exclude(self, jobId, chunkIndex, over);
    }

    /// @dev Adds `over` (group indices) to the round's excluded groups.
    function _exclude(MarketStorage.State storage self, uint256 jobId, uint256 chunkIndex, uint256 over) private {
        MarketStorage.Round storage rd = self.rounds[jobId];
        rd.excludedGroups |= uint48(over); // 0 when the round opened
        emit IOmniMarket.GroupsOverBound(jobId, rd.index, chunkIndex, over);
    }

    /// @dev Counts a chunk that left too few groups within the bound: it adds nothing to the aggregate.
    function _advance(MarketStorage.State storage self, uint256 jobId, uint256 chunkIndex, Plan memory plan) private {
        MarketStorage.Round storage rd = self.rounds[jobId];
        if (chunkIndex == 0) rd.eligibleGroups = uint48(plan.eligibleGroups);
        rd.chunksAggregated = uint32(chunkIndex + 1);
    }

    /// @dev Stores the distances, projections and aggregate norm and the hash chain, then emits the chunk.
    /// All three restart with chunk 0 of every round, so their slots are reused across rounds; chunk 0 also
    /// stores the eligible groups for the later chunks and finalizeRound. `within` lists the plan positions
    /// of the counted groups, the order of the tally.
    function _record(
        MarketStorage.State storage self,
        uint256 jobId,
        uint256 chunkIndex,
        Plan memory plan,
        uint256[] memory within,
        bytes memory out,
        Tally memory tally
    ) private {
        bool first = chunkIndex == 0;
        for (uint256 c = 0; c < within.length; ++c) {
            uint256 k = plan.groupIndex[within[c]];
            self.distances[jobId][k] = first ? tally.dist[c] : self.distances[jobId][k] + tally.dist[c];
            self.dots[jobId][k] = first ? tally.dot[c] : self.dots[jobId][k] + tally.dot[c];
        }
        self.aggNorms[jobId] = first ? tally.aggNorm : self.aggNorms[jobId] + tally.aggNorm;
        uint256 round = _chain(self, jobId, chunkIndex, plan, out);
        emit IOmniMarket.AggregateChunkComputed(jobId, round, chunkIndex, out);
    }

    /// @dev Geometric median: adds the chunk's Gram entries of the counted groups to the round's (restarting
    /// with chunk 0, as in _record), extends the hash chain with the means and emits them. Entries of a group
    /// excluded later go stale; nothing reads them, as finalization uses only groups counted in every chunk.
    function _recordGram(
        MarketStorage.State storage self,
        uint256 jobId,
        uint256 chunkIndex,
        Plan memory plan,
        uint256[] memory within,
        bytes memory means,
        int256[] memory part
    ) private {
        bool first = chunkIndex == 0;
        mapping(uint256 pair => int256) storage gram = self.gram[jobId];
        uint256 c = within.length;
        uint256 groups;
        for (uint256 u = 0; u < c; ++u) {
            uint256 k = plan.groupIndex[within[u]];
            groups |= uint256(1) << k;
            for (uint256 v = u; v < c; ++v) {
                uint256 slot = GeoMedian.pair(k, plan.groupIndex[within[v]]);
                gram[slot] = first ? part[u * c + v] : gram[slot] + part[u * c + v];
            }
        }
        uint256 round = _chain(self, jobId, chunkIndex, plan, means);
        emit IOmniMarket.GroupMeansComputed(jobId, round, chunkIndex, groups, means);
    }

    /// @dev Extends the round's hash chain with `out` and counts the chunk; returns the round index.
    function _chain(
        MarketStorage.State storage self,
        uint256 jobId,
        uint256 chunkIndex,
        Plan memory plan,
        bytes memory out
    ) private returns (uint256) {
        MarketStorage.Round storage rd = self.rounds[jobId];
        rd.aggregateHash = keccak256(abi.encodePacked(rd.aggregateHash, keccak256(out)));
        _advance(self, jobId, chunkIndex, plan);
        return rd.index;
    }

    /// @dev Geometric median: the chunk's means of the groups at plan positions `within` (packed int32 lanes,
    /// group-major: group u's word w at u · words + w) and their Gram entries over the chunk, part[u · c + v] =
    /// Σ mean_u · mean_v for u ≤ v (each product below 2^62, so no sum over a chunk wraps).
    function _means(
        Plan memory plan,
        uint256[] memory sums,
        uint256[] memory within,
        Shape memory shape
    ) private pure returns (bytes memory out, int256[] memory part) {
        uint256 e = plan.groupIndex.length;
        uint256 c = within.length;
        out = new bytes(c * shape.sliceBytes);
        part = new int256[](c * c);
        int256[] memory lanes = new int256[](8 * c); // lanes[u · 8 + t]: lane t of group u's mean
        for (uint256 w = 0; w < shape.words; ++w) {
            for (uint256 u = 0; u < c; ++u) {
                uint256 q = within[u];
                uint256 sum = sums[w * e + q];
                uint256 count = plan.submitters[q].length;
                uint256 at = (u * shape.words + w) << 5;
                assembly ("memory-safe") {
                    let lp := add(add(lanes, 0x20), shl(8, u))
                    let word := 0
                    for { let t := 0 } lt(t, 8) { t := add(t, 1) } {
                        let m := sdiv(signextend(3, shr(shl(5, t), sum)), count)
                        mstore(add(lp, shl(5, t)), m)
                        word := or(word, shl(shl(5, t), and(m, 0xffffffff)))
                    }
                    mstore(add(add(out, 0x20), at), word)
                }
            }
            assembly ("memory-safe") {
                let base := add(lanes, 0x20)
                let pp := add(part, 0x20)
                for { let u := 0 } lt(u, c) { u := add(u, 1) } {
                    let up := add(base, shl(8, u))
                    for { let v := u } lt(v, c) { v := add(v, 1) } {
                        let vp := add(base, shl(8, v))
                        let acc := 0
                        for { let t := 0 } lt(t, 0x100) { t := add(t, 0x20) } {
                            acc := add(acc, mul(mload(add(up, t)), mload(add(vp, t))))
                        }
                        let slot := add(pp, shl(5, add(mul(u, c), v)))
                        mstore(slot, add(mload(slot), acc))
                    }
                }
            }
        }
    }

    /// @dev The `eligible` groups (bitmap over the indices of `gs`) with their submitters and the seeds of
    /// masks that no longer cancel; the caller sets `eligibleGroups` to the round's eligible groups.
    function _plan(
        MarketStorage.State storage self,
        uint256 jobId,
        MarketStorage.Round storage rd,
        uint256[][] memory gs,
        uint256 eligible
    ) private view returns (Plan memory plan) {
        uint256 e = RoundState.popcount(eligible);
        plan.eligibleGroups = eligible;
        plan.groupIndex = new uint256[](e);
        plan.submitters = new uint256[][](e);
        plan.subSeeds = new bytes32[][](e);
        plan.addSeeds = new bytes32[][](e);
        uint256 q;
        for (uint256 k = 0; q < e; ++k) {
            if ((eligible >> k) & 1 == 0) continue;
            plan.groupIndex[q] = k;
            _planGroup(self, jobId, rd, gs[k], plan, q);
            plan.slices += plan.submitters[q].length;
            ++q;
        }
    }

    /// @dev Fills entry `q` of the plan from `group`.
    function _planGroup(
        MarketStorage.State storage self,
        uint256 jobId,
        MarketStorage.Round storage rd,
        uint256[] memory group,
        Plan memory plan,
        uint256 q
    ) private view {
        uint256 groupBits = RoundState.bitsOf(group);
        uint256 subs = rd.submitted & groupBits;
        uint256 groupDropped = rd.committed & ~subs & groupBits;
        uint256[] memory submitters = new uint256[](RoundState.popcount(subs));
        uint256[] memory drops = new uint256[](group.length); // per position: active dropped peers
        uint256 s;
        for (uint256 p = 0; p < group.length; ++p) {
            if ((subs >> group[p]) & 1 == 0) continue;
            submitters[s++] = group[p];
            drops[p] = RoundState.activeDropped(self, jobId, group[p], groupDropped);
        }
        plan.submitters[q] = submitters;
        // Without a dropped member every mask cancels: the seed lists stay empty.
        if (groupDropped != 0) (plan.subSeeds[q], plan.addSeeds[q]) = _seeds(self, jobId, group, drops);
    }

    /// @dev Revealed seeds of the group's submitter–dropped pairs, split by the sign of their mask.
    function _seeds(
        MarketStorage.State storage self,
        uint256 jobId,
        uint256[] memory group,
        uint256[] memory drops
    ) private view returns (bytes32[] memory sub, bytes32[] memory add) {
        uint256 higher;
        uint256 lower;
        for (uint256 p = 0; p < group.length; ++p) {
            uint256 above = RoundState.popcount(drops[p] >> (group[p] + 1));
            higher += above;
            lower += RoundState.popcount(drops[p]) - above;
        }
        sub = new bytes32[](higher);
        add = new bytes32[](lower);
        (higher, lower) = (0, 0);
        for (uint256 p = 0; p < group.length; ++p) {
            for (uint256 r = 0; r < group.length; ++r) {
                if ((drops[p] >> group[r]) & 1 == 0) continue;
                bytes32 seed = self.seeds[jobId][group[p]][RoundState.peerSlot(p, r)];
                if (group[r] > group[p]) sub[higher++] = seed;
                else add[lower++] = seed;
            }
        }
    }

    /// @dev Checks every slice against the hash its member submitted. Slices are hashed from a scratch
    /// buffer at the free-memory pointer, which is not advanced, so memory does not grow with n.
    function _verify(
        MarketStorage.State storage self,
        uint256 jobId,
        uint256 chunkIndex,
        Plan memory plan,
        bytes calldata data,
        uint256 sliceBytes
    ) private view {
        uint256 s;
        for (uint256 q = 0; q < plan.submitters.length; ++q) {
            for (uint256 u = 0; u < plan.submitters[q].length; ++u) {
                uint256 i = plan.submitters[q][u];
                bytes32 h;
                assembly ("memory-safe") {
                    let buf := mload(0x40)
                    calldatacopy(buf, add(data.offset, mul(s, sliceBytes)), sliceBytes)
                    h := keccak256(buf, sliceBytes)
                }
                if (h != self.chunkHashes[jobId][i][chunkIndex]) {
                    revert IOmniMarket.MarketChunkHashMismatch(jobId, i, chunkIndex);
                }
                ++s;
            }
        }
    }

    /// @dev The aggregate words of the chunk from the sums of the groups at plan positions `within`, each
    /// such group's squared distance to the aggregate and dot product with it, and the aggregate's squared
    /// norm, over the chunk.
    function _compute(
        Plan memory plan,
        uint256[] memory sums,
        uint256[] memory within,
        Shape memory shape
    ) private pure returns (bytes memory out, Tally memory tally) {
        uint256 e = plan.groupIndex.length;
        uint256 c = within.length;
        out = new bytes(shape.sliceBytes);
        tally.dist = new uint256[](c);
        tally.dot = new int256[](c);
        int256[] memory means = new int256[](8 * c); // lane-major: means[t·c + u]
        int256[] memory lane = new int256[](c);
        for (uint256 w = 0; w < shape.words; ++w) {
            for (uint256 u = 0; u < c; ++u) {
                uint256 q = within[u];
                uint256 sum = sums[w * e + q];
                uint256 count = plan.submitters[q].length;
                // means[t·c + u] = int32(lane t of sum) / count, truncated toward zero (SDIV).
                assembly ("memory-safe") {
                    let mp := add(add(means, 0x20), shl(5, u))
                    let stride := shl(5, c)
                    for { let t := 0 } lt(t, 8) { t := add(t, 1) } {
                        mstore(add(mp, mul(t, stride)), sdiv(signextend(3, shr(shl(5, t), sum)), count))
                    }
                }
            }
            uint256 word;
            for (uint256 t = 0; t < 8; ++t) {
                assembly ("memory-safe") {
                    mcopy(add(lane, 0x20), add(add(means, 0x20), shl(5, mul(t, c))), shl(5, c))
                }
                int256 agg = RobustRules.aggregate(shape.rule, shape.trimBps, lane);
                word |= uint256(uint32(int32(agg))) << (t << 5);
                _accumulate(means, tally, agg, t, c);
            }
            assembly ("memory-safe") {
                mstore(add(add(out, 0x20), shl(5, w)), word)
            }
        }
    }

    /// @dev For lane `t`: dist[q] += (mean − agg)², dot[q] += mean · agg for every group q, aggNorm += agg².
    /// Means and agg are int32 values, so |diff| < 2^33 and |mean · agg| ≤ 2^62: over at most 2^21 lanes
    /// no sum wraps, and two's complement MUL/ADD give the signed dot exactly.
    function _accumulate(int256[] memory means, Tally memory tally, int256 agg, uint256 t, uint256 e) private pure {
        uint256[] memory dist = tally.dist;
        int256[] memory dot = tally.dot;
        assembly ("memory-safe") {
            let mp := add(add(means, 0x20), shl(5, mul(t, e)))
            let dp := add(dist, 0x20)
            let pp := add(dot, 0x20)
            for { let q := 0 } lt(q, e) { q := add(q, 1) } {
                let off := shl(5, q)
                let m := mload(add(mp, off))
                let diff := sub(m, agg)
                let at := add(dp, off)
                mstore(at, add(mload(at), mul(diff, diff)))
                at := add(pp, off)
                mstore(at, add(mload(at), mul(m, agg)))
            }
        }
        tally.aggNorm += uint256(agg * agg);
    }

    /// @dev The unmasked sum of every word of the chunk for every planned group, word-major (sums[w·e + q],
    /// eight int32 lanes a word), and each group's squared norm over the chunk: Σ int32(lane)² over all its
    /// lanes (each square below 2^62, so no total wraps).
    function _sums(
        Plan memory plan,
        bytes calldata data,
        Shape memory shape
    ) private pure returns (uint256[] memory sums, uint256[] memory norms) {
        uint256 e = plan.groupIndex.length;
        sums = new uint256[](shape.words * e);
        norms = new uint256[](e);
        for (uint256 w = 0; w < shape.words; ++w) {
            uint256 s;
            for (uint256 q = 0; q < e; ++q) {
                uint256 sum = _groupSum(plan, data, shape.sliceBytes, w, shape.firstWord + w, q, s);
                s += plan.submitters[q].length;
                sums[w * e + q] = sum;
                uint256 squares;
                assembly ("memory-safe") {
                    for { let t := 0 } lt(t, 8) { t := add(t, 1) } {
                        let v := signextend(3, shr(shl(5, t), sum))
                        squares := add(squares, mul(v, v))
                    }
                }
                norms[q] += squares;
            }
        }
    }

    /// @dev Word `w` (global index `global`) of planned group q's unmasked sum; its slices start at slice `s`.
    function _groupSum(
        Plan memory plan,
        bytes calldata data,
        uint256 sliceBytes,
        uint256 w,
        uint256 global,
        uint256 q,
        uint256 s
    ) private pure returns (uint256 sum) {
        uint256 count = plan.submitters[q].length;
        for (uint256 u = 0; u < count; ++u) {
            uint256 x;
            assembly ("memory-safe") {
                x := calldataload(add(add(data.offset, mul(add(s, u), sliceBytes)), shl(5, w)))
            }
            sum = Packed32.add(sum, x);
        }
        bytes32[] memory sub = plan.subSeeds[q];
        for (uint256 r = 0; r < sub.length; ++r) {
            sum = Packed32.sub(sum, MaskPRG.word(sub[r], global));
        }
        bytes32[] memory add = plan.addSeeds[q];
        for (uint256 r = 0; r < add.length; ++r) {
            sum = Packed32.add(sum, MaskPRG.word(add[r], global));
        }
    }
}
