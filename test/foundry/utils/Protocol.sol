// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {SeedCommitment} from "../../../contracts/libraries/SeedCommitment.sol";
import {MaskPRG} from "../../../contracts/libraries/MaskPRG.sol";
import {Packed32} from "../../../contracts/libraries/Packed32.sol";
import {BabyJubjub} from "../../../contracts/libraries/BabyJubjub.sol";
import {Dleq} from "../../../contracts/libraries/Dleq.sol";
import {Keys} from "./Keys.sol";

/// @title Protocol: what a data owner computes off chain (docs/PROTOCOL.md), in Solidity for the tests
/// @notice Pair seeds by HKDF-SHA256 from the ECDH shared x of two actors' fixed keys, their commitments, honest
/// updates near a common direction, and masking with the keccak counter stream of every active pair.
library Protocol {
    bytes32 private constant _IPAD = 0x3636363636363636363636363636363636363636363636363636363636363636;
    bytes32 private constant _OPAD = 0x5c5c5c5c5c5c5c5c5c5c5c5c5c5c5c5c5c5c5c5c5c5c5c5c5c5c5c5c5c5c5c5c;

    /// @dev Where a round lives: the HKDF salt and info and the commitment bind all four.
    struct Context {
        uint256 chainId;
        address market;
        uint256 jobId;
        uint256 round;
    }

    /// @dev HKDF-SHA256(ikm = sharedX, salt = keccak256(abi.encode(chainId, market, jobId)),
    /// info = "omnimarket/v1/mask-seed" ‖ abi.encode(round, lo, hi), 32 bytes) for roster indices lo < hi.
    function pairSeed(bytes32 sharedX, Context memory ctx, uint256 lo, uint256 hi) internal pure returns (bytes32) {
        bytes32 salt = keccak256(abi.encode(ctx.chainId, ctx.market, ctx.jobId));
        bytes32 prk = _hmac(salt, abi.encodePacked(sharedX));
        return _hmac(prk, abi.encodePacked("omnimarket/v1/mask-seed", abi.encode(ctx.round, lo, hi), uint8(1)));
    }

    /// @dev The pair seed of roster indices `i` and `j` held by actors `actorI` and `actorJ`.
    function seedOf(Context memory ctx, uint256 i, uint256 actorI, uint256 j, uint256 actorJ) internal pure returns (bytes32) {
        (uint256 lo, uint256 hi) = i < j ? (i, j) : (j, i);
        return pairSeed(Keys.sharedX(actorI, actorJ), ctx, lo, hi);
    }

    /// @dev The commitment to the pair seed of roster indices `i` and `j`.
    function commitmentOf(Context memory ctx, uint256 i, uint256 j, bytes32 seed) internal pure returns (bytes32) {
        (uint256 lo, uint256 hi) = i < j ? (i, j) : (j, i);
        return SeedCommitment.compute(ctx.chainId, ctx.market, ctx.jobId, ctx.round, lo, hi, seed);
    }

    /// @dev Word `w` of an honest update of `d` elements: a direction shared by every member of the round plus
    /// noise in [−100, 100] drawn from `salt`; |element| ≤ 500, padding lanes zero.
    function updateWord(uint256 d, uint256 round, uint256 w, bytes32 salt) internal pure returns (uint256 word) {
        uint256 noise = uint256(keccak256(abi.encode(salt, w)));
        for (uint256 t = 0; t < 8; ++t) {
            uint256 e = 8 * w + t;
            if (e >= d) break;
            int256 v = ((int256((e * 37 + round * 11) % 17) - 8) * 50) + int256((noise >> (32 * t)) % 201) - 100;
            word |= uint256(uint32(int32(v))) << (32 * t);
        }
    }

    /// @dev Member `i`'s masked word: x + Σ_{active j > i} mask_ij − Σ_{active j < i} mask_ij at global word `w`.
    function maskWord(uint256 x, uint256 i, uint256[] memory peers, bytes32[] memory seeds, uint256 w) internal pure returns (uint256) {
        for (uint256 q = 0; q < peers.length; ++q) {
            uint256 m = MaskPRG.word(seeds[q], w);
            x = peers[q] > i ? Packed32.add(x, m) : Packed32.sub(x, m);
        }
        return x;
    }

    /// @dev The word member `i`'s masks hide: the inverse of `maskWord`.
    function unmaskWord(uint256 y, uint256 i, uint256[] memory peers, bytes32[] memory seeds, uint256 w) internal pure returns (uint256) {
        for (uint256 q = 0; q < peers.length; ++q) {
            uint256 m = MaskPRG.word(seeds[q], w);
            y = peers[q] > i ? Packed32.sub(y, m) : Packed32.add(y, m);
        }
        return y;
    }

    /// @dev A DLEQ proof (docs/PROTOCOL.md, "Proving a pair seed") that shared = sk · pkJ for the sk behind
    /// pkI = sk · Base8, with nonce `k`: r1 = k · Base8, r2 = k · pkJ, s = k + c · sk mod l.
    function dleqProof(
        uint256 sk,
        uint256[2] memory pkI,
        uint256[2] memory pkJ,
        uint256 k,
        bytes32 context
    ) internal view returns (uint256[2] memory shared, uint256[2] memory r1, uint256[2] memory r2, uint256 s) {
        shared = affineMul(pkJ, sk);
        r1 = affineMul([BabyJubjub.BASE8_X, BabyJubjub.BASE8_Y], k);
        r2 = affineMul(pkJ, k);
        uint256 c = Dleq.challenge(context, pkI, pkJ, shared, r1, r2);
        s = addmod(k % BabyJubjub.ORDER, mulmod(c, sk, BabyJubjub.ORDER), BabyJubjub.ORDER);
    }

    /// @dev scalar · point in affine coordinates (one inversion by the modexp precompile).
    function affineMul(uint256[2] memory point, uint256 scalar) internal view returns (uint256[2] memory out) {
        (uint256 x, uint256 y, uint256 z) = BabyJubjub.mul(point[0], point[1], scalar);
        (bool ok, bytes memory ret) = address(5).staticcall(abi.encode(32, 32, 32, z, BabyJubjub.P - 2, BabyJubjub.P));
        require(ok, "modexp");
        uint256 inv = abi.decode(ret, (uint256));
        out = [mulmod(x, inv, BabyJubjub.P), mulmod(y, inv, BabyJubjub.P)];
    }

    /// @dev HMAC-SHA256 with a 32-byte key (zero-padded to the 64-byte block).
    function _hmac(bytes32 key, bytes memory message) private pure returns (bytes32) {
        bytes32 inner = sha256(abi.encodePacked(key ^ _IPAD, _IPAD, message));
        return sha256(abi.encodePacked(key ^ _OPAD, _OPAD, inner));
    }
}
