// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {JobParams, JobInfo, JobBooks, MemberRecord, RoundInfo, RoundResult, Phase, SlashReason, CreditKind, VoidReason, Rule} from "../types/MarketTypes.sol";

/// @title OmniMarket: escrowed training jobs aggregated from masked group sums
/// @notice Implements docs/PROTOCOL.md. A model owner (MO) posts a job with its budget escrowed and the
/// public part of its model; data owners (DOs) join with a stake and a Baby Jubjub key, then per round
/// commit pair-seed commitments, submit masked updates in chunks and reveal the seeds of dropped peers.
/// Anyone aggregates chunk by chunk and finalizes the round: the contract unmasks group sums, applies the
/// job's robust rule across group means, pays inlier groups and slashes misbehaving DOs.
/// Money is pull-based (`releasable` / `release`).
interface IOmniMarket {
    // ---------------------------------------------------------------- errors

    /// @notice No job has this id.
    /// @param jobId The id asked for.
    error MarketUnknownJob(uint256 jobId);
    /// @notice The call is not allowed in the job's current phase.
    /// @param jobId The job.
    /// @param current The phase the job is in.
    /// @param expected The phase the call needs.
    error MarketUnexpectedPhase(uint256 jobId, Phase current, Phase expected);
    /// @notice A round-scoped call named a round other than the current one.
    /// @param jobId The job.
    /// @param current The current round.
    /// @param provided The round the call named.
    error MarketWrongRound(uint256 jobId, uint256 current, uint256 provided);
    /// @notice A job parameter is out of range.
    /// @param name The JobParams field.
    /// @param value Its value (an address as uint160).
    error MarketInvalidParameter(string name, uint256 value);
    /// @notice The ETH sent does not match the amount due (budget, stake, or zero for an ERC-20 job).
    /// @param expected The ETH due.
    /// @param provided The ETH sent.
    error MarketWrongValue(uint256 expected, uint256 provided);
    /// @notice The token delivered less (or more) than the amount transferred: fee-on-transfer tokens are refused.
    /// @param token The token.
    /// @param expected The amount transferred.
    /// @param received What the market's balance grew by (0 if it did not grow).
    error MarketFeeOnTransfer(address token, uint256 expected, uint256 received);
    /// @notice Only the job's model owner may call this.
    /// @param jobId The job.
    /// @param caller The caller.
    error MarketNotOwner(uint256 jobId, address caller);
    /// @notice Model words must be posted consecutively.
    /// @param jobId The job.
    /// @param expected The number of words already posted.
    /// @param provided The firstWord given.
    error MarketUnexpectedWord(uint256 jobId, uint256 expected, uint256 provided);
    /// @notice A byte string is not a whole, non-empty number of words or chunks, or runs past the end.
    /// @param jobId The job.
    /// @param length The byte length given.
    error MarketInvalidWordsLength(uint256 jobId, uint256 length);
    /// @notice The account already joined this job.
    /// @param jobId The job.
    /// @param account The account.
    error MarketAlreadyJoined(uint256 jobId, address account);
    /// @notice The key is not a Baby Jubjub point of the prime-order subgroup other than the identity.
    /// @param x The key's x coordinate.
    /// @param y The key's y coordinate.
    error MarketInvalidKey(uint256 x, uint256 y);
    /// @notice The caller is not on the job's roster.
    /// @param jobId The job.
    /// @param account The account.
    error MarketNotMember(uint256 jobId, address account);
    /// @notice The member was ejected and takes no part in this round.
    /// @param jobId The job.
    /// @param round The current round.
    /// @param member The caller's roster index.
    error MarketNotRoundMember(uint256 jobId, uint256 round, uint256 member);
    /// @notice The member already committed in this round.
    /// @param jobId The job.
    /// @param round The current round.
    /// @param member The caller's roster index.
    error MarketAlreadyCommitted(uint256 jobId, uint256 round, uint256 member);
    /// @notice One commitment per group peer is required.
    /// @param jobId The job.
    /// @param expected The number of group peers.
    /// @param provided The number of commitments given.
    error MarketWrongCommitmentCount(uint256 jobId, uint256 expected, uint256 provided);
    /// @notice The member did not commit in this round, so it may not submit.
    /// @param jobId The job.
    /// @param round The current round.
    /// @param member The caller's roster index.
    error MarketNotCommitted(uint256 jobId, uint256 round, uint256 member);
    /// @notice Chunks are submitted and aggregated in order; `expected` is the next one.
    /// @param jobId The job.
    /// @param expected The next chunk (the caller's next one, or the round's next to aggregate).
    /// @param provided The chunk given.
    error MarketUnexpectedChunk(uint256 jobId, uint256 expected, uint256 provided);
    /// @notice A member masks with fewer than two peers (the others did not commit or committed differently):
    /// its vector would be open to a single peer or to everyone, so it must not submit (and is not slashed).
    /// @param jobId The job.
    /// @param round The current round.
    /// @param member The caller's roster index.
    /// @param active Its number of active pairs.
    error MarketTooFewActivePeers(uint256 jobId, uint256 round, uint256 member, uint256 active);
    /// @notice Only a member that submitted every chunk may reveal.
    /// @param jobId The job.
    /// @param round The current round.
    /// @param member The caller's roster index.
    error MarketNotSubmitter(uint256 jobId, uint256 round, uint256 member);
    /// @notice The member already revealed in this round.
    /// @param jobId The job.
    /// @param round The current round.
    /// @param member The caller's roster index.
    error MarketAlreadyRevealed(uint256 jobId, uint256 round, uint256 member);
    /// @notice The member has no seed it is required to reveal.
    /// @param jobId The job.
    /// @param round The current round.
    /// @param member The caller's roster index.
    error MarketNothingToReveal(uint256 jobId, uint256 round, uint256 member);
    /// @notice The reveal must list exactly the required dropped peers, ascending, with one seed each.
    /// @param jobId The job.
    /// @param member The caller's roster index.
    /// @param expectedPeers Bitmap of the required peers' roster indices.
    /// @param providedPeers Bitmap of the peers given (0 if not strictly ascending or not below 256).
    error MarketRevealMismatch(uint256 jobId, uint256 member, uint256 expectedPeers, uint256 providedPeers);
    /// @notice The round has fewer eligible groups than its rule needs to resist one bad group, so it is not
    /// aggregated (finalizeRound settles it without an aggregate).
    /// @param jobId The job.
    /// @param round The current round.
    /// @param eligible Eligible groups.
    /// @param needed Fewest eligible groups the rule needs.
    error MarketTooFewEligibleGroups(uint256 jobId, uint256 round, uint256 eligible, uint256 needed);
    /// @notice The aggregation data has the wrong length for the eligible submitters and the chunk.
    /// @param jobId The job.
    /// @param expected Eligible submitters times the chunk's bytes.
    /// @param provided The byte length given.
    error MarketInvalidDataLength(uint256 jobId, uint256 expected, uint256 provided);
    /// @notice A slice of the aggregation data does not hash to what the member submitted.
    /// @param jobId The job.
    /// @param member Roster index of the slice's submitter.
    /// @param chunkIndex The chunk.
    error MarketChunkHashMismatch(uint256 jobId, uint256 member, uint256 chunkIndex);
    /// @notice The round cannot be finalized before every chunk is aggregated.
    /// @param jobId The job.
    /// @param round The current round.
    /// @param aggregated Chunks aggregated so far.
    /// @param total Chunks of the job.
    error MarketAggregationIncomplete(uint256 jobId, uint256 round, uint256 aggregated, uint256 total);
    /// @notice The cancelled job was already settled.
    /// @param jobId The job.
    error MarketAlreadySettled(uint256 jobId);
    /// @notice The account has no credit in this token.
    /// @param token The token, address(0) for ETH.
    /// @param account The account.
    error MarketNothingToRelease(address token, address account);
    /// @notice The contract holds less of the token than it owes (escrow plus credits).
    /// @param token The token, address(0) for ETH.
    /// @param balance What the market holds.
    /// @param liabilities What it owes.
    error MarketInsolvent(address token, uint256 balance, uint256 liabilities);
    /// @notice A settled job's books do not balance: paid + fees + refunded + slashed + stakesReturned != budget + stakes.
    /// @param jobId The job.
    /// @param outgoing paid + fees + refunded + slashed + stakesReturned.
    /// @param incoming budget + stakes.
    error MarketBooksUnbalanced(uint256 jobId, uint256 outgoing, uint256 incoming);
    /// @notice A phase window is shorter than the floor the job's size requires (docs/PROTOCOL.md, "Phase windows").
    /// @param name The duration parameter.
    /// @param value The seconds asked for.
    /// @param floor The fewest seconds allowed for this job.
    error MarketWindowTooShort(string name, uint256 value, uint256 floor);
    /// @notice n / groupSize groups are too few for the rule to resist one bad group.
    /// @param groups Groups a full round has (numDOs / groupSize).
    /// @param needed Fewest eligible groups the rule needs.
    error MarketTooFewGroups(uint256 groups, uint256 needed);
    /// @notice The round's groups cannot be drawn in this block: the draw block is this one, or more than 256
    /// blocks old (then nobody can commit and the round passes without an aggregate).
    /// @param jobId The job.
    /// @param round The current round.
    /// @param drawBlock The block that opened the round.
    error MarketDrawUnavailable(uint256 jobId, uint256 round, uint256 drawBlock);
    /// @notice Masked words must come in a transaction an account without code sends to the market itself.
    /// @param jobId The job.
    /// @param sender The caller.
    error MarketSubmitterNotDirect(uint256 jobId, address sender);
    /// @notice The caller's group has a proven false committer, so it is void this round.
    /// @param jobId The job.
    /// @param round The current round.
    /// @param group The group index.
    error MarketGroupVoid(uint256 jobId, uint256 round, uint256 group);
    /// @notice A dispute needs a pair whose members both committed and disagree.
    /// @param jobId The job.
    /// @param member The caller's roster index.
    /// @param peer The peer named.
    error MarketNoMismatch(uint256 jobId, uint256 member, uint256 peer);
    /// @notice The shared point or its proof does not verify (docs/PROTOCOL.md, "Proving a pair seed").
    /// @param jobId The job.
    /// @param member The caller's roster index.
    /// @param peer The peer named.
    error MarketInvalidProof(uint256 jobId, uint256 member, uint256 peer);
    /// @notice Finalizing a round that settles with its aggregate needs one weight per counted group under the
    /// geometric median and none under the other rules (Multi-Krum chooses its own).
    /// @param jobId The job.
    /// @param expected The number of weights the round needs.
    /// @param provided The number given.
    error MarketWeightsLength(uint256 jobId, uint256 expected, uint256 provided);
    /// @notice The geometric median's weights sum to zero.
    /// @param jobId The job.
    /// @param round The round.
    error MarketZeroWeights(uint256 jobId, uint256 round);
    /// @notice The weights do not certify a geometric median: the squared norm of the sum of unit vectors from the
    /// candidate to the group means, in units of 2^-64, is over the limit (|Z| + τ)² (docs/PROTOCOL.md).
    /// @param jobId The job.
    /// @param round The round.
    /// @param gradientSq The certificate's squared gradient norm, in units of 2^-64.
    /// @param limitSq The limit it must not exceed, in the same units.
    error MarketCertificateRejected(uint256 jobId, uint256 round, uint256 gradientSq, uint256 limitSq);

