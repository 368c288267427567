// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {IOmniMarket} from "../interfaces/IOmniMarket.sol";

/// @title ReentrantReceiver: a DO contract that re-enters `release` when paid in ETH
contract ReentrantReceiver {
    IOmniMarket private immutable _MARKET;

    constructor(IOmniMarket market) {
        _MARKET = market;
    }

    /// @notice Joins a job with the given key, forwarding the stake.
    function join(uint256 jobId, uint256 pkX, uint256 pkY) external payable {
        _MARKET.join{value: msg.value}(jobId, pkX, pkY);
    }

    /// @notice Commits through the market as this contract.
    function commitSeeds(uint256 jobId, uint256 round, bytes32[] calldata commitments) external {
        _MARKET.commitSeeds(jobId, round, commitments);
    }

    /// @notice Submits through the market as this contract.
    function submitMasked(uint256 jobId, uint256 round, uint256 firstChunk, bytes calldata words) external {
        _MARKET.submitMasked(jobId, round, firstChunk, words);
    }

    /// @notice On payment, tries to be paid again.
    receive() external payable {
        _MARKET.release(address(0), address(this));
    }
}
