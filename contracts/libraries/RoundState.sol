// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {IOmniMarket} from "../interfaces/IOmniMarket.sol";
import {Phase, Rule} from "../types/MarketTypes.sol";
import {MarketStorage} from "./MarketStorage.sol";
import {GroupAssignment} from "./GroupAssignment.sol";
import {ProtocolConstants} from "./ProtocolConstants.sol";

/// @title RoundState: facts about a job and its current round that every entry point derives the same way
/// @notice Internal helpers (phase, deadlines, groups, eligibility, required reveals, round opening) that the
/// linked libraries JobLogic, RoundLogic and AggregateLogic share. The phase is never stored: `phase`
/// derives it from counts, flags, deadlines and the clock. Group membership is recomputed from the round's
/// randomness and member bitmap rather than stored (about 300 gas per member), which keeps round opening
/// cheap and the state small.
library RoundState {
    /// @dev The job, reverting `MarketUnknownJob` if it does not exist.
    function job(MarketStorage.State storage self, uint256 jobId) internal view returns (MarketStorage.Job storage j) {
        j = self.jobs[jobId];
        if (j.owner == address(0)) revert IOmniMarket.MarketUnknownJob(jobId);
    }

    /// @dev Reverts `MarketUnexpectedPhase` unless `current == expected`.
    function expectPhase(uint256 jobId, Phase current, Phase expected) internal pure {
        if (current != expected) revert IOmniMarket.MarketUnexpectedPhase(jobId, current, expected);
    }

    /// @dev Reverts `MarketWrongRound` unless `round` is the current round.
    function expectRound(MarketStorage.Round storage rd, uint256 jobId, uint256 round) internal view {
        if (round != rd.index) revert IOmniMarket.MarketWrongRound(jobId, rd.index, round);
    }

    /// @dev The caller's roster index, reverting `MarketNotRoundMember` if it takes no part in the round.
    function roundMember(
        MarketStorage.State storage self,
        uint256 jobId,
        MarketStorage.Round storage rd,
        address account
    ) internal view returns (uint256 index) {
        index = rosterIndex(self, jobId, account);
        if ((rd.members >> index) & 1 == 0) revert IOmniMarket.MarketNotRoundMember(jobId, rd.index, index);
    }

    /// @dev Roster index of `account`, reverting `MarketNotMember`.
    function rosterIndex(
        MarketStorage.State storage self,
        uint256 jobId,
        address account
    ) internal view returns (uint256) {
        uint256 plusOne = self.memberIndex[jobId][account];
        if (plusOne == 0) revert IOmniMarket.MarketNotMember(jobId, account);
        return plusOne - 1;
    }

    /// @dev Opens round `round`: fixes its members (roster minus ejected) and its draw block, this one. The
    /// groups are drawn from this block's hash, which nobody can read before the block is sealed, so the
    /// transaction that opens the round cannot make itself conditional on the draw.
    function open(MarketStorage.State storage self, uint256 jobId, uint256 round) internal {
        MarketStorage.Job storage j = self.jobs[jobId];
        uint256 members = ((uint256(1) << j.params.numDOs) - 1) & ~(j.slashedMembers | j.absentMembers);
        MarketStorage.Round storage rd = self.rounds[jobId];
        rd.index = uint32(round);
        rd.drawBlock = uint64(block.number);
        rd.openedAt = uint40(block.timestamp);
        rd.commitEndedAt = 0;
        rd.submitEndedAt = 0;
        rd.commitCount = 0;
        rd.submitCount = 0;
        rd.revealCount = 0;
        rd.chunksAggregated = 0;
        rd.eligibleGroups = 0;
        rd.excludedGroups = 0;
        rd.randomness = bytes32(0);
        rd.members = members;
        rd.committed = 0;
        rd.submitted = 0;
        rd.revealed = 0;
        rd.contradicted = 0;
        rd.convicted = 0;
        rd.aggregateHash = bytes32(0);
        emit IOmniMarket.RoundOpened(jobId, round, block.number, members);
    }

    /// @dev The current round's randomness: stored once drawn, else keccak256(abi.encode(blockhash(drawBlock),
    /// market, jobId, round)) if that hash is readable (a later block, within 256 blocks), else 0.
    function randomness(MarketStorage.State storage self, uint256 jobId) internal view returns (bytes32) {
        MarketStorage.Round storage rd = self.rounds[jobId];
        bytes32 stored = rd.randomness;
        if (stored != 0) return stored;
        bytes32 hash = blockhash(rd.drawBlock);
        if (hash == 0) return 0;
        return keccak256(abi.encode(hash, address(this), jobId, rd.index));
    }

    /// @dev Stores the round's randomness at its first commit; reverts `MarketDrawUnavailable` in the draw
    /// block itself or more than 256 blocks after it.
    function draw(MarketStorage.State storage self, uint256 jobId) internal {
        MarketStorage.Round storage rd = self.rounds[jobId];
        if (rd.randomness != 0) return;
        bytes32 r = randomness(self, jobId);
        if (r == 0) revert IOmniMarket.MarketDrawUnavailable(jobId, rd.index, rd.drawBlock);
        rd.randomness = r;
        emit IOmniMarket.GroupsDrawn(jobId, rd.index, r);
    }

    /// @dev The current round's groups.
    function groups(MarketStorage.State storage self, uint256 jobId) internal view returns (uint256[][] memory) {
        MarketStorage.Round storage rd = self.rounds[jobId];
        uint256 bits = rd.members;
        uint256[] memory active = new uint256[](popcount(bits));
        uint256 a;
        for (uint256 i = 0; bits >> i != 0; ++i) {
            if ((bits >> i) & 1 == 1) active[a++] = i;
        }
        return GroupAssignment.assign(randomness(self, jobId), active, self.jobs[jobId].params.groupSize);
    }

    /// @dev Fewest eligible groups with which the job's rule resists one bad group: 3 for the median and the
    /// geometric median, and
    /// for a trimmed mean enough that at least one mean is trimmed from each end (e · trimBps ≥ BPS).
    function minEligibleGroups(Rule rule, uint256 trimBps) internal pure returns (uint256) {
        if (rule == Rule.MultiKrum) return ProtocolConstants.MIN_KRUM_GROUPS;
        if (rule != Rule.TrimmedMean || trimBps == 0) return ProtocolConstants.MIN_MEDIAN_GROUPS;
        uint256 e = (ProtocolConstants.BPS + trimBps - 1) / trimBps;
        return e > ProtocolConstants.MIN_MEDIAN_GROUPS ? e : ProtocolConstants.MIN_MEDIAN_GROUPS;
    }

    /// @dev Bitmap of the roster indices in `group`.
    function bitsOf(uint256[] memory group) internal pure returns (uint256 bits) {
        for (uint256 p = 0; p < group.length; ++p) {
            bits |= uint256(1) << group[p];
        }
    }

    /// @dev Group index and position of `index`; k == gs.length when it is in no group.
    function locate(uint256[][] memory gs, uint256 index) internal pure returns (uint256 k, uint256 pos) {
        for (k = 0; k < gs.length; ++k) {
            for (pos = 0; pos < gs[k].length; ++pos) {
                if (gs[k][pos] == index) return (k, pos);
            }
        }
    }

    /// @dev Storage slot of the peer at group position `peerPos` for the member at `memberPos`.
    function peerSlot(uint256 memberPos, uint256 peerPos) internal pure returns (uint256) {
        return peerPos < memberPos ? peerPos : peerPos - 1;
    }

    /// @dev Bitmap of the dropped peers `index` must reveal seeds for: its active pairs with members that
    /// committed and did not submit, only in a group with at least MIN_GROUP_SUBMITTERS submitters.
    function revealTargets(
        MarketStorage.State storage self,
        uint256 jobId,
        MarketStorage.Round storage rd,
        uint256 groupBits,
        uint256 index
    ) internal view returns (uint256) {
        uint256 subs = rd.submitted & groupBits;
        if (popcount(subs) < ProtocolConstants.MIN_GROUP_SUBMITTERS || groupBits & rd.convicted != 0) return 0;
        return activeDropped(self, jobId, index, rd.committed & ~subs & groupBits);
    }

    /// @dev Bitmap of the members of `groupDropped` (the members of `index`'s group that committed and did
    /// not submit) with an active pair with `index`, which committed this round. Its active peers are all
    /// in its group (its own commit set them, and later commits in the group added to them), so a group
    /// without a dropped member needs no read of them.
    function activeDropped(
        MarketStorage.State storage self,
        uint256 jobId,
        uint256 index,
        uint256 groupDropped
    ) internal view returns (uint256) {
        if (groupDropped == 0) return 0;
        return self.activePeers[jobId][index] & groupDropped;
    }

    /// @dev A group is eligible when it has at least MIN_GROUP_SUBMITTERS submitters, no member proven to have
    /// committed a false seed (such a group is void for the round), and every required reveal is in and
    /// consistent with the revealer's commitments.
    function isEligible(
        MarketStorage.State storage self,
        uint256 jobId,
        MarketStorage.Round storage rd,
        uint256[] memory group
    ) internal view returns (bool) {
        uint256 groupBits = bitsOf(group);
        uint256 subs = rd.submitted & groupBits;
        if (popcount(subs) < ProtocolConstants.MIN_GROUP_SUBMITTERS) return false;
        if (subs & rd.contradicted != 0 || groupBits & rd.convicted != 0) return false;
        uint256 groupDropped = rd.committed & ~subs & groupBits;
        if (groupDropped == 0) return true; // no reveal is required in this group
        uint256 missing = subs & ~rd.revealed;
        for (uint256 p = 0; p < group.length; ++p) {
            uint256 i = group[p];
            if ((missing >> i) & 1 == 1 && activeDropped(self, jobId, i, groupDropped) != 0) return false;
        }
        return true;
    }

    /// @dev Bitmap over group indices of the eligible groups among `gs`, the current round's groups.
    function eligibleGroups(
        MarketStorage.State storage self,
        uint256 jobId,
        MarketStorage.Round storage rd,
        uint256[][] memory gs
    ) internal view returns (uint256 bits) {
        for (uint256 k = 0; k < gs.length; ++k) {
            if (isEligible(self, jobId, rd, gs[k])) bits |= uint256(1) << k;
        }
    }

    /// @dev Reverts `MarketUnexpectedPhase` unless the job is in Aggregate; returns the current round's
    /// eligible groups (`gs` are its groups). Chunk 0 derives both; once it has run, the stored facts prove
    /// them and nothing is derived again:
    /// - Aggregate is left only by finalizeRound. Every earlier phase ends for good: its count moves only in
    ///   the call that phase allows, and its deadline only passes. finalizeRound then opens the next round
    ///   (`chunksAggregated` back to 0) or closes the job. So with `chunksAggregated != 0` the job is in
    ///   Aggregate unless it is closed, and it is not closed while `chunksAggregated < chunkCount`
    ///   (finalizeRound refuses an aggregable round before its last chunk until the aggregation deadline, a
    ///   round without enough eligible groups has no chunk aggregated, and a round voided at the deadline has
    ///   its count cleared).
    /// - Eligibility reads `submitted`, `revealed`, `contradicted`, the active pairs and the groups. Only
    ///   commitSeeds, submitMasked, revealSeeds (allowed in Commit, Submit, Reveal) and round opening write
    ///   them, so the bitmap chunk 0 stored is what `eligibleGroups` would compute now.
    function expectAggregate(
        MarketStorage.State storage self,
        uint256 jobId,
        MarketStorage.Job storage j,
        MarketStorage.Round storage rd,
        uint256[][] memory gs
    ) internal view returns (uint256) {
        uint256 done = rd.chunksAggregated;
        // `done < chunkCount` proves the job open without reading `closed` (another cold slot per chunk).
        if (done != 0 && (done < j.chunkCount || !j.closed)) return rd.eligibleGroups;
        expectPhase(jobId, phase(self, jobId, gs), Phase.Aggregate);
        return eligibleGroups(self, jobId, rd, gs);
    }

    /// @dev Number of members that must reveal this round.
    function requiredReveals(
        MarketStorage.State storage self,
        uint256 jobId,
        uint256[][] memory gs
    ) internal view returns (uint256 count) {
        MarketStorage.Round storage rd = self.rounds[jobId];
        if (rd.committed & ~rd.submitted == 0) return 0;
        for (uint256 k = 0; k < gs.length; ++k) {
            // As revealTargets for each submitter, with the group's bitmaps taken once.
            uint256 groupBits = bitsOf(gs[k]);
            uint256 subs = rd.submitted & groupBits;
            uint256 groupDropped = rd.committed & ~subs & groupBits;
            if (groupDropped == 0 || popcount(subs) < ProtocolConstants.MIN_GROUP_SUBMITTERS) continue;
            if (groupBits & rd.convicted != 0) continue; // a void group reveals nothing
            for (uint256 p = 0; p < gs[k].length; ++p) {
                uint256 i = gs[k][p];
                if ((subs >> i) & 1 == 1 && activeDropped(self, jobId, i, groupDropped) != 0) ++count;
            }
        }
    }

    /// @dev Deadlines of the current round: each phase's window starts when the previous one ended.
    function deadlines(
        MarketStorage.Job storage j,
        MarketStorage.Round storage rd
    )
        internal
        view
        returns (uint256 commitDeadline, uint256 submitDeadline, uint256 revealDeadline, uint256 aggregateDeadline)
    {
        commitDeadline = uint256(rd.openedAt) + j.params.commitDuration;
        uint256 submitStart = rd.commitEndedAt != 0 ? rd.commitEndedAt : commitDeadline;
        submitDeadline = submitStart + j.params.submitDuration;
        uint256 revealStart = rd.submitEndedAt != 0 ? rd.submitEndedAt : rd.submitCount == rd.commitCount
            ? submitStart
            : submitDeadline;
        revealDeadline = revealStart + j.params.revealDuration;
        aggregateDeadline = revealDeadline + j.params.aggregateDuration;
    }

    /// @dev The job's phase; `gs` are the current round's groups if the caller has them, else empty.
    function phase(
        MarketStorage.State storage self,
        uint256 jobId,
        uint256[][] memory gs
    ) internal view returns (Phase) {
        MarketStorage.Job storage j = job(self, jobId);
        bool rosterSealed = j.joined == j.params.numDOs;
        if (j.closed) return rosterSealed ? Phase.Completed : Phase.Cancelled;
        if (!rosterSealed) {
            if (block.timestamp > uint256(j.createdAt) + j.params.joinDuration) return Phase.Cancelled;
            return j.wordsPosted < j.wordCount ? Phase.Publishing : Phase.Joining;
        }
        MarketStorage.Round storage rd = self.rounds[jobId];
        (uint256 commitDeadline, uint256 submitDeadline, uint256 revealDeadline, ) = deadlines(j, rd);
        if (rd.commitCount < popcount(rd.members) && block.timestamp <= commitDeadline) return Phase.Commit;
        if (rd.submitCount < rd.commitCount && block.timestamp <= submitDeadline) return Phase.Submit;
        if (block.timestamp <= revealDeadline && rd.committed & ~rd.submitted != 0) {
            if (gs.length == 0) gs = groups(self, jobId);
            if (rd.revealCount < requiredReveals(self, jobId, gs)) return Phase.Reveal;
        }
        return Phase.Aggregate;
    }

    /// @dev Words in chunk `k` of the job (0 past the last chunk).
    function chunkLength(MarketStorage.Job storage j, uint256 k) internal view returns (uint256) {
        uint256 first = k * j.chunkWords;
        if (first >= j.wordCount) return 0;
        uint256 rest = j.wordCount - first;
        return rest < j.chunkWords ? rest : j.chunkWords;
    }

    /// @dev Number of set bits.
    function popcount(uint256 x) internal pure returns (uint256 c) {
        unchecked {
            for (; x != 0; ++c) x &= x - 1;
        }
    }
}
