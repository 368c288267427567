// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {IOmniMarket} from "../interfaces/IOmniMarket.sol";
import {JobBooks, Phase, RoundResult, Rule, SlashReason, VoidReason} from "../types/MarketTypes.sol";
import {MarketStorage} from "./MarketStorage.sol";
import {RoundState} from "./RoundState.sol";
import {Books} from "./Books.sol";
import {RobustRules} from "./RobustRules.sol";
import {GeoMedian} from "./GeoMedian.sol";
import {MultiKrum} from "./MultiKrum.sol";
import {Blame} from "./Blame.sol";
import {SeedCommitment} from "./SeedCommitment.sol";
import {ProtocolConstants} from "./ProtocolConstants.sol";
import {Dleq} from "./Dleq.sol";
import {PairSeed} from "./PairSeed.sol";

/// @title RoundLogic: commit, submit, reveal and finalize (linked library)
library RoundLogic {
    /// @dev Roster indices are bit positions of uint256 bitmaps: 0 … 255.
    uint256 private constant MAX_BIT_INDEX = 255;

    /// @dev See IOmniMarket.commitSeeds.
    function commitSeeds(
        MarketStorage.State storage self,
        uint256 jobId,
        uint256 round,
        bytes32[] calldata commitments
    ) external {
        RoundState.job(self, jobId);
        RoundState.expectPhase(jobId, RoundState.phase(self, jobId, new uint256[][](0)), Phase.Commit);
        MarketStorage.Round storage rd = self.rounds[jobId];
        RoundState.expectRound(rd, jobId, round);
        uint256 index = RoundState.roundMember(self, jobId, rd, msg.sender);
        if ((rd.committed >> index) & 1 == 1) revert IOmniMarket.MarketAlreadyCommitted(jobId, round, index);
        RoundState.draw(self, jobId);
        uint256[][] memory gs = RoundState.groups(self, jobId);
        (uint256 k, uint256 pos) = RoundState.locate(gs, index);
        uint256[] memory group = gs[k];
        if (commitments.length != group.length - 1) {
            revert IOmniMarket.MarketWrongCommitmentCount(jobId, group.length - 1, commitments.length);
        }
        uint256 active = _storeCommitments(self, jobId, index, group, pos, commitments);
        self.activePeers[jobId][index] = active;
        rd.committed |= uint256(1) << index;
        rd.commitCount += 1;
        if (rd.commitCount == RoundState.popcount(rd.members)) rd.commitEndedAt = uint40(block.timestamp);
        emit IOmniMarket.SeedsCommitted(jobId, round, index, commitments);
    }

    /// @dev See IOmniMarket.disputeCommitment.
    function disputeCommitment(
        MarketStorage.State storage self,
        uint256 jobId,
        uint256 round,
        uint256 peer,
        uint256[2] calldata shared,
        uint256[2] calldata r1,
        uint256[2] calldata r2,
        uint256 s
    ) external {
        RoundState.job(self, jobId);
        RoundState.expectPhase(jobId, RoundState.phase(self, jobId, new uint256[][](0)), Phase.Submit);
        MarketStorage.Round storage rd = self.rounds[jobId];
        RoundState.expectRound(rd, jobId, round);
        uint256 index = RoundState.roundMember(self, jobId, rd, msg.sender);
        (bytes32 mine, bytes32 theirs) = _pairCommitments(self, jobId, rd, index, peer);
        _verifyProof(self, jobId, index, peer, shared, r1, r2, s);
        bytes32 truth = _trueCommitment(jobId, round, shared[0], index, peer);
        uint256 convicted;
        if (mine != truth) convicted |= uint256(1) << index;
        if (theirs != truth) convicted |= uint256(1) << peer;
        rd.convicted |= convicted;
        emit IOmniMarket.CommitmentDisputed(jobId, round, index, peer, convicted);
    }

    /// @dev Reverts `MarketInvalidProof` unless `shared` is sk_index · PK_peer by its DLEQ proof.
    function _verifyProof(
        MarketStorage.State storage self,
        uint256 jobId,
        uint256 index,
        uint256 peer,
        uint256[2] calldata shared,
        uint256[2] calldata r1,
        uint256[2] calldata r2,
        uint256 s
    ) private view {
        MarketStorage.Member storage a = self.roster[jobId][index];
        MarketStorage.Member storage b = self.roster[jobId][peer];
        bytes32 context = keccak256(abi.encode(block.chainid, address(this), jobId));
        if (!Dleq.verify([a.pkX, a.pkY], [b.pkX, b.pkY], shared, r1, r2, s, context)) {
            revert IOmniMarket.MarketInvalidProof(jobId, index, peer);
        }
    }

    /// @dev The commitment to the true seed of the pair, derived from its shared point's x coordinate.
    function _trueCommitment(
        uint256 jobId,
        uint256 round,
        uint256 sharedX,
        uint256 index,
        uint256 peer
    ) private view returns (bytes32) {
        (uint256 lo, uint256 hi) = index < peer ? (index, peer) : (peer, index);
        bytes32 seed = PairSeed.pairSeed(sharedX, block.chainid, address(this), jobId, round, lo, hi);
        return SeedCommitment.compute(block.chainid, address(this), jobId, round, lo, hi, seed);
    }

    /// @dev The commitments `index` and `peer` made for their pair; reverts `MarketNoMismatch` unless both are
    /// members of one group that committed and their commitments differ.
    function _pairCommitments(
        MarketStorage.State storage self,
        uint256 jobId,
        MarketStorage.Round storage rd,
        uint256 index,
        uint256 peer
    ) private view returns (bytes32 mine, bytes32 theirs) {
        uint256[][] memory gs = RoundState.groups(self, jobId);
        (uint256 k, uint256 pos) = RoundState.locate(gs, index);
        uint256 q;
        while (q < gs[k].length && gs[k][q] != peer) ++q;
        bool bothCommitted = (rd.committed >> index) & 1 == 1 && peer <= 255 && (rd.committed >> peer) & 1 == 1;
        if (q == gs[k].length || q == pos || !bothCommitted) revert IOmniMarket.MarketNoMismatch(jobId, index, peer);
        mine = self.commitments[jobId][index][RoundState.peerSlot(pos, q)];
        theirs = self.commitments[jobId][peer][RoundState.peerSlot(q, pos)];
        if (mine == theirs) revert IOmniMarket.MarketNoMismatch(jobId, index, peer);
    }

    /// @dev See IOmniMarket.submitMasked.
    function submitMasked(
        MarketStorage.State storage self,
        uint256 jobId,
        uint256 round,
        uint256 firstChunk,
        bytes calldata words
    ) external {
        MarketStorage.Job storage j = RoundState.job(self, jobId);
        RoundState.expectPhase(jobId, RoundState.phase(self, jobId, new uint256[][](0)), Phase.Submit);
        MarketStorage.Round storage rd = self.rounds[jobId];
        RoundState.expectRound(rd, jobId, round);
        // Only a transaction sent by an account without code straight to the market: then the words are the
        // calldata of the transaction itself, which every tool can read back to aggregate them.
        // solhint-disable-next-line avoid-tx-origin
        if (msg.sender != tx.origin || msg.sender.code.length != 0) {
            revert IOmniMarket.MarketSubmitterNotDirect(jobId, msg.sender);
        }
        uint256 index = RoundState.roundMember(self, jobId, rd, msg.sender);
        if ((rd.committed >> index) & 1 == 0) revert IOmniMarket.MarketNotCommitted(jobId, round, index);
        _requireTwoActivePeers(self, jobId, round, index);
        if (rd.convicted != 0) _requireGroupNotVoid(self, jobId, rd, index);
        MarketStorage.MemberRound storage mr = self.memberRounds[jobId][index];
        // Chunk counters are tagged with the round instead of being cleared, so the slot is reused.
        uint256 done = mr.roundTag == round + 1 ? mr.chunks : 0;
        if (firstChunk != done) revert IOmniMarket.MarketUnexpectedChunk(jobId, done, firstChunk);
        uint256 k = firstChunk;
        uint256 offset;
        while (offset < words.length) {
            uint256 size = RoundState.chunkLength(j, k) * 32;
            if (size == 0 || offset + size > words.length) {
                revert IOmniMarket.MarketInvalidWordsLength(jobId, words.length);
            }
            self.chunkHashes[jobId][index][k] = keccak256(words[offset:offset + size]);
            offset += size;
            ++k;
        }
        if (k == firstChunk) revert IOmniMarket.MarketInvalidWordsLength(jobId, words.length);
        mr.roundTag = uint32(round + 1);
        mr.chunks = uint32(k);
        if (k == j.chunkCount) {
            rd.submitted |= uint256(1) << index;
            rd.submitCount += 1;
            if (rd.submitCount == rd.commitCount) rd.submitEndedAt = uint40(block.timestamp);
        }
        emit IOmniMarket.MaskedChunksSubmitted(jobId, round, index, firstChunk, k - firstChunk);
    }

    /// @dev See IOmniMarket.revealSeeds.
    function revealSeeds(
        MarketStorage.State storage self,
        uint256 jobId,
        uint256 round,
        uint256[] calldata droppedPeers,
        bytes32[] calldata seeds
    ) external {
        RoundState.job(self, jobId);
        uint256[][] memory gs = RoundState.groups(self, jobId);
        RoundState.expectPhase(jobId, RoundState.phase(self, jobId, gs), Phase.Reveal);
        MarketStorage.Round storage rd = self.rounds[jobId];
        RoundState.expectRound(rd, jobId, round);
        uint256 index = RoundState.roundMember(self, jobId, rd, msg.sender);
        if ((rd.submitted >> index) & 1 == 0) revert IOmniMarket.MarketNotSubmitter(jobId, round, index);
        if ((rd.revealed >> index) & 1 == 1) revert IOmniMarket.MarketAlreadyRevealed(jobId, round, index);
        (uint256 k, uint256 pos) = RoundState.locate(gs, index);
        uint256 contradicted = _checkSeeds(self, jobId, index, gs[k], pos, droppedPeers, seeds);
        rd.revealed |= uint256(1) << index;
        rd.revealCount += 1;
        if (contradicted != 0) rd.contradicted |= uint256(1) << index;
        emit IOmniMarket.SeedsRevealed(jobId, round, index, droppedPeers, seeds);
        for (uint256 t = 0; t < droppedPeers.length; ++t) {
            if ((contradicted >> droppedPeers[t]) & 1 == 1) {
                emit IOmniMarket.SeedContradicted(jobId, round, index, droppedPeers[t]);
            }
        }
    }

    /// @dev See IOmniMarket.finalizeRound and finalizeCertifiedRound (`weights` empty for the former, which
    /// has no calldata array to pass: hence memory).
    // solhint-disable-next-line gas-calldata-parameters
    function finalizeRound(
        MarketStorage.State storage self,
        uint256 jobId,
        uint256 round,
        uint32[] memory weights
    ) external {
        MarketStorage.Job storage j = RoundState.job(self, jobId);
        uint256[][] memory gs = RoundState.groups(self, jobId);
        MarketStorage.Round storage rd = self.rounds[jobId];
        // After chunk 0 the eligible groups are stored; with no chunk aggregated they are derived here.
        uint256 eligible = RoundState.expectAggregate(self, jobId, j, rd, gs);
        RoundState.expectRound(rd, jobId, round);
        // Groups an aggregated chunk found over the norm bound do not count.
        uint256 excluded = rd.excludedGroups;
        (bool voided, VoidReason reason) = _voided(jobId, j, rd, eligible & ~excluded, weights.length != 0);
        RoundResult memory result;
        uint256[] memory dists;
        int256[] memory dots;
        if (voided) {
            // Chunks posted before an expired deadline are void: no later chunk may follow them, even when the
            // job completes here (RoundState.expectAggregate reads chunksAggregated != 0 as "in Aggregate").
            rd.chunksAggregated = 0;
            rd.excludedGroups = 0;
            emit IOmniMarket.RoundVoided(jobId, round, reason);
        } else {
            (result, dists, dots) = _judge(self, jobId, eligible & ~excluded, gs.length, weights);
        }
        result.eligibleGroups = eligible;
        result.excludedGroups = excluded;
        _slash(self, jobId, rd, gs);
        // Pays the inliers, holds the others' pay, and convicts (after _slash: a member slashed here is not twice).
        Blame.recordRound(self, jobId, rd, gs, eligible, excluded, result.inlierGroups, !voided);
        Books.payFee(self, jobId);
        self.results[jobId][round] = result;
        emit IOmniMarket.RoundFinalized(
            jobId,
            round,
            result.aggregateHash,
            result.eligibleGroups,
            result.excludedGroups,
            result.inlierGroups,
            dists,
            dots,
            result.aggNorm
        );
        _next(self, jobId, round);
    }

    /// @dev After round `round`: a void round still counts, so the job moves on to its next round while
    /// enough members remain for the rule, and at most `rounds` rounds are played; otherwise it settles.
    function _next(MarketStorage.State storage self, uint256 jobId, uint256 round) private {
        MarketStorage.Job storage j = self.jobs[jobId];
        uint256 remaining = j.params.numDOs - RoundState.popcount(j.slashedMembers | j.absentMembers);
        uint256 needed = RoundState.minEligibleGroups(j.params.rule, j.params.trimBps);
        if (round + 1 < j.params.rounds && remaining / j.params.groupSize >= needed) {
            RoundState.open(self, jobId, round + 1);
        } else {
            JobBooks memory books = Books.settle(self, jobId);
            emit IOmniMarket.JobCompleted(jobId, books.paid, books.refunded, books.slashed, books.stakesReturned);
        }
    }

    /// @dev Whether the round settles without its aggregate: too few eligible groups for the rule, or the
    /// aggregation deadline passed before the last chunk — or, under the geometric median, before anyone
    /// finalized with a certificate (no weights `given`), so no round can stall for want of one. Before that
    /// deadline an unfinished aggregation reverts `MarketAggregationIncomplete`.
    function _voided(
        uint256 jobId,
        MarketStorage.Job storage j,
        MarketStorage.Round storage rd,
        uint256 eligible,
        bool given
    ) private view returns (bool, VoidReason) {
        uint256 needed = RoundState.minEligibleGroups(j.params.rule, j.params.trimBps);
        if (RoundState.popcount(eligible) < needed) return (true, VoidReason.TooFewEligibleGroups);
        (, , , uint256 aggregateDeadline) = RoundState.deadlines(j, rd);
        bool expired = block.timestamp > aggregateDeadline;
        bool certified = given || j.params.rule != Rule.GeometricMedian;
        if (rd.chunksAggregated == j.chunkCount && (certified || !expired)) return (false, VoidReason.TooFewEligibleGroups);
        if (!expired) {
            revert IOmniMarket.MarketAggregationIncomplete(jobId, rd.index, rd.chunksAggregated, j.chunkCount);
        }
        return (true, VoidReason.AggregationExpired);
    }

    /// @dev Among the counted groups (eligible and within the norm bound) the inliers: BPS · dist ≤
    /// outlierFactorBps · median(dist) and (unless minProjectionBps is 0) BPS · dot ≥ minProjectionBps · aggNorm.
    /// Under the geometric median the weights must certify the aggregate, which also gives dist, dot and aggNorm;
    /// under Multi-Krum the weights are its choice, scored by the same exact formulas.
    function _judge(
        MarketStorage.State storage self,
        uint256 jobId,
        uint256 counted,
        uint256 groupCount,
        uint32[] memory weights
    ) private view returns (RoundResult memory result, uint256[] memory dists, int256[] memory dots) {
        result.aggregateHash = self.rounds[jobId].aggregateHash;
        Rule rule = self.jobs[jobId].params.rule;
        if (rule == Rule.GeometricMedian) {
            (dists, dots, result.aggNorm) = _certify(self, jobId, self.rounds[jobId].index, counted, weights);
            result.weights = weights;
        } else if (weights.length != 0) {
            revert IOmniMarket.MarketWeightsLength(jobId, 0, weights.length);
        } else if (rule == Rule.MultiKrum) {
            int256[] memory gram = GeoMedian.gramOf(self, jobId, counted);
            result.weights = MultiKrum.select(gram, RoundState.popcount(counted));
            // The certificate's distances, dots and norm of the weighted mean; its verdict does not apply.
            GeoMedian.Certificate memory c = GeoMedian.certify(gram, result.weights);
            (dists, dots, result.aggNorm) = (c.dists, c.dots, c.aggNorm);
        } else {
            (dists, dots) = _tallies(self, jobId, counted, groupCount);
            result.aggNorm = self.aggNorms[jobId];
        }
        uint256 inliers;
        {
            MarketStorage.Job storage j = self.jobs[jobId];
            (inliers, result.medianDistance) = RobustRules.inliers(
                dists,
                dots,
                result.aggNorm,
                j.params.outlierFactorBps,
                j.params.minProjectionBps
            );
        }
        uint256 q;
        for (uint256 k = 0; k < groupCount; ++k) {
            if ((counted >> k) & 1 == 0) continue;
            if ((inliers >> q) & 1 == 1) result.inlierGroups |= uint256(1) << k;
            ++q;
        }
    }

    /// @dev Checks the weights as a geometric-median certificate over the counted groups' Gram matrix and
    /// returns their distances and dot products with the certified aggregate, and its squared norm.
    function _certify(
        MarketStorage.State storage self,
        uint256 jobId,
        uint256 round,
        uint256 counted,
        uint32[] memory weights
    ) private view returns (uint256[] memory, int256[] memory, uint256) {
        uint256 e = RoundState.popcount(counted);
        if (weights.length != e) revert IOmniMarket.MarketWeightsLength(jobId, e, weights.length);
        uint256 total;
        for (uint256 k = 0; k < e; ++k) {
            total += weights[k];
        }
        if (total == 0) revert IOmniMarket.MarketZeroWeights(jobId, round);
        GeoMedian.Certificate memory c = GeoMedian.certify(GeoMedian.gramOf(self, jobId, counted), weights);
        if (!c.accepted) revert IOmniMarket.MarketCertificateRejected(jobId, round, c.gradientSq, c.limitSq);
        return (c.dists, c.dots, c.aggNorm);
    }

    /// @dev Distances and dot products of the eligible groups, in group order.
    function _tallies(
        MarketStorage.State storage self,
        uint256 jobId,
        uint256 eligibleGroups,
        uint256 groupCount
    ) private view returns (uint256[] memory dists, int256[] memory dots) {
        uint256 e = RoundState.popcount(eligibleGroups);
        dists = new uint256[](e);
        dots = new int256[](e);
        uint256 q;
        for (uint256 k = 0; k < groupCount; ++k) {
            if ((eligibleGroups >> k) & 1 == 0) continue;
            dists[q] = self.distances[jobId][k];
            dots[q++] = self.dots[jobId][k];
        }
    }

    /// @dev Masks from fewer than two peers would leave a vector open to one peer, or to everyone.
    function _requireTwoActivePeers(MarketStorage.State storage self, uint256 jobId, uint256 round, uint256 index) private view {
        uint256 active = RoundState.popcount(self.activePeers[jobId][index]);
        if (active < ProtocolConstants.MIN_ACTIVE_PEERS) {
            revert IOmniMarket.MarketTooFewActivePeers(jobId, round, index, active);
        }
    }

    /// @dev Refuses a submission from a group with a proven false committer: the group is void this round.
    function _requireGroupNotVoid(
        MarketStorage.State storage self,
        uint256 jobId,
        MarketStorage.Round storage rd,
        uint256 index
    ) private view {
        uint256[][] memory gs = RoundState.groups(self, jobId);
        (uint256 k, ) = RoundState.locate(gs, index);
        if (RoundState.bitsOf(gs[k]) & rd.convicted != 0) revert IOmniMarket.MarketGroupVoid(jobId, rd.index, k);
    }

    /// @dev Slashes and ejects members that committed and did not submit, missed a required reveal, revealed
    /// a seed contradicting their commitment, or were proven to have committed a false seed; in a void group
    /// only the false committers. When anyone committed this round, a member that did not is ejected and
    /// forfeits `missedCommitForfeit` of its stake. Every amount is booked as slashed, burned at settlement.
    function _slash(
        MarketStorage.State storage self,
        uint256 jobId,
        MarketStorage.Round storage rd,
        uint256[][] memory gs
    ) private {
        MarketStorage.Job storage j = self.jobs[jobId];
        uint256 stake = j.params.stake;
        bool live = rd.commitCount != 0;
        for (uint256 k = 0; k < gs.length; ++k) {
            uint256 groupBits = RoundState.bitsOf(gs[k]);
            bool void = groupBits & rd.convicted != 0;
            for (uint256 p = 0; p < gs[k].length; ++p) {
                uint256 i = gs[k][p];
                SlashReason reason;
                if ((rd.committed >> i) & 1 == 0) {
                    if (live) _forfeit(self, jobId, rd.index, i);
                    continue;
                }
                if ((rd.convicted >> i) & 1 == 1) {
                    reason = SlashReason.FalseCommitment;
                } else if (void) {
                    continue;
                } else if ((rd.submitted >> i) & 1 == 0) {
                    // A member left with fewer than two active pairs was not allowed to submit.
                    if (RoundState.popcount(self.activePeers[jobId][i]) < ProtocolConstants.MIN_ACTIVE_PEERS) continue;
                    reason = SlashReason.MissedSubmission;
                } else if ((rd.contradicted >> i) & 1 == 1) {
                    reason = SlashReason.ContradictedSeed;
                } else if (
                    (rd.revealed >> i) & 1 == 0 && RoundState.revealTargets(self, jobId, rd, groupBits, i) != 0
                ) {
                    reason = SlashReason.MissedReveal;
                } else {
                    continue;
                }
                j.slashedMembers |= uint256(1) << i;
                j.books.slashed += stake;
                emit IOmniMarket.MemberSlashed(jobId, rd.index, i, reason, stake);
            }
        }
    }

    /// @dev Ejects member `i` for a missed commit and books its forfeit.
    function _forfeit(MarketStorage.State storage self, uint256 jobId, uint256 round, uint256 i) private {
        MarketStorage.Job storage j = self.jobs[jobId];
        uint256 amount = Books.missedCommitForfeit(j.params);
        j.absentMembers |= uint256(1) << i;
        j.books.slashed += amount;
        emit IOmniMarket.MemberSlashed(jobId, round, i, SlashReason.MissedCommit, amount);
    }

    /// @dev Stores `index`'s commitments by peer slot and returns its active peers. A pair becomes active
    /// when the second of its two members commits the same value as the first.
    function _storeCommitments(
        MarketStorage.State storage self,
        uint256 jobId,
        uint256 index,
        uint256[] memory group,
        uint256 pos,
        bytes32[] calldata commitments
    ) private returns (uint256 active) {
        uint256 committed = self.rounds[jobId].committed;
        for (uint256 q = 0; q < group.length; ++q) {
            if (q == pos) continue;
            uint256 peer = group[q];
            bytes32 c = commitments[RoundState.peerSlot(pos, q)];
            self.commitments[jobId][index][RoundState.peerSlot(pos, q)] = c;
            if ((committed >> peer) & 1 == 1 && self.commitments[jobId][peer][RoundState.peerSlot(q, pos)] == c) {
                active |= uint256(1) << peer;
                self.activePeers[jobId][peer] |= uint256(1) << index;
            }
        }
    }

    /// @dev Checks that the reveal lists exactly the required peers and checks each seed against the
    /// revealer's commitment, keeping the consistent ones; returns the bitmap of contradicted peers.
    function _checkSeeds(
        MarketStorage.State storage self,
        uint256 jobId,
        uint256 index,
        uint256[] memory group,
        uint256 pos,
        uint256[] calldata droppedPeers,
        bytes32[] calldata seeds
    ) private returns (uint256 contradicted) {
        {
            MarketStorage.Round storage rd = self.rounds[jobId];
            uint256 targets = RoundState.revealTargets(self, jobId, rd, RoundState.bitsOf(group), index);
            if (targets == 0) revert IOmniMarket.MarketNothingToReveal(jobId, rd.index, index);
            uint256 provided = _ascendingBits(droppedPeers);
            if (provided != targets || seeds.length != droppedPeers.length) {
                revert IOmniMarket.MarketRevealMismatch(jobId, index, targets, provided);
            }
        }
        for (uint256 t = 0; t < droppedPeers.length; ++t) {
            uint256 slot = RoundState.peerSlot(pos, _position(group, droppedPeers[t]));
            if (!_keepSeed(self, jobId, index, droppedPeers[t], slot, seeds[t])) {
                contradicted |= uint256(1) << droppedPeers[t];
            }
        }
    }

    /// @dev Stores `seed` if it matches `index`'s commitment for `peer`; returns whether it did.
    function _keepSeed(
        MarketStorage.State storage self,
        uint256 jobId,
        uint256 index,
        uint256 peer,
        uint256 slot,
        bytes32 seed
    ) private returns (bool) {
        (uint256 lo, uint256 hi) = index < peer ? (index, peer) : (peer, index);
        uint256 round = self.rounds[jobId].index;
        bytes32 expected = SeedCommitment.compute(block.chainid, address(this), jobId, round, lo, hi, seed);
        if (expected != self.commitments[jobId][index][slot]) return false;
        self.seeds[jobId][index][slot] = seed;
        return true;
    }

    /// @dev Bitmap of `peers`, or 0 if they are not strictly ascending roster indices up to MAX_BIT_INDEX.
    function _ascendingBits(uint256[] calldata peers) private pure returns (uint256 bits) {
        for (uint256 t = 0; t < peers.length; ++t) {
            if (peers[t] > MAX_BIT_INDEX || (t > 0 && peers[t] <= peers[t - 1])) return 0;
            bits |= uint256(1) << peers[t];
        }
    }

    /// @dev Position of `index` in `group` (which must contain it).
    function _position(uint256[] memory group, uint256 index) private pure returns (uint256 p) {
        while (group[p] != index) ++p;
    }
}
