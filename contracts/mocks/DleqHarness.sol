// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {Dleq} from "../libraries/Dleq.sol";
import {PairSeed} from "../libraries/PairSeed.sol";

/// @title DleqHarness: Dleq and PairSeed as external functions, for the cross-language tests and the gas report
contract DleqHarness {
    /// @notice Whether (shared, r1, r2, s) proves shared = sk_i · pkJ for pkI = sk_i · Base8 under `context`.
    function verify(
        uint256[2] calldata pkI,
        uint256[2] calldata pkJ,
        uint256[2] calldata shared,
        uint256[2] calldata r1,
        uint256[2] calldata r2,
        uint256 s,
        bytes32 context
    ) external pure returns (bool) {
        return Dleq.verify(pkI, pkJ, shared, r1, r2, s, context);
    }

    /// @notice Gas used by one verification (for the gas report).
    function verifyGas(
        uint256[2] calldata pkI,
        uint256[2] calldata pkJ,
        uint256[2] calldata shared,
        uint256[2] calldata r1,
        uint256[2] calldata r2,
        uint256 s,
        bytes32 context
    ) external view returns (bool ok, uint256 used) {
        used = gasleft();
        ok = Dleq.verify(pkI, pkJ, shared, r1, r2, s, context);
        used -= gasleft();
    }

    /// @notice The challenge c of a proof.
    function challenge(
        bytes32 context,
        uint256[2] calldata pkI,
        uint256[2] calldata pkJ,
        uint256[2] calldata shared,
        uint256[2] calldata r1,
        uint256[2] calldata r2
    ) external pure returns (uint256) {
        return Dleq.challenge(context, pkI, pkJ, shared, r1, r2);
    }

    /// @notice The two verification equations alone, without the checks on the points (for the attack tests).
    function equationsHold(
        uint256[2] calldata pkI,
        uint256[2] calldata pkJ,
        uint256[2] calldata shared,
        uint256[2] calldata r1,
        uint256[2] calldata r2,
        uint256 s,
        uint256 c
    ) external pure returns (bool) {
        return Dleq.equationsHold(pkI, pkJ, shared, r1, r2, s, c);
    }

    /// @notice The pair seed for an explicit chain id and market address.
    function pairSeed(
        uint256 sharedX,
        uint256 chainId,
        address market,
        uint256 jobId,
        uint256 round,
        uint256 lo,
        uint256 hi
    ) external pure returns (bytes32) {
        return PairSeed.pairSeed(sharedX, chainId, market, jobId, round, lo, hi);
    }

    /// @notice Gas used by one pair-seed derivation (for the gas report).
    function pairSeedGas(
        uint256 sharedX,
        uint256 chainId,
        address market,
        uint256 jobId,
        uint256 round,
        uint256 lo,
        uint256 hi
    ) external view returns (bytes32 seed, uint256 used) {
        used = gasleft();
        seed = PairSeed.pairSeed(sharedX, chainId, market, jobId, round, lo, hi);
        used -= gasleft();
    }
}