    // ---------------------------------------------------------------- events

    /// @notice A job was created and its budget escrowed.
    /// @param jobId The new job.
    /// @param owner The model owner (the caller).
    /// @param token The token, address(0) for ETH.
    /// @param taskTag What kind of data the job wants.
    /// @param budget The escrowed budget.
    /// @param chunkWords C, the words per chunk.
    event JobCreated(
        uint256 indexed jobId,
        address indexed owner,
        address indexed token,
        bytes32 taskTag,
        uint256 budget,
        uint256 chunkWords
    );
    /// @notice Model words `[firstWord, firstWord + wordCount)` were posted (they stay in calldata).
    /// @param jobId The job.
    /// @param firstWord Index of the first word posted.
    /// @param wordCount Words posted.
    /// @param chunkHash keccak256 of the posted bytes.
    /// @param modelHash The hash chain after them.
    event ModelPublished(
        uint256 indexed jobId,
        uint256 firstWord,
        uint256 wordCount,
        bytes32 chunkHash,
        bytes32 modelHash
    );
    /// @notice A DO joined with its stake and key at roster index `index`.
    /// @param jobId The job.
    /// @param account The DO.
    /// @param index Its roster index.
    /// @param pkX The key's x coordinate.
    /// @param pkY The key's y coordinate.
    event Joined(uint256 indexed jobId, address indexed account, uint256 index, uint256 pkX, uint256 pkY);
    /// @notice A round opened; its groups are drawn from the hash of `drawBlock`, this block.
    /// @param jobId The job.
    /// @param round The round.
    /// @param drawBlock The block whose hash draws the groups.
    /// @param members Bitmap of the roster indices taking part.
    event RoundOpened(uint256 indexed jobId, uint256 indexed round, uint256 drawBlock, uint256 members);
    /// @notice The first commit of the round stored its randomness.
    /// @param jobId The job.
    /// @param round The round.
    /// @param randomness keccak256(abi.encode(blockhash(drawBlock), market, jobId, round)).
    event GroupsDrawn(uint256 indexed jobId, uint256 indexed round, bytes32 randomness);
    /// @notice A pair's commitments were disputed with a proof of its shared point; `convicted` is the bitmap
    /// of the pair's members whose commitment differs from the true seed.
    /// @param jobId The job.
    /// @param round The round.
    /// @param member The disputer's roster index.
    /// @param peer The peer's roster index.
    /// @param convicted Bitmap over roster indices of the false committers.
    event CommitmentDisputed(
        uint256 indexed jobId,
        uint256 indexed round,
        uint256 indexed member,
        uint256 peer,
        uint256 convicted
    );
    /// @notice The round settles without an aggregate: nobody is paid for it and the public model is unchanged.
    /// @param jobId The job.
    /// @param round The round.
    /// @param reason Why.
    event RoundVoided(uint256 indexed jobId, uint256 indexed round, VoidReason reason);
    /// @notice A member committed one pair-seed commitment per group peer (ascending peer index).
    /// @param jobId The job.
    /// @param round The round.
    /// @param member The committer's roster index.
    /// @param commitments One per group peer, ascending peer index.
    event SeedsCommitted(uint256 indexed jobId, uint256 indexed round, uint256 indexed member, bytes32[] commitments);
    /// @notice A member submitted chunks `[firstChunk, firstChunk + chunkCount)` of its masked vector.
    /// @param jobId The job.
    /// @param round The round.
    /// @param member The submitter's roster index.
    /// @param firstChunk The first chunk of the call.
    /// @param chunkCount Chunks in the call.
    event MaskedChunksSubmitted(
        uint256 indexed jobId,
        uint256 indexed round,
        uint256 indexed member,
        uint256 firstChunk,
        uint256 chunkCount
    );
    /// @notice A member revealed the seeds it shares with dropped peers.
    /// @param jobId The job.
    /// @param round The round.
    /// @param member The revealer's roster index.
    /// @param droppedPeers The dropped peers, ascending.
    /// @param seeds One pair seed per dropped peer.
    event SeedsRevealed(
        uint256 indexed jobId,
        uint256 indexed round,
        uint256 indexed member,
        uint256[] droppedPeers,
        bytes32[] seeds
    );
    /// @notice A revealed seed contradicted the revealer's commitment; the revealer will be slashed.
    /// @param jobId The job.
    /// @param round The round.
    /// @param member The revealer's roster index.
    /// @param peer The dropped peer whose seed contradicts the commitment.
    event SeedContradicted(uint256 indexed jobId, uint256 indexed round, uint256 indexed member, uint256 peer);
    /// @notice Chunk `chunkIndex` of the round aggregate (packed uint32 lanes).
    /// @param jobId The job.
    /// @param round The round.
    /// @param chunkIndex The chunk.
    /// @param words The chunk of the round aggregate, packed words.
    event AggregateChunkComputed(uint256 indexed jobId, uint256 indexed round, uint256 indexed chunkIndex, bytes words);
    /// @notice Geometric median and Multi-Krum: chunk `chunkIndex` of the means of the groups counted in it (int32
    /// lanes packed as in every vector, group-major: each group's chunk words in turn, groups ascending). The round
    /// aggregate is Σ_k w_k · mean_k / Σ_k w_k per lane over the finally counted groups, with the weights
    /// finalizeCertifiedRound accepted or Multi-Krum's choice at finalizeRound (RoundResult.weights).
    /// @param jobId The job.
    /// @param round The round.
    /// @param chunkIndex The chunk.
    /// @param groups Bitmap over group indices of the groups whose means follow.
    /// @param means The packed means.
    event GroupMeansComputed(
        uint256 indexed jobId,
        uint256 indexed round,
        uint256 indexed chunkIndex,
        uint256 groups,
        bytes means
    );
    /// @notice The unmasked sums of `groups` went over the norm bound (submitters · (clipNormQ + ceil(√paramCount)))
    /// once chunk `chunkIndex` was added: they are not counted from this chunk on and are not paid this round.
    /// @param jobId The job.
    /// @param round The round.
    /// @param chunkIndex The chunk that took them over the bound.
    /// @param groups Bitmap over group indices of the groups newly over the bound.
    event GroupsOverBound(uint256 indexed jobId, uint256 indexed round, uint256 indexed chunkIndex, uint256 groups);
    /// @notice A member lost its stake (or, for a missed commit, a part of it) and was ejected.
    /// @param jobId The job.
    /// @param round The round.
    /// @param member The slashed member's roster index.
    /// @param reason Why.
    /// @param amount The amount lost (burned at settlement).
    event MemberSlashed(
        uint256 indexed jobId,
        uint256 indexed round,
        uint256 indexed member,
        SlashReason reason,
        uint256 amount
    );
    /// @notice A round was finalized; bitmaps are over group indices, `distances` (Σ (mean − agg)²) and
    /// `dots` (Σ mean · agg) over eligible groups in ascending group order, `aggNorm` = Σ agg².
    /// @param jobId The job.
    /// @param round The round.
    /// @param aggregateHash The hash chain over the round's aggregate chunks.
    /// @param eligibleGroups Bitmap of the eligible groups.
    /// @param excludedGroups Bitmap of the eligible groups over the norm bound (not counted, not paid).
    /// @param inlierGroups Bitmap of the inlier (paid) groups.
    /// @param distances Per counted group (eligible, not excluded), Σ (mean − agg)².
    /// @param dots Per counted group, Σ mean · agg.
    /// @param aggNorm Σ agg².
    event RoundFinalized(
        uint256 indexed jobId,
        uint256 indexed round,
        bytes32 aggregateHash,
        uint256 eligibleGroups,
        uint256 excludedGroups,
        uint256 inlierGroups,
        uint256[] distances,
        int256[] dots,
        uint256 aggNorm
    );
    /// @notice An amount became releasable to `account`, for the reason `kind`.
    /// @param jobId The job.
    /// @param token The token, address(0) for ETH.
    /// @param account The beneficiary.
    /// @param kind What the credit is for.
    /// @param amount The amount.
    event Credited(uint256 indexed jobId, address indexed token, address indexed account, CreditKind kind, uint256 amount);
    /// @notice The job completed and everything it held was credited.
    /// @param jobId The job.
    /// @param paid Rewards credited over all rounds.
    /// @param refunded Unspent budget credited to the MO.
    /// @param slashed Slashed stakes and forfeits, burned (credited to BURN_ADDRESS).
    /// @param stakesReturned Stakes credited back to their DOs.
    event JobCompleted(uint256 indexed jobId, uint256 paid, uint256 refunded, uint256 slashed, uint256 stakesReturned);
    /// @notice The job was cancelled (roster not full in time) and budget and stakes were credited back.
    /// @param jobId The job.
    /// @param refunded Budget credited to the MO.
    /// @param stakesReturned Stakes credited back to the joiners.
    event JobCancelled(uint256 indexed jobId, uint256 refunded, uint256 stakesReturned);
    /// @notice Credited funds were sent to `account`.
    /// @param token The token, address(0) for ETH.
    /// @param account The beneficiary.
    /// @param amount The amount sent.
    event Released(address indexed token, address indexed account, uint256 amount);

