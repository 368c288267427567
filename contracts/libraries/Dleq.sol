// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {BabyJubjub} from "./BabyJubjub.sol";

/// @title Dleq: the Chaum–Pedersen proof that a pair's ECDH point is sk_i · PK_j for the sk_i behind PK_i
/// @notice A member i shows shared = sk_i · pkJ without revealing sk_i: the proof (r1, r2, s) satisfies
/// s·B = r1 + c·pkI and s·pkJ = r2 + c·shared with c = H(DLEQ_TAG, context, pkI, pkJ, shared, r1, r2) mod l,
/// i.e. log_B(pkI) = log_pkJ(shared) (docs/PROTOCOL.md "Proving a pair seed").
library Dleq {
    /// @dev keccak256("omnimarket.dleq.v1"), the domain tag of the challenge.
    bytes32 internal constant DLEQ_TAG = keccak256("omnimarket.dleq.v1");

    /// @dev True iff `shared` is a valid public key (canonical, on the curve, not the identity, in the
    /// prime-order subgroup), r1 and r2 are canonical curve points, s < l and both equations hold.
    /// pkI and pkJ must be valid public keys (the market checks them at join). The subgroup check on `shared`
    /// is what makes the proof sound for the seed: the equations alone accept shared + T for a point T of
    /// small order when c is a multiple of T's order, and shared + T has another x, so another seed.
    /// `context` is keccak256(abi.encode(chainId, market, jobId)), the HKDF salt of the job's pair seeds.
    function verify(
        uint256[2] memory pkI,
        uint256[2] memory pkJ,
        uint256[2] memory shared,
        uint256[2] memory r1,
        uint256[2] memory r2,
        uint256 s,
        bytes32 context
    ) internal pure returns (bool) {
        // Cheap checks first; the subgroup check is a full scalar multiplication.
        if (s >= BabyJubjub.ORDER) return false;
        if (!_isCurvePoint(r1) || !_isCurvePoint(r2)) return false;
        if (!BabyJubjub.isValidPublicKey(shared[0], shared[1])) return false;
        uint256 c = challenge(context, pkI, pkJ, shared, r1, r2);
        return equationsHold(pkI, pkJ, shared, r1, r2, s, c);
    }

    /// @dev c = uint256(keccak256(abi.encode(DLEQ_TAG, context, pkI, pkJ, shared, r1, r2))) mod l.
    function challenge(
        bytes32 context,
        uint256[2] memory pkI,
        uint256[2] memory pkJ,
        uint256[2] memory shared,
        uint256[2] memory r1,
        uint256[2] memory r2
    ) internal pure returns (uint256) {
        return uint256(keccak256(abi.encode(DLEQ_TAG, context, pkI, pkJ, shared, r1, r2))) % BabyJubjub.ORDER;
    }

    /// @dev The two equations alone, for curve points: s·B − c·pkI == r1 and s·pkJ − c·shared == r2, each one
    /// joint double-and-add (−(x, y) = (−x, y)) compared with the affine r in projective form.
    function equationsHold(
        uint256[2] memory pkI,
        uint256[2] memory pkJ,
        uint256[2] memory shared,
        uint256[2] memory r1,
        uint256[2] memory r2,
        uint256 s,
        uint256 c
    ) internal pure returns (bool) {
        (uint256 x, uint256 y, uint256 z) = BabyJubjub.mulAdd(
            BabyJubjub.BASE8_X,
            BabyJubjub.BASE8_Y,
            s,
            BabyJubjub.negX(pkI[0]),
            pkI[1],
            c
        );
        if (!BabyJubjub.eq(x, y, z, r1[0], r1[1], 1)) return false;
        (x, y, z) = BabyJubjub.mulAdd(pkJ[0], pkJ[1], s, BabyJubjub.negX(shared[0]), shared[1], c);
        return BabyJubjub.eq(x, y, z, r2[0], r2[1], 1);
    }

    function _isCurvePoint(uint256[2] memory point) private pure returns (bool) {
        return point[0] < BabyJubjub.P && point[1] < BabyJubjub.P && BabyJubjub.isOnCurve(point[0], point[1]);
    }
}
