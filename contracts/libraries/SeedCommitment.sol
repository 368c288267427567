// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

/// @title SeedCommitment: the commitment a member posts for a pair seed
library SeedCommitment {
    /// @dev keccak256("omnimarket.seed.v1").
    bytes32 internal constant SEED_TAG = keccak256("omnimarket.seed.v1");

    /// @dev `keccak256(abi.encode(SEED_TAG, chainId, market, jobId, round, lo, hi, seed))`, lo < hi roster indices.
    function compute(
        uint256 chainId,
        address market,
        uint256 jobId,
        uint256 round,
        uint256 lo,
        uint256 hi,
        bytes32 seed
    ) internal pure returns (bytes32) {
        return keccak256(abi.encode(SEED_TAG, chainId, market, jobId, round, lo, hi, seed));
    }
}