    // ---------------------------------------------------------------- actions

    /// @notice Posts a job and escrows its budget `numDOs * rounds * rewardPerRound` (exactly).
    /// @dev ETH jobs send the budget as msg.value; ERC-20 jobs approve it beforehand and send no ETH.
    /// @param params The job's parameters; each is validated and a bad one reverts `MarketInvalidParameter`.
    /// @return jobId The new job's id (ids start at 1).
    function createJob(JobParams calldata params) external payable returns (uint256 jobId);

    /// @notice Posts public-model words `[firstWord, firstWord + words.length / 32)`; MO only, consecutive.
    /// @param jobId The job.
    /// @param firstWord Must equal the number of words already posted.
    /// @param words Packed big-endian words; the hash chain `modelHash` is extended with keccak256(words).
    function publishModel(uint256 jobId, uint256 firstWord, bytes calldata words) external;

    /// @notice Joins the roster with the stake (msg.value for ETH, transferFrom for ERC-20) and a Baby
    /// Jubjub public key. The join that fills the roster opens round 0.
    /// @param jobId The job.
    /// @param pkX The key's x coordinate.
    /// @param pkY The key's y coordinate.
    function join(uint256 jobId, uint256 pkX, uint256 pkY) external payable;

    /// @notice Credits a cancelled job's budget to its MO and the stakes to the joiners. Anyone may call.
    /// @param jobId The job, in phase Cancelled and not yet settled.
    function cancel(uint256 jobId) external;

