// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

/// @title PairSeed: the pair seed from a pair's ECDH x coordinate, as the members derive it
/// @notice seed = HKDF-SHA256(ikm = x as 32 bytes, salt = keccak256(abi.encode(chainId, market, jobId)),
/// info = "omnimarket/v1/mask-seed" ‖ abi.encode(round, lo, hi), 32) (RFC 5869), with HMAC-SHA256 over the
/// sha256 precompile. 32 bytes of output are one HMAC block: OKM = HMAC(PRK, info ‖ 0x01).
library PairSeed {
    /// @dev The fixed prefix of the HKDF info string (src/protocol/seeds.ts SEED_INFO_PREFIX).
    bytes internal constant INFO_PREFIX = "omnimarket/v1/mask-seed";

    /// @dev A 32-byte HMAC key zero-padded to the 64-byte block and XORed with 0x36 (ipad) or 0x5c (opad):
    /// the key's word XOR the pad word, then the pad word for the zero half.
    bytes32 private constant _IPAD = 0x3636363636363636363636363636363636363636363636363636363636363636;
    bytes32 private constant _OPAD = 0x5c5c5c5c5c5c5c5c5c5c5c5c5c5c5c5c5c5c5c5c5c5c5c5c5c5c5c5c5c5c5c5c;

    /// @dev The pair seed of roster indices lo < hi in round `round` of job `jobId` on `market`.
    function pairSeed(
        uint256 sharedX,
        uint256 chainId,
        address market,
        uint256 jobId,
        uint256 round,
        uint256 lo,
        uint256 hi
    ) internal pure returns (bytes32) {
        return fromSalt(sharedX, salt(chainId, market, jobId), round, lo, hi);
    }

    /// @dev The HKDF salt of a job, keccak256(abi.encode(chainId, market, jobId)); also the DLEQ context.
    function salt(uint256 chainId, address market, uint256 jobId) internal pure returns (bytes32) {
        return keccak256(abi.encode(chainId, market, jobId));
    }

    /// @dev The pair seed for a job's salt: PRK = HMAC(salt, ikm), OKM = HMAC(PRK, info ‖ 0x01).
    function fromSalt(uint256 sharedX, bytes32 jobSalt, uint256 round, uint256 lo, uint256 hi) internal pure returns (bytes32) {
        bytes32 prk = _hmac(jobSalt, abi.encodePacked(sharedX));
        return _hmac(prk, abi.encodePacked(INFO_PREFIX, round, lo, hi, uint8(1)));
    }

    /// @dev HMAC-SHA256 with a 32-byte key: H((K ⊕ opad) ‖ H((K ⊕ ipad) ‖ message)).
    function _hmac(bytes32 key, bytes memory message) private pure returns (bytes32) {
        bytes32 inner = sha256(abi.encodePacked(key ^ _IPAD, _IPAD, message));
        return sha256(abi.encodePacked(key ^ _OPAD, _OPAD, inner));
    }
}
