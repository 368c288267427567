// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {IOmniMarket} from "../interfaces/IOmniMarket.sol";

/// @title GroupGrinder: a joiner that seals a roster only if the resulting draw suits it
/// @notice The attack of a round opener that grinds randomness: the last `join` (or a `finalizeRound`) is made
/// conditional on the groups it produces and reverted otherwise, to be retried in the next block. With groups
/// drawn from the hash of the opening block, the draw is unknown inside the opening transaction.
contract GroupGrinder {
    /// @notice The draw was not favourable (or could not be seen): the join is undone.
    error GrinderUnfavourable(bytes32 randomness, uint256 groupCount);

    /// @notice Joins `jobId` and keeps the join only if this account shares a group with `partner`.
    function joinIfGroupedWith(IOmniMarket market, uint256 jobId, uint256 pkX, uint256 pkY, uint256 partner) external payable {
        market.join{value: msg.value}(jobId, pkX, pkY);
        bytes32 randomness = market.roundInfo(jobId).randomness;
        uint256[][] memory gs = market.groups(jobId);
        uint256 me = market.memberIndex(jobId, address(this));
        for (uint256 k = 0; k < gs.length; ++k) {
            bool hasMe;
            bool hasPartner;
            for (uint256 p = 0; p < gs[k].length; ++p) {
                hasMe = hasMe || gs[k][p] == me;
                hasPartner = hasPartner || gs[k][p] == partner;
            }
            if (hasMe && hasPartner) return;
        }
        revert GrinderUnfavourable(randomness, gs.length);
    }
}
