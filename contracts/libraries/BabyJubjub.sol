// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

/// @title BabyJubjub: public-key validation on the circomlib twisted Edwards curve a·x² + y² = 1 + d·x²·y²
/// @notice Checks that a point is canonical, on the curve, not the identity and in the prime-order subgroup
/// (l·P = O). The scalar multiplication runs in projective coordinates (X : Y : Z), x = X/Z, y = Y/Z, with
/// the complete formulas add-2008-bbjlp (mixed, Z2 = 1) and dbl-2008-bbjlp, so it needs no inversion.
library BabyJubjub {
    uint256 internal constant P = 21888242871839275222246405745257275088548364400416034343698204186575808495617;
    uint256 internal constant A = 168700;
    uint256 internal constant D = 168696;
    uint256 internal constant ORDER = 2736030358979909402780800718157159386076813972158567259200215660948447373041;

    /// @dev True when (x, y) is a valid public key.
    function isValidPublicKey(uint256 x, uint256 y) internal pure returns (bool) {
        if (x >= P || y >= P) return false;
        if (x == 0 && y == 1) return false;
        if (!isOnCurve(x, y)) return false;
        return isInSubgroup(x, y);
    }

    /// @dev a·x² + y² == 1 + d·x²·y² (mod p), for canonical coordinates.
    function isOnCurve(uint256 x, uint256 y) internal pure returns (bool) {
        uint256 xx = mulmod(x, x, P);
        uint256 yy = mulmod(y, y, P);
        uint256 lhs = addmod(mulmod(A, xx, P), yy, P);
        uint256 rhs = addmod(1, mulmod(D, mulmod(xx, yy, P), P), P);
        return lhs == rhs;
    }

    /// @dev l·(x, y) is the identity, by double-and-add from the top bit of l (bit 250).
    function isInSubgroup(uint256 x, uint256 y) internal pure returns (bool) {
        uint256 rx = x;
        uint256 ry = y;
        uint256 rz = 1;
        for (uint256 i = 250; i > 0; ) {
            unchecked {
                --i;
            }
            (rx, ry, rz) = _double(rx, ry, rz);
            if ((ORDER >> i) & 1 == 1) (rx, ry, rz) = _addAffine(rx, ry, rz, x, y);
        }
        return rx == 0 && ry == rz && rz != 0;
    }

    /// @dev dbl-2008-bbjlp: B = (X+Y)², C = X², D = Y², E = a·C, F = E + D, H = Z², J = F − 2H,
    /// X3 = (B − C − D)·J, Y3 = F·(E − D), Z3 = F·J.
    function _double(uint256 x, uint256 y, uint256 z) private pure returns (uint256 x3, uint256 y3, uint256 z3) {
        assembly {
            let p := P
            let s := addmod(x, y, p)
            let b := mulmod(s, s, p)
            let c := mulmod(x, x, p)
            let d := mulmod(y, y, p)
            let e := mulmod(A, c, p)
            let f := addmod(e, d, p)
            let h := mulmod(z, z, p)
            let j := addmod(f, sub(p, addmod(h, h, p)), p)
            x3 := mulmod(addmod(b, sub(p, addmod(c, d, p)), p), j, p)
            y3 := mulmod(f, addmod(e, sub(p, d), p), p)
            z3 := mulmod(f, j, p)
        }
    }

    /// @dev add-2008-bbjlp with Z2 = 1: A = Z1, B = A², C = X1·x2, D = Y1·y2, E = d·C·D, F = B − E, G = B + E,
    /// X3 = A·F·((X1 + Y1)·(x2 + y2) − C − D), Y3 = A·G·(D − a·C), Z3 = F·G.
    function _addAffine(
        uint256 x1,
        uint256 y1,
        uint256 z1,
        uint256 x2,
        uint256 y2
    ) private pure returns (uint256 x3, uint256 y3, uint256 z3) {
        assembly {
            let b := mulmod(z1, z1, P)
            let c := mulmod(x1, x2, P)
            let d := mulmod(y1, y2, P)
            let e := mulmod(D, mulmod(c, d, P), P)
            x3 := mulmod(addmod(x1, y1, P), addmod(x2, y2, P), P)
            x3 := mulmod(mulmod(z1, addmod(b, sub(P, e), P), P), addmod(x3, sub(P, addmod(c, d, P)), P), P)
            y3 := mulmod(mulmod(z1, addmod(b, e, P), P), addmod(d, sub(P, mulmod(A, c, P)), P), P)
            z3 := mulmod(addmod(b, sub(P, e), P), addmod(b, e, P), P)
        }
    }
}
