// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {JobParams, JobBooks, Phase, Rule} from "../../../contracts/types/MarketTypes.sol";
import {GroupAssignment} from "../../../contracts/libraries/GroupAssignment.sol";
import {RobustRules} from "../../../contracts/libraries/RobustRules.sol";
import {Packed32} from "../../../contracts/libraries/Packed32.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {TestBase} from "../utils/TestBase.sol";

/// @title GhostModel: the handler's own record of every job, round and credit, and what docs/PROTOCOL.md says
/// follows from it
/// @notice The record is written from what the actors did (who committed what, who submitted which plaintext,
/// who revealed or lied) and never read back from the market, so the phase, eligibility, slashes, pay and the
/// round aggregate derived here are an independent reading to compare the market against. The aggregate is
/// recomputed from the members' plaintext updates, so it only matches the market's when the masks cancel. The
/// only outside facts it reads are the chain's: the clock and the hash of a round's draw block.
abstract contract GhostModel is TestBase {
    /// @dev Where slashed stakes and forfeits are credited at settlement (never to the MO or a DO).
    address internal constant BURN_ADDRESS = 0x000000000000000000000000000000000000dEaD;

    /// @dev One job as the actors know it; the fields from `round` on describe its current round.
    struct Job {
        JobParams p;
        address owner;
        uint256 W;
        uint256 C;
        uint256 K;
        uint256 createdAt;
        uint256 wordsPosted;
        bytes32 modelHash;
        bool closed;
        uint256 slashed; // roster bitmap
        uint256 forfeited; // roster bitmap: ejected for a missed commit, part of the stake forfeited
        JobBooks books;
        uint256 round;
        uint256 drawBlock; // the block that opened the round: its hash draws the groups
        bytes32 randomness; // 0 until the round's first commit stored it
        uint256 members;
        uint256 openedAt;
        uint256 commitEndedAt;
        uint256 submitEndedAt;
        uint256 committed;
        uint256 submitted;
        uint256 revealed;
        uint256 contradicted;
        uint256 convicted; // proven by a dispute to have committed a false seed: their groups are void
        uint256 falseCommitters; // committed a garbage value for one pair (known to the actors, not the market)
        uint256 chunksAggregated;
        uint256 absent; // members that chose to sit the rest of this round's current duty out
    }

    /// @dev What finalizeRound must do, derived from the record.
    struct Outcome {
        uint256 eligible; // group bitmap
        uint256 excluded; // group bitmap: over the norm bound in the chunks aggregated
        bool voided; // too few eligible groups for the rule, or the aggregation expired
        bool incomplete; // enough eligible groups, chunks missing, the aggregation deadline not passed: refused
        uint256 inliers; // group bitmap
        bytes32 aggregateHash;
        uint256 medianDistance;
        uint256 aggNorm;
        uint256 paid; // roster bitmap
        uint256 slashes; // roster bitmap
        uint256 forfeits; // roster bitmap: round members that did not commit when someone did
    }

    /// @dev Running statistics of a round aggregate.
    struct Stats {
        bytes32 aggregateHash;
        uint256[] dists;
        int256[] dots;
        uint256 aggNorm;
    }

    mapping(uint256 jobId => Job) internal _jobs;
    mapping(uint256 jobId => address[]) internal _roster;
    uint256 internal _jobCount;

    // Per member of a round, keyed by _key(jobId, round, member).
    mapping(bytes32 key => bytes32[]) internal _commitments;
    mapping(bytes32 key => uint256) internal _active;
    mapping(bytes32 key => uint256) internal _chunks;
    mapping(bytes32 key => uint256[]) internal _masked;
    mapping(bytes32 key => uint256[]) internal _plain;

    // Money, per token (address(0): ETH) and account.
    /// @notice What each account paid into the market (budgets, stakes).
    mapping(address token => mapping(address account => uint256)) public paidIn;
    /// @notice What the record says each account was credited.
    mapping(address token => mapping(address account => uint256)) public credited;
    /// @notice What each account was paid out by `release`.
    mapping(address token => mapping(address account => uint256)) public released;
    /// @notice What the market must hold: paid in minus released.
    mapping(address token => uint256) public held;
    /// @notice Aggregation fees the record says each account earned (sender of an aggregateChunk or finalizeRound).
    mapping(address token => mapping(address account => uint256)) public feesEarned;
    mapping(bytes32 creditKey => bool) internal _creditSeen;

    // Findings: every counter must stay zero.
    /// @notice Credited events repeating a (job, round, kind, account) already credited.
    uint256 public doubleCredits;
    /// @notice Market views that disagreed with the record.
    uint256 public modelMismatches;
    /// @notice Observed phase changes that were not legal transitions.
    uint256 public phaseRegressions;
    /// @notice Out-of-phase calls the market accepted.
    uint256 public outOfPhaseAccepted;
    /// @notice Out-of-phase calls refused with another error than MarketUnexpectedPhase(job, current, expected).
    uint256 public outOfPhaseWrongError;
    /// @notice Misuses the market accepted.
    uint256 public misuseAccepted;
    /// @notice Misuses refused with another error than the one the protocol names.
    uint256 public misuseWrongError;
    /// @notice Where the latest finding happened.
    string public lastFinding;

    // Measurements and coverage.
    /// @notice The largest transaction gas measured (EIP-7623 accounting) and the selector that needed it.
    uint256 public maxTxGas;
    /// @notice Selector of the call that needed `maxTxGas`.
    bytes4 public maxTxSelector;
    /// @notice Out-of-phase calls tried.
    uint256 public outOfPhaseTried;
    /// @notice Misuses tried.
    uint256 public misuseTried;
    /// @notice Rounds finalized.
    uint256 public roundsFinalized;
    /// @notice Groups the market found over the norm bound, over all finalized rounds.
    uint256 public groupsOverBound;
    /// @notice Rewards credited.
    uint256 public rewardsCredited;
    /// @notice Members slashed.
    uint256 public slashes;
    /// @notice Members ejected for a missed commit (part of their stake forfeited).
    uint256 public forfeits;
    /// @notice Members convicted by their record (blame across rounds).
    uint256 public convictions;
    /// @notice Rounds settled without an aggregate.
    uint256 public roundsVoided;
    /// @notice Of those, rounds with enough eligible groups whose aggregation deadline passed first.
    uint256 public roundsExpired;
    /// @notice Aggregation fees credited.
    uint256 public feesCredited;
    /// @notice Disputes proven with a DLEQ proof (a false committer convicted).
    uint256 public disputesProven;
    /// @notice Jobs completed.
    uint256 public jobsCompleted;
    /// @notice Jobs cancelled and settled.
    uint256 public jobsCancelled;
    /// @notice Credits released.
    uint256 public releases;

    /// @notice Number of jobs created.
    function jobCount() external view returns (uint256) {
        return _jobCount;
    }

    /// @notice The record's books of a job.
    function booksOf(uint256 jobId) external view returns (JobBooks memory) {
        return _jobs[jobId].books;
    }

    /// @notice The job's token and whether the record has it settled.
    function tokenAndClosed(uint256 jobId) external view returns (address, bool) {
        return (_jobs[jobId].p.token, _jobs[jobId].closed);
    }

    /// @notice What `account` may still release in `token` according to the record.
    function owed(address token, address account) public view returns (uint256) {
        return credited[token][account] - released[token][account];
    }

    /// @notice The job's phase now, derived from the record and the clock.
    function phaseOf(uint256 jobId) public view returns (Phase) {
        Job storage j = _jobs[jobId];
        bool full = _roster[jobId].length == j.p.numDOs;
        if (j.closed) return full ? Phase.Completed : Phase.Cancelled;
        if (!full) {
            if (block.timestamp > j.createdAt + j.p.joinDuration) return Phase.Cancelled;
            return j.wordsPosted < j.W ? Phase.Publishing : Phase.Joining;
        }
        (uint256 c, uint256 s, uint256 r) = _deadlines(j);
        uint256 commits = _pop(j.committed);
        if (commits < _pop(j.members) && block.timestamp <= c) return Phase.Commit;
        if (_pop(j.submitted) < commits && block.timestamp <= s) return Phase.Submit;
        if (block.timestamp <= r && j.committed & ~j.submitted != 0 && _pop(j.revealed) < _requiredReveals(jobId)) {
            return Phase.Reveal;
        }
        return Phase.Aggregate;
    }

    // ------------------------------------------------------------------ derived facts

    /// @dev Commit, submit and reveal deadlines: each window starts when the previous phase ended.
    function _deadlines(Job storage j) internal view returns (uint256 c, uint256 s, uint256 r) {
        c = j.openedAt + j.p.commitDuration;
        uint256 submitStart = j.commitEndedAt != 0 ? j.commitEndedAt : c;
        s = submitStart + j.p.submitDuration;
        uint256 revealStart = j.submitEndedAt != 0
            ? j.submitEndedAt
            : (_pop(j.submitted) == _pop(j.committed) ? submitStart : s);
        r = revealStart + j.p.revealDuration;
    }

    /// @dev The aggregation deadline: after it the round settles without its aggregate.
    function _aggregateDeadline(Job storage j) internal view returns (uint256) {
        (, , uint256 r) = _deadlines(j);
        return r + j.p.aggregateDuration;
    }

    /// @dev Fewest eligible groups the job's rule needs: 3 for the median, max(3, ceil(10000 / trimBps)) for a
    /// trimmed mean.
    function _needed(JobParams memory p) internal pure returns (uint256) {
        if (p.rule == Rule.Median) return 3;
        uint256 e = (10000 + uint256(p.trimBps) - 1) / p.trimBps;
        return e > 3 ? e : 3;
    }

    /// @dev What a missed commit forfeits: (groupSize − 1) · rewardPerRound, at most the stake.
    function _forfeit(JobParams memory p) internal pure returns (uint256) {
        uint256 harm = uint256(p.groupSize - 1) * p.rewardPerRound;
        return harm < p.stake ? harm : p.stake;
    }

    /// @dev The market the record describes (its address binds the round randomness).
    function _marketAddress() internal view virtual returns (address);

    /// @dev The current round's randomness: stored at its first commit, else keccak256(blockhash(drawBlock),
    /// market, jobId, round) while that hash is readable (a later block, within 256), else 0.
    function _randomness(uint256 jobId) internal view returns (bytes32) {
        Job storage j = _jobs[jobId];
        if (j.randomness != 0) return j.randomness;
        bytes32 h = blockhash(j.drawBlock);
        if (h == 0) return 0;
        return keccak256(abi.encode(h, _marketAddress(), jobId, j.round));
    }

    /// @dev One member's record across rounds (docs/PROTOCOL.md, blame across rounds), kept from the outcomes.
    struct Record {
        uint256 played;
        uint256 overBound;
        uint256 clean;
        uint256 held;
        uint256 cleared;
        uint256 evidence; // WAD: Π over its over-bound rounds of q
    }

    mapping(uint256 jobId => mapping(uint256 member => Record)) internal _records;

    /// @dev Applies the finalized round `o` to the records and returns the members it convicts: over the bound in
    /// every round played, with evidence at most 1/1000 (skipping members slashed already). Pay is held in a judged
    /// round (not an inlier) and in a round voided while a group was over the bound, which clears the others.
    function _recordRound(uint256 jobId, Outcome memory o) internal returns (uint256 convicted) {
        Job storage j = _jobs[jobId];
        uint256[][] memory gs = _groups(jobId);
        uint256 colluders = j.p.numDOs / 5 == 0 ? 1 : j.p.numDOs / 5;
        for (uint256 g = 0; g < gs.length; ++g) {
            if ((o.eligible >> g) & 1 == 0) continue;
            bool over = (o.excluded >> g) & 1 == 1;
            uint256 q = over ? _sharedProbability(_pop(j.members), colluders, gs[g].length) : 0;
            for (uint256 p = 0; p < gs[g].length; ++p) {
                uint256 i = gs[g][p];
                if ((j.submitted >> i) & 1 == 0) continue;
                Record storage r = _records[jobId][i];
                ++r.played;
                bool blamed = o.voided && o.excluded != 0;
                if (!o.voided && (o.inliers >> g) & 1 == 1) {
                    ++r.clean;
                    ++r.cleared;
                } else if (!o.voided || blamed) {
                    ++r.held;
                    if (blamed && !over) ++r.cleared;
                }
                if (!over) continue;
                r.evidence = r.overBound == 0 ? q : Math.mulDiv(r.evidence, q, 1e18, Math.Rounding.Ceil);
                ++r.overBound;
                bool free = ((j.slashed | convicted) >> i) & 1 == 0;
                if (free && r.overBound == r.played && r.evidence * 1000 <= 1e18) convicted |= uint256(1) << i;
            }
        }
    }

    /// @dev 1 − C(a−1−k, s−1) / C(a−1, s−1) in WAD, the ratio rounded down factor by factor (1 when unavoidable).
    function _sharedProbability(uint256 a, uint256 k, uint256 s) private pure returns (uint256) {
        uint256 none = 1e18;
        for (uint256 t = 0; t + 1 < s; ++t) {
            if (a < k + 2 + t) return 1e18;
            none = (none * (a - 1 - k - t)) / (a - 1 - t);
        }
        return 1e18 - none;
    }

    /// @dev Member `i`'s held pay at settlement: (released to it, burned).
    function _heldAtSettlement(uint256 jobId, uint256 i) internal view returns (uint256, uint256) {
        Job storage j = _jobs[jobId];
        Record storage r = _records[jobId][i];
        uint256 amount = r.held * j.p.rewardPerRound;
        if ((j.slashed >> i) & 1 == 1) return (0, amount);
        return r.cleared > 0 ? (amount, 0) : (0, 0);
    }

    /// @dev The current round's groups, from its randomness and members (docs/PROTOCOL.md, group assignment).
    function _groups(uint256 jobId) internal view returns (uint256[][] memory) {
        Job storage j = _jobs[jobId];
        uint256[] memory active = new uint256[](_pop(j.members));
        uint256 a;
        for (uint256 i = 0; i < j.p.numDOs; ++i) {
            if ((j.members >> i) & 1 == 1) active[a++] = i;
        }
        return GroupAssignment.assign(_randomness(jobId), active, j.p.groupSize);
    }

    /// @dev Index of the group holding `i` (gs.length if none).
    function _groupOf(uint256[][] memory gs, uint256 i) internal pure returns (uint256 k) {
        for (k = 0; k < gs.length; ++k) {
            for (uint256 p = 0; p < gs[k].length; ++p) {
                if (gs[k][p] == i) return k;
            }
        }
    }

    /// @dev `i`'s group peers, ascending.
    function _peers(uint256[][] memory gs, uint256 i) internal pure returns (uint256[] memory peers) {
        uint256[] memory g = gs[_groupOf(gs, i)];
        peers = new uint256[](g.length - 1);
        uint256 q;
        for (uint256 p = 0; p < g.length; ++p) {
            if (g[p] != i) peers[q++] = g[p];
        }
    }

    /// @dev Active peers of `i` as a roster-index list.
    function _activeList(uint256 jobId, uint256 i) internal view returns (uint256[] memory list) {
        uint256 bits = _active[_key(jobId, _jobs[jobId].round, i)];
        list = new uint256[](_pop(bits));
        uint256 q;
        for (uint256 j = 0; bits >> j != 0; ++j) {
            if ((bits >> j) & 1 == 1) list[q++] = j;
        }
    }

    /// @dev Dropped peers `i` must reveal seeds for: active pairs with committers that did not submit, only in a
    /// group with at least 3 submitters.
    function _targets(uint256 jobId, uint256[][] memory gs, uint256 i) internal view returns (uint256) {
        Job storage j = _jobs[jobId];
        uint256 groupBits = _bits(gs[_groupOf(gs, i)]);
        if (_pop(j.submitted & groupBits) < 3 || groupBits & j.convicted != 0) return 0;
        return _active[_key(jobId, j.round, i)] & j.committed & ~j.submitted;
    }

    /// @dev Submitters with at least one dropped peer to reveal.
    function _requiredReveals(uint256 jobId) internal view returns (uint256 count) {
        Job storage j = _jobs[jobId];
        if (j.committed & ~j.submitted == 0) return 0;
        uint256[][] memory gs = _groups(jobId);
        for (uint256 i = 0; i < j.p.numDOs; ++i) {
            if ((j.submitted >> i) & 1 == 1 && _targets(jobId, gs, i) != 0) ++count;
        }
    }

    /// @dev At least 3 submitters, none contradicted, no member convicted of a false commitment (the group is
    /// void), every required reveal in.
    function _eligible(uint256 jobId, uint256[][] memory gs, uint256 k) internal view returns (bool) {
        Job storage j = _jobs[jobId];
        uint256 subs = j.submitted & _bits(gs[k]);
        if (_pop(subs) < 3 || subs & j.contradicted != 0 || _bits(gs[k]) & j.convicted != 0) return false;
        for (uint256 p = 0; p < gs[k].length; ++p) {
            uint256 i = gs[k][p];
            if ((subs >> i) & 1 == 1 && (j.revealed >> i) & 1 == 0 && _targets(jobId, gs, i) != 0) return false;
        }
        return true;
    }

    /// @dev Members of the groups with a convicted member (void this round), as a roster bitmap.
    function _voidMembers(uint256 jobId, uint256[][] memory gs) internal view returns (uint256 bits) {
        uint256 convicted = _jobs[jobId].convicted;
        if (convicted == 0) return 0;
        for (uint256 k = 0; k < gs.length; ++k) {
            if (_bits(gs[k]) & convicted != 0) bits |= _bits(gs[k]);
        }
    }

    /// @dev Eligible groups as a bitmap.
    function _eligibleBits(uint256 jobId, uint256[][] memory gs) internal view returns (uint256 bits) {
        for (uint256 k = 0; k < gs.length; ++k) {
            if (_eligible(jobId, gs, k)) bits |= uint256(1) << k;
        }
    }

    /// @dev Committers convicted of a false commitment; outside void groups also those that did not submit (with
    /// two active pairs), contradicted, or missed a required reveal.
    function _slashBits(uint256 jobId, uint256[][] memory gs) internal view returns (uint256 bits) {
        Job storage j = _jobs[jobId];
        uint256 voided = _voidMembers(jobId, gs);
        for (uint256 i = 0; i < j.p.numDOs; ++i) {
            if ((j.committed >> i) & 1 == 0) continue;
            bool slash;
            if ((j.convicted >> i) & 1 == 1) slash = true;
            else if ((voided >> i) & 1 == 1) slash = false;
            else if ((j.submitted >> i) & 1 == 0) slash = _pop(_active[_key(jobId, j.round, i)]) >= 2;
            else if ((j.contradicted >> i) & 1 == 1) slash = true;
            else slash = (j.revealed >> i) & 1 == 0 && _targets(jobId, gs, i) != 0;
            if (slash) bits |= uint256(1) << i;
        }
    }

    /// @dev What finalizeRound must decide, with the aggregate recomputed from the submitters' plaintexts. A round
    /// with fewer counted groups (eligible, not over the norm bound in an aggregated chunk) than the rule needs is
    /// void; so is one whose aggregation deadline passed before its last chunk (before that deadline finalizeRound
    /// is refused). When anyone committed, every round member that did not forfeits.
    function _outcome(uint256 jobId) internal view returns (Outcome memory o) {
        Job storage j = _jobs[jobId];
        uint256[][] memory gs = _groups(jobId);
        o.eligible = _eligibleBits(jobId, gs);
        o.slashes = _slashBits(jobId, gs);
        if (j.committed != 0) o.forfeits = j.members & ~j.committed;
        uint256[] memory excludedAt = _excludedAt(jobId, gs, o.eligible);
        o.excluded = _excludedBefore(excludedAt, j.chunksAggregated);
        if (_pop(o.eligible & ~o.excluded) < _needed(j.p)) {
            o.voided = true;
            return o;
        }
        if (j.chunksAggregated < j.K) {
            if (block.timestamp <= _aggregateDeadline(j)) o.incomplete = true;
            else o.voided = true;
            return o;
        }
        Stats memory st = _statistics(jobId, gs, o.eligible, excludedAt);
        o.aggregateHash = st.aggregateHash;
        o.aggNorm = st.aggNorm;
        uint256 counted = o.eligible & ~o.excluded;
        uint256[] memory groupIndex = _list(counted);
        uint256 e = groupIndex.length;
        uint256[] memory dists = new uint256[](e);
        int256[] memory dots = new int256[](e);
        for (uint256 q = 0; q < e; ++q) (dists[q], dots[q]) = (st.dists[groupIndex[q]], st.dots[groupIndex[q]]);
        uint256 mask;
        (mask, o.medianDistance) = RobustRules.inliers(dists, dots, st.aggNorm, j.p.outlierFactorBps, j.p.minProjectionBps);
        for (uint256 q = 0; q < e; ++q) {
            if ((mask >> q) & 1 == 0) continue;
            o.inliers |= uint256(1) << groupIndex[q];
            o.paid |= j.submitted & _bits(gs[groupIndex[q]]);
        }
    }

    /// @dev Groups (bitmap) that a chunk before chunk `k` took over the norm bound.
    function _excludedBefore(uint256[] memory excludedAt, uint256 k) internal pure returns (uint256 bits) {
        for (uint256 g = 0; g < excludedAt.length; ++g) {
            if (excludedAt[g] < k) bits |= uint256(1) << g;
        }
    }

    /// @dev Counted groups (eligible, not over the norm bound in a chunk aggregated so far) of the job's round.
    function _countedGroups(uint256 jobId) internal view returns (uint256) {
        uint256[][] memory gs = _groups(jobId);
        uint256 eligible = _eligibleBits(jobId, gs);
        return eligible & ~_excludedBefore(_excludedAt(jobId, gs, eligible), _jobs[jobId].chunksAggregated);
    }

    /// @dev Per group index, the chunk whose running Σ sum² took the eligible group over the norm bound,
    /// (submitters · (clipNormQ + ceil(√paramCount)))², or type(uint256).max: never. The running totals stop with the
    /// first chunk that leaves fewer groups within it than the rule needs (the market aggregates no further).
    function _excludedAt(uint256 jobId, uint256[][] memory gs, uint256 eligible) internal view returns (uint256[] memory at) {
        Job storage j = _jobs[jobId];
        uint256 slack = j.p.clipNormQ + Math.sqrt(j.p.paramCount, Math.Rounding.Ceil);
        at = new uint256[](gs.length);
        uint256[] memory totals = new uint256[](gs.length);
        for (uint256 g = 0; g < gs.length; ++g) at[g] = type(uint256).max;
        for (uint256 c = 0; c < j.K; ++c) {
            uint256 within;
            for (uint256 g = 0; g < gs.length; ++g) {
                if ((eligible >> g) & 1 == 0 || at[g] != type(uint256).max) continue;
                uint256[] memory subs = _list(j.submitted & _bits(gs[g]));
                uint256 last = (c + 1) * j.C < j.W ? (c + 1) * j.C : j.W;
                for (uint256 w = c * j.C; w < last; ++w) totals[g] += _squares(jobId, subs, w);
                uint256 bound = subs.length * slack;
                if (totals[g] > bound * bound) at[g] = c;
                else ++within;
            }
            if (within < _needed(j.p)) break;
        }
    }

    /// @dev Σ int32(lane)² of word `w` of the plaintext sum of `subs`.
    function _squares(uint256 jobId, uint256[] memory subs, uint256 w) private view returns (uint256 total) {
        uint256 sum = _plainSum(jobId, subs, w);
        for (uint256 t = 0; t < 8; ++t) {
            int256 v = int256(int32(uint32(sum >> (32 * t))));
            total += uint256(v * v);
        }
    }

    /// @dev Word `w` of the plaintext sum of `subs`' updates this round.
    function _plainSum(uint256 jobId, uint256[] memory subs, uint256 w) private view returns (uint256 sum) {
        uint256 round = _jobs[jobId].round;
        for (uint256 u = 0; u < subs.length; ++u) sum = Packed32.add(sum, _plain[_key(jobId, round, subs[u])][w]);
    }

    /// @dev The aggregate hash chain over the chunks and, per group index, the statistics of each group against the
    /// aggregate; each chunk counts the eligible groups not yet over the norm bound (`excludedAt`).
    function _statistics(
        uint256 jobId,
        uint256[][] memory gs,
        uint256 eligible,
        uint256[] memory excludedAt
    ) private view returns (Stats memory st) {
        Job storage j = _jobs[jobId];
        st.dists = new uint256[](gs.length);
        st.dots = new int256[](gs.length);
        for (uint256 k = 0; k < j.K; ++k) {
            uint256[] memory groupIndex = _list(eligible & ~_excludedBefore(excludedAt, k + 1));
            uint256[][] memory subs = new uint256[][](groupIndex.length);
            for (uint256 q = 0; q < groupIndex.length; ++q) subs[q] = _list(j.submitted & _bits(gs[groupIndex[q]]));
            uint256 first = k * j.C;
            uint256 last = first + j.C < j.W ? first + j.C : j.W;
            uint256[] memory out = new uint256[](last - first);
            for (uint256 w = first; w < last; ++w) out[w - first] = _aggregateWord(jobId, subs, groupIndex, w, st);
            st.aggregateHash = keccak256(abi.encodePacked(st.aggregateHash, keccak256(abi.encodePacked(out))));
        }
    }

    /// @dev Aggregate word `w`: per lane the rule over the groups' plaintext means; accumulates the statistics of
    /// each group at its group index.
    function _aggregateWord(
        uint256 jobId,
        uint256[][] memory subs,
        uint256[] memory groupIndex,
        uint256 w,
        Stats memory st
    ) private view returns (uint256 word) {
        Job storage j = _jobs[jobId];
        uint256 e = subs.length;
        int256[] memory means = _means(jobId, subs, w);
        for (uint256 t = 0; t < 8; ++t) {
            int256[] memory lane = new int256[](e);
            for (uint256 q = 0; q < e; ++q) lane[q] = means[t * e + q];
            int256 agg = RobustRules.aggregate(j.p.rule, j.p.trimBps, lane);
            word |= uint256(uint32(int32(agg))) << (32 * t);
            for (uint256 q = 0; q < e; ++q) {
                int256 diff = means[t * e + q] - agg;
                st.dists[groupIndex[q]] += uint256(diff * diff);
                st.dots[groupIndex[q]] += means[t * e + q] * agg;
            }
            st.aggNorm += uint256(agg * agg);
        }
    }

    /// @dev Lane means of word `w` per group of `subs` (lane-major: [t · e + q]), truncated toward zero.
    function _means(uint256 jobId, uint256[][] memory subs, uint256 w) private view returns (int256[] memory means) {
        uint256 e = subs.length;
        means = new int256[](8 * e);
        for (uint256 q = 0; q < e; ++q) {
            uint256 sum = _plainSum(jobId, subs[q], w);
            for (uint256 t = 0; t < 8; ++t) {
                means[t * e + q] = int256(int32(uint32(sum >> (32 * t)))) / int256(subs[q].length);
            }
        }
    }

    // ------------------------------------------------------------------ small helpers

    /// @dev Storage key of member `i`'s data in round `round`.
    function _key(uint256 jobId, uint256 round, uint256 i) internal pure returns (bytes32) {
        return keccak256(abi.encode(jobId, round, i));
    }

    /// @dev Bitmap of a list of indices.
    function _bits(uint256[] memory list) internal pure returns (uint256 bits) {
        for (uint256 p = 0; p < list.length; ++p) {
            bits |= uint256(1) << list[p];
        }
    }

    /// @dev Ascending list of the set bits.
    function _list(uint256 bits) internal pure returns (uint256[] memory list) {
        list = new uint256[](_pop(bits));
        uint256 q;
        for (uint256 i = 0; bits >> i != 0; ++i) {
            if ((bits >> i) & 1 == 1) list[q++] = i;
        }
    }

    /// @dev Number of set bits.
    function _pop(uint256 x) internal pure returns (uint256 c) {
        for (; x != 0; ++c) x &= x - 1;
    }

    /// @dev Records a finding: the counter says which property, `what` says where.
    function _finding(string memory what) internal {
        lastFinding = what;
    }
}