    /// @notice Commits one pair-seed commitment per group peer, in ascending roster index of the peers.
    /// @param jobId The job.
    /// @param round The current round.
    /// @param commitments `keccak256(abi.encode(SEED_TAG, chainId, market, jobId, round, lo, hi, seed))` per peer.
    function commitSeeds(uint256 jobId, uint256 round, bytes32[] calldata commitments) external;

    /// @notice Settles a pair whose commitments differ: the caller publishes the pair's ECDH point with a DLEQ
    /// proof (docs/PROTOCOL.md, "Proving a pair seed"); the contract derives the true seed and convicts each
    /// member of the pair whose commitment differs from it. A convicted member loses its stake at
    /// finalizeRound and its group is void this round (no reveals, not aggregated, nobody else slashed in it).
    /// Allowed in the Submit phase.
    /// @param jobId The job.
    /// @param round The current round.
    /// @param peer The other member of the pair.
    /// @param shared The point sk_caller · PK_peer.
    /// @param r1 The proof's commitment k · Base8.
    /// @param r2 The proof's commitment k · PK_peer.
    /// @param s The proof's response k + c · sk_caller mod l.
    function disputeCommitment(
        uint256 jobId,
        uint256 round,
        uint256 peer,
        uint256[2] calldata shared,
        uint256[2] calldata r1,
        uint256[2] calldata r2,
        uint256 s
    ) external;

