// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

/// @title BabyJubjub: arithmetic on the circomlib twisted Edwards curve a·x² + y² = 1 + d·x²·y²
/// @notice Public-key validation (canonical, on the curve, not the identity, l·P = O) and the scalar
/// multiplications behind it and behind the DLEQ verifier. Points are projective (X : Y : Z), x = X/Z,
/// y = Y/Z, combined with the complete formulas dbl-2008-bbjlp and add-2008-bbjlp (a is a square and d is
/// not, so they hold for every pair of curve points, the identity included), so nothing needs an inversion.
library BabyJubjub {
    uint256 internal constant P = 21888242871839275222246405745257275088548364400416034343698204186575808495617;
    uint256 internal constant A = 168700;
    uint256 internal constant D = 168696;
    uint256 internal constant ORDER = 2736030358979909402780800718157159386076813972158567259200215660948447373041;
    /// @dev circomlibjs Base8, the generator of the prime-order subgroup: public keys are sk · Base8.
    uint256 internal constant BASE8_X = 5299619240641551281634865583518297030282874472190772894086521144482721001553;
    uint256 internal constant BASE8_Y = 16950150798460657717958625567821834550301663161624707787222815936182638968203;

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

    /// @dev l·(x, y) is the identity (0 : Z : Z), for a curve point (x, y).
    function isInSubgroup(uint256 x, uint256 y) internal pure returns (bool) {
        (uint256 rx, uint256 ry, uint256 rz) = mul(x, y, ORDER);
        return rx == 0 && ry == rz && rz != 0;
    }

    /// @dev scalar·(x, y) for a curve point (x, y) with canonical coordinates; the identity (0 : 1 : 1) for 0.
    function mul(uint256 x, uint256 y, uint256 scalar) internal pure returns (uint256 rx, uint256 ry, uint256 rz) {
        return mulAdd(x, y, scalar, 0, 1, 0);
    }

    /// @dev s1·(x1, y1) + s2·(x2, y2) for curve points with canonical coordinates (s2 = 0 with any point for
    /// s1·(x1, y1) alone), by one fixed-window double-and-add from the top of s1 | s2 (Straus–Shamir): each step
    /// doubles w times and adds one entry a·P1 + b·P2 of a 16-entry table, a and b the next w bits of s1 and s2;
    /// w = 2 for two scalars, w = 4 for one. The table lives past the free memory pointer.
    // The Yul helpers have to live in the one assembly block that calls them, hence the length.
    // solhint-disable-next-line function-max-lines
    function mulAdd(
        uint256 x1,
        uint256 y1,
        uint256 s1,
        uint256 x2,
        uint256 y2,
        uint256 s2
    ) internal pure returns (uint256 rx, uint256 ry, uint256 rz) {
        assembly ("memory-safe") {
            // dbl-2008-bbjlp: B = (X+Y)², C = X², D = Y², E = a·C, F = E + D, H = Z², J = F − 2H,
            // X3 = (B − C − D)·J, Y3 = F·(E − D), Z3 = F·J. Inputs are below p < 2^254, so sums of up to four
            // of them fit a word and go into mulmod unreduced. (p is a literal here: a Solidity constant read
            // inside a Yul function costs a CODECOPY through scratch memory at every use.)
            function dbl(x, y, z) -> x3, y3, z3 {
                let p := 0x30644e72e131a029b85045b68181585d2833e84879b9709143e1f593f0000001
                let s := add(x, y)
                let b := mulmod(s, s, p)
                let c := mulmod(x, x, p)
                let d := mulmod(y, y, p)
                let e := mulmod(168700, c, p)
                let f := add(e, d)
                let h := mulmod(z, z, p)
                let j := add(f, sub(add(p, p), add(h, h)))
                x3 := mulmod(add(b, sub(add(p, p), add(c, d))), j, p)
                y3 := mulmod(f, add(e, sub(p, d)), p)
                z3 := mulmod(f, j, p)
            }
            // add-2008-bbjlp with (X2 : Y2 : Z2) at ptr: A = Z1·Z2, B = A², C = X1·X2, D = Y1·Y2, E = d·C·D,
            // F = B − E, G = B + E, X3 = A·F·((X1 + Y1)·(X2 + Y2) − C − D), Y3 = A·G·(D − a·C), Z3 = F·G.
            // The products of the inputs come first, so no input is read from deep in the stack.
            function addAt(px, py, pz, ptr) -> x3, y3, z3 {
                let p := 0x30644e72e131a029b85045b68181585d2833e84879b9709143e1f593f0000001
                let u := mulmod(add(px, py), add(mload(ptr), mload(add(ptr, 0x20))), p)
                let a := mulmod(pz, mload(add(ptr, 0x40)), p)
                let c := mulmod(px, mload(ptr), p)
                let d := mulmod(py, mload(add(ptr, 0x20)), p)
                let f, g
                {
                    let b := mulmod(a, a, p)
                    let e := mulmod(168696, mulmod(c, d, p), p)
                    f := add(b, sub(p, e))
                    g := add(b, e)
                }
                x3 := mulmod(mulmod(a, f, p), add(u, sub(add(p, p), add(c, d))), p)
                y3 := mulmod(mulmod(a, g, p), add(d, sub(p, mulmod(168700, c, p))), p)
                z3 := mulmod(f, g, p)
            }
            function bitLength(v) -> n {
                if shr(128, v) {
                    v := shr(128, v)
                    n := 128
                }
                if shr(64, v) {
                    v := shr(64, v)
                    n := add(n, 64)
                }
                if shr(32, v) {
                    v := shr(32, v)
                    n := add(n, 32)
                }
                if shr(16, v) {
                    v := shr(16, v)
                    n := add(n, 16)
                }
                if shr(8, v) {
                    v := shr(8, v)
                    n := add(n, 8)
                }
                if shr(4, v) {
                    v := shr(4, v)
                    n := add(n, 4)
                }
                if shr(2, v) {
                    v := shr(2, v)
                    n := add(n, 2)
                }
                if shr(1, v) {
                    v := shr(1, v)
                    n := add(n, 1)
                }
                n := add(n, v)
            }

            // Entry k = a + 2^w·b (a, b < 2^w) holds a·P1 + b·P2 as (X, Y, Z) at t + 0x60·k; P1 and P2 follow.
            let t := mload(0x40)
            let w := 2
            if iszero(s2) {
                w := 4
            }
            let m := sub(shl(w, 1), 1)
            let p1 := add(t, 0x600)
            let p2 := add(t, 0x660)
            mstore(p1, x1)
            mstore(add(p1, 0x20), y1)
            mstore(add(p1, 0x40), 1)
            mstore(p2, x2)
            mstore(add(p2, 0x20), y2)
            mstore(add(p2, 0x40), 1)
            mstore(t, 0)
            mstore(add(t, 0x20), 1)
            mstore(add(t, 0x40), 1)
            // Entry k is entry k − 1 plus P1, or entry k − 2^w plus P2 when a = 0.
            for {
                let k := 1
            } lt(k, 16) {
                k := add(k, 1)
            } {
                let e := add(t, mul(k, 0x60))
                let prev := sub(e, 0x60)
                let q := p1
                if iszero(and(k, m)) {
                    prev := sub(e, mul(shl(w, 1), 0x60))
                    q := p2
                }
                rx, ry, rz := addAt(mload(prev), mload(add(prev, 0x20)), mload(add(prev, 0x40)), q)
                mstore(e, rx)
                mstore(add(e, 0x20), ry)
                mstore(add(e, 0x40), rz)
            }

            // i: the bit below the current window, from the top of s1 | s2 rounded up to a multiple of w. The
            // top window selects the starting point, which saves doubling the identity.
            let i := mul(div(add(bitLength(or(s1, s2)), sub(w, 1)), w), w)
            rx := 0
            ry := 1
            rz := 1
            if i {
                i := sub(i, w)
                let e := add(t, mul(or(and(shr(i, s1), m), shl(w, and(shr(i, s2), m))), 0x60))
                rx := mload(e)
                ry := mload(add(e, 0x20))
                rz := mload(add(e, 0x40))
            }
            for {} i {} {
                i := sub(i, w)
                rx, ry, rz := dbl(rx, ry, rz)
                rx, ry, rz := dbl(rx, ry, rz)
                if eq(w, 4) {
                    rx, ry, rz := dbl(rx, ry, rz)
                    rx, ry, rz := dbl(rx, ry, rz)
                }
                let k := or(and(shr(i, s1), m), shl(w, and(shr(i, s2), m)))
                if k {
                    rx, ry, rz := addAt(rx, ry, rz, add(t, mul(k, 0x60)))
                }
            }
        }
    }

    /// @dev (x1 : y1 : z1) == (x2 : y2 : z2), both with z ≠ 0, by cross-multiplication.
    function eq(uint256 x1, uint256 y1, uint256 z1, uint256 x2, uint256 y2, uint256 z2) internal pure returns (bool) {
        if (z1 % P == 0 || z2 % P == 0) return false;
        return mulmod(x1, z2, P) == mulmod(x2, z1, P) && mulmod(y1, z2, P) == mulmod(y2, z1, P);
    }

    /// @dev The x coordinate of −(x, y) = (−x, y), canonical.
    function negX(uint256 x) internal pure returns (uint256) {
        return x == 0 ? 0 : P - x;
    }
}
