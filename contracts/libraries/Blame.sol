// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {IOmniMarket} from "../interfaces/IOmniMarket.sol";
import {CreditKind, MemberRecord, SlashReason} from "../types/MarketTypes.sol";
import {Books} from "./Books.sol";
import {MarketStorage} from "./MarketStorage.sol";
import {ProtocolConstants} from "./ProtocolConstants.sol";
import {RoundState} from "./RoundState.sol";

/// @title Blame: every member's record across rounds, held pay, and convictions (docs/PROTOCOL.md, blame)
/// @notice A group over the norm bound proves that one of its members cheated that round, not which. Groups are
/// drawn afresh every round, so an honest member lands in an over-bound group only when a colluder shares its
/// group, with probability at most q = 1 − C(a−1−k, s−1) / C(a−1, s−1) (a members active, s in its group, k
/// colluders). A member is convicted when every round it played put it over the bound and the product of those
/// rounds' q is at most 1 / FALSE_CONVICTION_INV: an honest member gets there with at most that probability,
/// whatever the colluders do (the ratio of indicator to q is a supermartingale; Ville's inequality).
library Blame {
    /// @dev How a submitter's round counts: an inlier (paid at once), its pay held, its record cleared.
    uint256 private constant INLIER = 1;
    uint256 private constant HELD = 2;
    uint256 private constant CLEARED = 4;

    /// @dev Colluders the conviction rule is safe against in a roster of `numDOs`: ⌊numDOs · BLAME_COLLUDER_BPS /
    /// BPS⌋, at least one.
    function colluders(uint256 numDOs) internal pure returns (uint256) {
        uint256 k = (numDOs * ProtocolConstants.BLAME_COLLUDER_BPS) / ProtocolConstants.BPS;
        return k == 0 ? 1 : k;
    }

    /// @dev q in WAD, rounded up: the chance that a member of a group of `size` drawn from `active` members shares
    /// it with at least one of `k` colluders among them (WAD when it cannot be avoided).
    function sharedProbability(uint256 active, uint256 k, uint256 size) internal pure returns (uint256) {
        uint256 none = ProtocolConstants.WAD; // C(a−1−k, s−1) / C(a−1, s−1), rounded down
        for (uint256 j = 0; j + 1 < size; ++j) {
            if (active < k + 2 + j) return ProtocolConstants.WAD;
            none = (none * (active - 1 - k - j)) / (active - 1 - j);
        }
        return ProtocolConstants.WAD - none;
    }

    /// @dev Updates the record of every submitter of an eligible group of the finalized round (`judged`: it has an
    /// aggregate and `inliers`), pays the inliers, holds the pay of the others, and convicts members whose record
    /// leaves no doubt: ejected, their stake slashed (burned at settlement with their held pay). A round voided
    /// while some group was over the bound (`blamed`) holds everyone's pay, and clears the members of the groups
    /// that stayed within it: their groups passed every check that ran, the void is the others' doing.
    function recordRound(
        MarketStorage.State storage self,
        uint256 jobId,
        MarketStorage.Round storage rd,
        uint256[][] memory gs,
        uint256 eligible,
        uint256 excluded,
        uint256 inliers,
        bool judged
    ) internal {
        // A member of a group within the bound and not an inlier: held in a judged round, held and cleared in a
        // round voided by over-bound groups, neither in another void round. Over the bound: held or neither.
        uint256 within = judged ? HELD : excluded != 0 ? HELD | CLEARED : 0;
        for (uint256 g = 0; g < gs.length; ++g) {
            if ((eligible >> g) & 1 == 0) continue;
            // q > 0 for every over-bound group (k ≥ 1, size ≥ 2); 0 marks a group within the bound.
            uint256 q;
            uint256 how;
            if ((excluded >> g) & 1 == 1) {
                q = sharedProbability(RoundState.popcount(rd.members), colluders(self.jobs[jobId].params.numDOs), gs[g].length);
                how = within & HELD;
            } else {
                how = judged && (inliers >> g) & 1 == 1 ? INLIER | CLEARED : within;
            }
            for (uint256 p = 0; p < gs[g].length; ++p) {
                uint256 i = gs[g][p];
                if ((rd.submitted >> i) & 1 == 1) _recordMember(self, jobId, rd.index, i, how, q);
            }
        }
    }

    /// @dev One submitter's round (`how`: INLIER, HELD and CLEARED bits): played; clean and paid, or held; cleared;
    /// and, over the bound (q > 0), the evidence multiplied by q (rounded up) and a conviction when the record convicts.
    function _recordMember(
        MarketStorage.State storage self,
        uint256 jobId,
        uint256 round,
        uint256 i,
        uint256 how,
        uint256 q
    ) private {
        MarketStorage.Job storage j = self.jobs[jobId];
        MemberRecord storage r = self.records[jobId][i];
        ++r.played;
        if (how & CLEARED != 0) ++r.cleared;
        if (how & INLIER != 0) {
            ++r.clean;
            j.books.paid += j.params.rewardPerRound;
            Books.credit(self, jobId, self.roster[jobId][i].account, CreditKind.Reward, j.params.rewardPerRound);
        } else if (how & HELD != 0) {
            ++r.held;
        }
        if (q == 0) return;
        uint256 wad = ProtocolConstants.WAD;
        r.evidence = uint64(r.overBound == 0 ? q : (uint256(r.evidence) * q + wad - 1) / wad);
        ++r.overBound;
        bool convicted = r.overBound == r.played && uint256(r.evidence) * ProtocolConstants.FALSE_CONVICTION_INV <= wad;
        if (convicted && (j.slashedMembers >> i) & 1 == 0) {
            j.slashedMembers |= uint256(1) << i;
            j.books.slashed += j.params.stake;
            emit IOmniMarket.MemberSlashed(jobId, round, i, SlashReason.Convicted, j.params.stake);
        }
    }
}