    /// @notice Submits whole consecutive chunks of the caller's masked vector, starting at its next chunk.
    /// Only from an account without code, in a transaction sent to the market itself.
    /// @param jobId The job.
    /// @param round The current round.
    /// @param firstChunk Must equal the number of chunks the caller already submitted this round.
    /// @param words The chunks' words back to back; only keccak256 of each chunk is stored.
    function submitMasked(uint256 jobId, uint256 round, uint256 firstChunk, bytes calldata words) external;

    /// @notice Reveals the seeds the caller shares with its dropped peers. A seed that contradicts the
    /// caller's commitment does not revert: it marks the caller for slashing and its group ineligible.
    /// @param jobId The job.
    /// @param round The current round.
    /// @param droppedPeers Exactly the dropped peers with an active pair with the caller, ascending.
    /// @param seeds One pair seed per dropped peer.
    function revealSeeds(
        uint256 jobId,
        uint256 round,
        uint256[] calldata droppedPeers,
        bytes32[] calldata seeds
    ) external;

    /// @notice Aggregates chunk `chunkIndex` of the round. Anyone may call, chunks in order.
    /// @param jobId The job.
    /// @param round The current round.
    /// @param chunkIndex Must equal the number of chunks already aggregated this round.
    /// @param data For each eligible group ascending, for each submitter ascending, its chunk bytes.
    function aggregateChunk(uint256 jobId, uint256 round, uint256 chunkIndex, bytes calldata data) external;

