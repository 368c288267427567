// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {IOmniMarket} from "../interfaces/IOmniMarket.sol";
import {JobBooks, JobParams, CreditKind, MemberRecord} from "../types/MarketTypes.sol";
import {MarketStorage} from "./MarketStorage.sol";
import {ProtocolConstants} from "./ProtocolConstants.sol";

/// @title Books: escrow in, credits out, and the checks that the books balance
/// @notice `liabilities[token]` is everything the market owes in a token: escrow of live jobs plus
/// credits not yet released. Crediting moves value from escrow to a credit, so it leaves liabilities
/// unchanged; only `pull` and `release` move tokens and change it.
library Books {
    using SafeERC20 for IERC20;

    /// @dev Takes `amount` from `from` (ETH: must equal `value`), measuring what actually arrived.
    function pull(MarketStorage.State storage self, address token, address from, uint256 amount, uint256 value) internal {
        if (token == address(0)) {
            if (value != amount) revert IOmniMarket.MarketWrongValue(amount, value);
        } else {
            if (value != 0) revert IOmniMarket.MarketWrongValue(0, value);
            uint256 before = IERC20(token).balanceOf(address(this));
            IERC20(token).safeTransferFrom(from, address(this), amount);
            uint256 afterwards = IERC20(token).balanceOf(address(this));
            uint256 received = afterwards > before ? afterwards - before : 0;
            if (received != amount) revert IOmniMarket.MarketFeeOnTransfer(token, amount, received);
        }
        self.liabilities[token] += amount;
        checkSolvent(self, token);
    }

    /// @dev Makes `amount` of the job's token releasable to `account`.
    function credit(
        MarketStorage.State storage self,
        uint256 jobId,
        address account,
        CreditKind kind,
        uint256 amount
    ) internal {
        address token = self.jobs[jobId].params.token;
        self.credits[token][account] += amount;
        emit IOmniMarket.Credited(jobId, token, account, kind, amount);
    }

    /// @dev Credits the job's aggregation fee, if any, to the sender of this aggregation transaction.
    function payFee(MarketStorage.State storage self, uint256 jobId) internal {
        MarketStorage.Job storage j = self.jobs[jobId];
        uint256 fee = j.params.aggregationFee;
        if (fee == 0) return;
        j.books.fees += fee;
        credit(self, jobId, msg.sender, CreditKind.AggregationFee, fee);
    }

    /// @dev What a member forfeits for a missed commit: the pay its absence can cost the rest of a smallest
    /// group, (groupSize − 1) · rewardPerRound, at most its stake.
    function missedCommitForfeit(JobParams storage p) internal view returns (uint256) {
        uint256 harm = uint256(p.groupSize - 1) * p.rewardPerRound;
        return harm < p.stake ? harm : p.stake;
    }

    /// @dev Closes the job: held pay to the members their record clears (burned for slashed members), the
    /// unspent budget to the MO, the remaining stakes (less missed-commit forfeits) to their DOs, and everything
    /// slashed to BURN_ADDRESS, so no party gains from another's slash.
    function settle(MarketStorage.State storage self, uint256 jobId) internal returns (JobBooks memory books) {
        MarketStorage.Job storage j = self.jobs[jobId];
        j.closed = true;
        JobBooks storage b = j.books;
        uint256 heldBurned;
        for (uint256 i = 0; i < j.joined; ++i) {
            (uint256 released, uint256 burned) = _settleHeld(self, jobId, i);
            b.paid += released;
            heldBurned += burned;
        }
        b.slashed += heldBurned;
        b.refunded = b.budget - b.paid - b.fees - heldBurned;
        if (b.refunded != 0) credit(self, jobId, j.owner, CreditKind.OwnerSettlement, b.refunded);
        if (b.slashed != 0) credit(self, jobId, ProtocolConstants.BURN_ADDRESS, CreditKind.Burn, b.slashed);
        uint256 stake = j.params.stake;
        uint256 kept = stake - missedCommitForfeit(j.params);
        uint256 returned;
        for (uint256 i = 0; i < j.joined; ++i) {
            if ((j.slashedMembers >> i) & 1 == 1) continue;
            uint256 amount = (j.absentMembers >> i) & 1 == 1 ? kept : stake;
            if (amount == 0) continue;
            credit(self, jobId, self.roster[jobId][i].account, CreditKind.StakeReturn, amount);
            returned += amount;
        }
        b.stakesReturned = returned;
        books = b;
        uint256 outgoing = books.paid + books.fees + books.refunded + books.slashed + books.stakesReturned;
        uint256 incoming = books.budget + books.stakes;
        if (outgoing != incoming) revert IOmniMarket.MarketBooksUnbalanced(jobId, outgoing, incoming);
        checkSolvent(self, j.params.token);
    }

    /// @dev Member `i`'s held pay at settlement: credited to it when it was not slashed and its record is clear
    /// (a round that cleared it), burned when it was slashed, otherwise left in the budget. Returns (released, burned).
    function _settleHeld(MarketStorage.State storage self, uint256 jobId, uint256 i) private returns (uint256, uint256) {
        MarketStorage.Job storage j = self.jobs[jobId];
        MemberRecord storage r = self.records[jobId][i];
        uint256 amount = uint256(r.held) * j.params.rewardPerRound;
        if (amount == 0) return (0, 0);
        if ((j.slashedMembers >> i) & 1 == 1) return (0, amount);
        if (r.cleared == 0) return (0, 0);
        credit(self, jobId, self.roster[jobId][i].account, CreditKind.HeldReward, amount);
        return (amount, 0);
    }

    /// @dev Reverts `MarketInsolvent` if the market holds less of `token` than it owes.
    function checkSolvent(MarketStorage.State storage self, address token) internal view {
        uint256 balance = token == address(0) ? address(this).balance : IERC20(token).balanceOf(address(this));
        uint256 owed = self.liabilities[token];
        if (balance < owed) revert IOmniMarket.MarketInsolvent(token, balance, owed);
    }
}
