// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IOmniMarket} from "../interfaces/IOmniMarket.sol";
import {JobBooks, JobInfo, RoundInfo} from "../types/MarketTypes.sol";

/// @title MarketProbe: reads in one call what the invariant tests compare after each step
/// @notice Results are flat uint256 arrays (cheap to decode thousands of times); the layouts are documented
/// on each function.
contract MarketProbe {
    /// @notice Values per job in `snapshot`.
    uint256 public constant JOB_FIELDS = 12;

    /// @notice The market's balances, the phase, progress and books of jobs `jobIds`, and the credits of
    /// `accounts` (none: phases and balances only).
    /// @return out [ethBalance, tokenBalance, jobCount,
    ///   per job in `jobIds`: phase, round, wordsPosted, joined, closed, slashedMembers,
    ///     budget, stakes, paid, refunded, slashed, stakesReturned,
    ///   per account: releasable ETH, releasable `token`]
    function snapshot(
        IOmniMarket market,
        address token,
        uint256[] calldata jobIds,
        address[] calldata accounts
    ) external view returns (uint256[] memory out) {
        out = new uint256[](3 + jobIds.length * JOB_FIELDS + 2 * accounts.length);
        out[0] = address(market).balance;
        out[1] = IERC20(token).balanceOf(address(market));
        out[2] = market.jobCount();
        uint256 at = 3;
        for (uint256 q = 0; q < jobIds.length; ++q) {
            uint256 id = jobIds[q];
            JobInfo memory info = market.jobInfo(id);
            JobBooks memory b = market.jobBooks(id);
            out[at++] = uint256(market.phase(id));
            out[at++] = info.round;
            out[at++] = info.wordsPosted;
            out[at++] = info.joined;
            out[at++] = info.closed ? 1 : 0;
            out[at++] = info.slashedMembers;
            out[at++] = b.budget;
            out[at++] = b.stakes;
            out[at++] = b.paid;
            out[at++] = b.refunded;
            out[at++] = b.slashed;
            out[at++] = b.stakesReturned;
        }
        for (uint256 a = 0; a < accounts.length; ++a) {
            out[at++] = market.releasable(address(0), accounts[a]);
            out[at++] = market.releasable(token, accounts[a]);
        }
    }

    /// @notice The market's balances and the phases of jobs `jobIds`: all a call that changed nothing but
    /// the clock can have moved.
    /// @return out [ethBalance, tokenBalance, jobCount, phase per job in `jobIds`]
    function phases(IOmniMarket market, address token, uint256[] calldata jobIds) external view returns (uint256[] memory out) {
        out = new uint256[](3 + jobIds.length);
        out[0] = address(market).balance;
        out[1] = IERC20(token).balanceOf(address(market));
        out[2] = market.jobCount();
        for (uint256 q = 0; q < jobIds.length; ++q) {
            out[3 + q] = uint256(market.phase(jobIds[q]));
        }
    }

    /// @notice The current round of `jobId` with per-member views for roster indices 0 … n−1.
    /// @return out [index, requiredReveals, openedAt, commitDeadline, submitDeadline, revealDeadline,
    ///   chunksAggregated, members, committed, submitted, revealed, contradicted,
    ///   per member i < n: activePeers(i), chunksSubmitted(i),
    ///   groupCount, per group: size, then its members]
    function roundState(IOmniMarket market, uint256 jobId, uint256 n) external view returns (uint256[] memory out) {
        RoundInfo memory r = market.roundInfo(jobId);
        uint256[][] memory gs = market.groups(jobId);
        out = new uint256[](13 + 2 * n + gs.length + n);
        out[0] = r.index;
        out[1] = r.requiredReveals;
        out[2] = r.openedAt;
        out[3] = r.commitDeadline;
        out[4] = r.submitDeadline;
        out[5] = r.revealDeadline;
        out[6] = r.chunksAggregated;
        out[7] = r.members;
        out[8] = r.committed;
        out[9] = r.submitted;
        out[10] = r.revealed;
        out[11] = r.contradicted;
        uint256 at = 12;
        for (uint256 i = 0; i < n; ++i) {
            out[at++] = market.activePeers(jobId, i);
            out[at++] = market.chunksSubmitted(jobId, i);
        }
        out[at++] = gs.length;
        for (uint256 k = 0; k < gs.length; ++k) {
            out[at++] = gs[k].length;
            for (uint256 p = 0; p < gs[k].length; ++p) {
                out[at++] = gs[k][p];
            }
        }
    }

    /// @notice `commitment(jobId, i, j)` for every i in `rows` and every roster index j < n, at [r · n + j].
    function commitments(
        IOmniMarket market,
        uint256 jobId,
        uint256[] calldata rows,
        uint256 n
    ) external view returns (bytes32[] memory out) {
        out = new bytes32[](rows.length * n);
        for (uint256 r = 0; r < rows.length; ++r) {
            for (uint256 j = 0; j < n; ++j) {
                out[r * n + j] = market.commitment(jobId, rows[r], j);
            }
        }
    }
}