    /// @notice Finalizes the round: inliers, pay, slashing, then opens the next round or completes the job (under
    /// Multi-Krum it first chooses the groups of the aggregate from the Gram matrix, docs/PROTOCOL.md "Multi-Krum").
    /// Anyone may call once every chunk is aggregated, at once when fewer groups are eligible than the rule
    /// needs, and after the aggregation deadline in any case (then the round settles without its aggregate).
    /// @param jobId The job.
    /// @param round The current round.
    function finalizeRound(uint256 jobId, uint256 round) external;

    /// @notice finalizeRound for a round that may need a certificate: under the geometric median, a round that
    /// settles with its aggregate takes one weight per counted group (ascending group index), and is finalized
    /// only if they certify the geometric median of the counted groups' means (docs/PROTOCOL.md "The
    /// geometric-median certificate"); under the other rules `weights` must be empty. A round that settles
    /// without its aggregate ignores `weights`.
    /// @param jobId The job.
    /// @param round The current round.
    /// @param weights The candidate's weights: aggregate = Σ w_k · mean_k / Σ w_k.
    function finalizeCertifiedRound(uint256 jobId, uint256 round, uint32[] calldata weights) external;

    /// @notice Sends `account` everything credited to it in `token` (address(0) for ETH). Anyone may call.
    /// @param token The token, address(0) for ETH.
    /// @param account The beneficiary.
    function release(address token, address account) external;

