// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

/// @notice Life of a job, derived by `phase(jobId)` from stored facts and the clock (docs/PROTOCOL.md).
enum Phase {
    Publishing,
    Joining,
    Commit,
    Submit,
    Reveal,
    Aggregate,
    Completed,
    Cancelled
}

/// @notice Robust rule across the counted groups' means: per element (median, trimmed mean), or over whole
/// vectors from the chunks' Gram matrix (geometric median, checked through the aggregator's certificate at
/// finalization; Multi-Krum, chosen by finalization itself).
enum Rule {
    Median,
    TrimmedMean,
    GeometricMedian,
    MultiKrum
}

/// @notice Everything a model owner fixes when it posts a job.
struct JobParams {
    bytes32 taskTag; // what kind of data the job wants (matched by workers)
    bytes32 modelCommitment; // commitment to the full (public + private) model, opaque to the contract
    address token; // address(0) for ETH, else an ERC-20 without transfer fees
    uint32 numDOs; // n: roster size
    uint32 groupSize; // g: minimum group size, at least 3
    uint32 rounds; // R
    uint32 paramCount; // d: elements of the public model and of every update
    uint128 rewardPerRound; // paid to every submitter of an inlier group, per round
    uint128 stake; // escrowed by every DO at join, slashed on misbehaviour
    uint128 aggregationFee; // credited to the sender of each aggregateChunk and finalizeRound, from the budget
    uint32 joinDuration; // seconds from creation until the roster must be full (covers publishing)
    uint32 commitDuration; // seconds, from the round opening
    uint32 submitDuration; // seconds, from the end of the commit phase
    uint32 revealDuration; // seconds, from the end of the submit phase
    uint32 aggregateDuration; // seconds, from the reveal deadline; after it the round settles without its aggregate
    Rule rule;
    uint16 trimBps; // trimmed mean: fraction trimmed at each end, in basis points (< 5000)
    uint32 outlierFactorBps; // inlier bound on squared distances relative to their median (>= 10000)
    uint16 minProjectionBps; // inlier bound on the projection on the aggregate (<= 10000; 0: no bound)
    uint8 scaleBits; // s: fixed-point scale 2^s
    uint32 clipNormQ; // L2 clip bound in quantized units
}

/// @notice Derived and running facts about a job.
struct JobInfo {
    address owner;
    uint32 wordCount; // W = ceil(d / 8)
    uint32 chunkWords; // C
    uint32 chunkCount; // K = ceil(W / C)
    uint64 createdAt;
    uint64 joinDeadline;
    uint32 wordsPosted;
    uint32 joined;
    uint32 round; // current round (meaningful once the roster sealed)
    bool closed; // cancelled or completed and settled
    bytes32 modelHash;
    uint256 slashedMembers; // bitmap of roster indices slashed and ejected
    uint256 absentMembers; // bitmap of roster indices ejected for a missed commit (part of their stake forfeited)
}

/// @notice Money of one job, in its token. Balanced at completion:
/// paid + fees + refunded + slashed + stakesReturned == budget + stakes. Slashed stakes and forfeits are
/// burned (credited to BURN_ADDRESS), never to the MO or a DO.
struct JobBooks {
    uint256 budget;
    uint256 stakes;
    uint256 paid;
    uint256 fees;
    uint256 refunded;
    uint256 slashed;
    uint256 stakesReturned;
}

/// @notice The current round of a job; bitmaps are over roster indices.
struct RoundInfo {
    uint32 index;
    uint32 requiredReveals;
    uint64 openedAt;
    uint64 commitDeadline;
    uint64 submitDeadline;
    uint64 revealDeadline;
    uint64 aggregateDeadline;
    uint64 drawBlock; // the block whose hash draws the groups (the block that opened the round)
    uint32 chunksAggregated;
    bytes32 randomness; // 0 until the draw block's hash is readable
    bytes32 aggregateHash;
    uint256 members;
    uint256 committed;
    uint256 submitted;
    uint256 revealed;
    uint256 contradicted;
    uint256 convicted; // members proven to have committed a false seed this round
    uint256 excludedGroups; // groups over the norm bound in the chunks aggregated so far
}

/// @notice Outcome of a finalized round; bitmaps are over group indices.
struct RoundResult {
    bytes32 aggregateHash;
    uint256 eligibleGroups;
    uint256 inlierGroups;
    uint256 medianDistance;
    uint256 aggNorm; // Σ agg² over all lanes of the round aggregate
    uint256 excludedGroups; // eligible groups whose unmasked sum went over the norm bound: not counted
    uint32[] weights; // geometric median: the certified weight of each counted group, ascending; Multi-Krum: 1 for
    // the chosen groups, 0 for the others; else empty
}

/// @notice Why a member lost its stake.
enum SlashReason {
    MissedSubmission, // committed but did not submit every chunk
    MissedReveal, // did not reveal a seed it was required to reveal
    ContradictedSeed, // revealed a seed that contradicts its commitment
    FalseCommitment, // committed a seed that a disputeCommitment proof showed to be false
    MissedCommit, // did not commit in a round another member committed to (a part of its stake)
    Convicted // every round it played put it in a group over the norm bound, beyond chance (blame across rounds)
}

/// @notice Why a round settled without an aggregate.
enum VoidReason {
    TooFewEligibleGroups, // fewer eligible groups than the rule needs to resist one bad group
    AggregationExpired // the aggregation deadline passed before the last chunk
}

/// @notice What a credit is for.
enum CreditKind {
    Reward, // pay for a round in an inlier group
    OwnerSettlement, // to the MO at settlement: the unspent budget
    StakeReturn, // a DO's stake back at settlement (less a missed-commit forfeit)
    AggregationFee, // to the sender of an aggregateChunk or finalizeRound
    Burn, // slashed stakes and forfeits, to BURN_ADDRESS at settlement
    HeldReward // at settlement, the held pay of a member the record clears
}

/// @notice A member's record across the rounds of a job (docs/PROTOCOL.md, blame across rounds).
struct MemberRecord {
    uint32 played; // finalized rounds in which it submitted in an eligible group
    uint32 overBound; // of those, rounds in which its group's sum went over the norm bound
    uint32 clean; // rounds in which its group was counted and an inlier (paid at once)
    uint32 held; // rounds whose pay is held until settlement: judged rounds in which its group was an outlier or
    // over the bound, and rounds voided by groups over the bound
    uint32 cleared; // rounds that clear its record (one releases its held pay): its clean rounds, and rounds voided
    // by groups over the bound in which its own group stayed within it
    uint64 evidence; // WAD: Π over its over-bound rounds of the chance an honest member shares a group with a colluder
}
