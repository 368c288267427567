// The protocol's numbers, shared with the contracts (contracts/libraries/ProtocolConstants.sol and the
// limits in JobLogic.sol); test/protocol/sharedValues.test.ts checks that both sides agree.

/** Fewest submitters a group needs to be eligible (only sums over 3 or more updates are revealed). */
export const MIN_GROUP_SUBMITTERS = 3;
/** Fewest active pairs a member needs to submit (with one, that peer alone could remove the mask). */
export const MIN_ACTIVE_PEERS = 2;
/** Basis points: 10000 is 100%. */
export const BPS = 10_000;
/** trimBps must stay below this (trimming half from each end leaves nothing). */
export const MAX_TRIM_BPS = 5_000;
/** Fewest eligible group means the median needs to resist one bad group. */
export const MIN_MEDIAN_GROUPS = 3;
/** Multi-Krum needs at least this many counted group means (it then presumes f = ⌊(e − 3) / 2⌋ ≥ 1 of them bad). */
export const MIN_KRUM_GROUPS = 5;
/** The geometric median accepts jobs of at most this many groups (n / g): a Gram slot per pair, an O(e²) certificate. */
export const MAX_GRAM_GROUPS = 16;
/** The geometric-median certificate's tolerance τ = 1 / GEOMEDIAN_TOLERANCE_INV on the norm of the sum of unit vectors. */
export const GEOMEDIAN_TOLERANCE_INV = 10;
/** Blame across rounds: the conviction rule is safe against this share of colluding DOs in the roster (at least one). */
export const BLAME_COLLUDER_BPS = 2_000;
/** A member is convicted only when an honest member would have so long a run of over-bound groups with probability ≤ 1 / this. */
export const FALSE_CONVICTION_INV = 1_000;
/** Fixed-point one of the blame evidence (a probability). */
export const WAD = 10n ** 18n;
/** Where slashed stakes and forfeits are credited (burned): nobody holds its key. */
export const BURN_ADDRESS = "0x000000000000000000000000000000000000dEaD";
/** Largest roster (bitmaps over roster indices are uint256). */
export const MAX_DOS = 128;
/** Smallest group size a job may ask for. */
export const MIN_GROUP_SIZE = 3;
/** Most rounds a job may ask for. */
export const MAX_ROUNDS = 1_000;
/** Most public parameters a job may ask for (W ≤ 262,144 words). */
export const MAX_PARAMS = 2 ** 21;
/** Longest phase window, in seconds (365 days). */
export const MAX_DURATION_SECONDS = 365 * 24 * 3600;
/** Largest fixed-point scale exponent s. */
export const MAX_SCALE_BITS = 30;