    // ---------------------------------------------------------------- views

    /// @notice The job's phase, derived from stored facts and the clock.
    /// @param jobId The job.
    /// @return The current phase.
    function phase(uint256 jobId) external view returns (Phase);

    /// @notice Number of jobs created; ids run from 1 to this value.
    /// @return The count.
    function jobCount() external view returns (uint256);

    /// @notice The parameters the job was created with.
    /// @param jobId The job.
    /// @return The parameters.
    function jobParams(uint256 jobId) external view returns (JobParams memory);

    /// @notice Derived sizes and running facts of the job.
    /// @param jobId The job.
    /// @return The facts.
    function jobInfo(uint256 jobId) external view returns (JobInfo memory);

    /// @notice The job's books.
    /// @param jobId The job.
    /// @return The books.
    function jobBooks(uint256 jobId) external view returns (JobBooks memory);

    /// @notice Roster entry `index` of the job.
    /// @param jobId The job.
    /// @param index Roster index (join order).
    /// @return account The DO's address.
    /// @return pkX The key's x coordinate.
    /// @return pkY The key's y coordinate.
    function member(uint256 jobId, uint256 index) external view returns (address account, uint256 pkX, uint256 pkY);

    /// @notice Roster index of `account`; reverts `MarketNotMember` if it did not join.
    /// @param jobId The job.
    /// @param account The DO's address.
    /// @return The roster index.
    function memberIndex(uint256 jobId, address account) external view returns (uint256);

    /// @notice The current round: randomness, participation bitmaps, deadlines and aggregation progress.
    /// Deadlines of later phases assume the earlier ones run to their end unless they already ended early;
    /// `requiredReveals` counts the reveals required if submissions stopped now.
    /// @param jobId The job (all zero before the roster seals).
    /// @return The round.
    function roundInfo(uint256 jobId) external view returns (RoundInfo memory);

    /// @notice The current round's groups, each ascending by roster index (docs/PROTOCOL.md, group assignment).
    /// @param jobId The job (no groups before the roster seals).
    /// @return The groups.
    function groups(uint256 jobId) external view returns (uint256[][] memory);

    /// @notice The commitment `memberIndex_` made this round for group peer `peer` (zero if none or not peers).
    /// @param jobId The job.
    /// @param memberIndex_ The committer's roster index.
    /// @param peer The peer's roster index (must share the committer's group).
    /// @return The commitment.
    function commitment(uint256 jobId, uint256 memberIndex_, uint256 peer) external view returns (bytes32);

    /// @notice Bitmap of roster indices with which `memberIndex_` has an active pair this round.
    /// @param jobId The job.
    /// @param memberIndex_ The member's roster index.
    /// @return The bitmap (zero if the member did not commit).
    function activePeers(uint256 jobId, uint256 memberIndex_) external view returns (uint256);

    /// @notice Number of chunks `memberIndex_` submitted in the current round.
    /// @param jobId The job.
    /// @param memberIndex_ The member's roster index.
    /// @return The count.
    function chunksSubmitted(uint256 jobId, uint256 memberIndex_) external view returns (uint256);

    /// @notice Squared distance accumulated by group `group` in the latest aggregated round.
    /// @param jobId The job.
    /// @param group The group index.
    /// @return The distance so far.
    function groupDistance(uint256 jobId, uint256 group) external view returns (uint256);

    /// @notice Dot product with the aggregate (Σ mean · agg) accumulated by group `group` in the latest
    /// aggregated round.
    /// @param jobId The job.
    /// @param group The group index.
    /// @return The dot product so far.
    function groupDot(uint256 jobId, uint256 group) external view returns (int256);

    /// @notice Outcome of a finalized round.
    /// @param jobId The job.
    /// @param round The round.
    /// @return The result (zero if not finalized).
    function roundResult(uint256 jobId, uint256 round) external view returns (RoundResult memory);

    /// @notice Geometric median and Multi-Krum: the Gram matrix Σ mean_k · mean_l over the lanes aggregated so far in the current
    /// round, for the groups counted (eligible and not over the norm bound); complete once every chunk is in.
    /// @param jobId The job.
    /// @return counted Bitmap over group indices of the counted groups.
    /// @return gram The e × e matrix over them, row-major, ascending group index.
    function roundGram(uint256 jobId) external view returns (uint256 counted, int256[] memory gram);

    /// @notice A member's record across the job's rounds: rounds played, over the bound, clean and held, and the
    /// evidence against it (docs/PROTOCOL.md, blame across rounds).
    /// @param jobId The job.
    /// @param index The member's roster index.
    /// @return The record (zero before its first finalized round).
    function memberRecord(uint256 jobId, uint256 index) external view returns (MemberRecord memory);

    /// @notice Amount of `token` credited to `account` and not yet released.
    /// @param token The token, address(0) for ETH.
    /// @param account The beneficiary.
    /// @return The amount.
    function releasable(address token, address account) external view returns (uint256);

    /// @notice The chunk size (in words) the contract fixes for a job with `numDOs` DOs, group size `groupSize`
    /// and rule `rule`.
    /// @param numDOs n.
    /// @param groupSize g.
    /// @param rule The job's rule.
    /// @return The chunk size C.
    function chunkWordsFor(uint256 numDOs, uint256 groupSize, Rule rule) external pure returns (uint256);
}
