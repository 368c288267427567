// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {IOmniMarket} from "../../../contracts/interfaces/IOmniMarket.sol";
import {OmniMarket} from "../../../contracts/OmniMarket.sol";
import {MockERC20} from "../../../contracts/mocks/MockERC20.sol";
import {MemberRecord, Phase, RoundResult} from "../../../contracts/types/MarketTypes.sol";
import {MarketActions} from "./MarketActions.sol";
import {Protocol} from "../utils/Protocol.sol";
import {Keys} from "../utils/Keys.sol";

/// @title RoundActions: commit, submit, reveal, aggregate and finalize as round members and bystanders play them
/// @notice Variants 0–5 are honest. The others either change what the round will do (a mismatched commitment, a
/// garbage vector, a dropout, a lie, silence) or must be refused with a named error (a wrong round, count, chunk,
/// length, peer list or slice).
abstract contract RoundActions is MarketActions {
    constructor(OmniMarket market_, MockERC20 token_) MarketActions(market_, token_) {}

    /// @dev Member `i` commits. Variants: 6 one garbage commitment, 7 one too many, 8 the next round, 9 sits out.
    function _commit(uint256 id, uint256 i, uint256 variant) internal {
        Job storage j = _jobs[id];
        if (variant == 9) {
            j.absent |= uint256(1) << i;
            return;
        }
        address who = _roster[id][i];
        uint256 round = j.round + (variant == 8 ? 1 : 0);
        bytes memory expected = _roundChecks(id, Phase.Commit, round, who);
        uint256[][] memory gs = _groups(id);
        uint256[] memory peers = _groupOf(gs, i) < gs.length ? _peers(gs, i) : new uint256[](0);
        bytes32[] memory commitments = new bytes32[](peers.length + (variant == 7 ? 1 : 0));
        for (uint256 q = 0; q < peers.length; ++q) {
            commitments[q] = Protocol.commitmentOf(_ctx(id), i, peers[q], _seed(id, i, peers[q]));
        }
        if (variant == 6 && peers.length > 0) commitments[id % peers.length] = keccak256(abi.encode("garbage", id, i));
        if (expected.length == 0) {
            if ((j.committed >> i) & 1 == 1) {
                expected = abi.encodeWithSelector(IOmniMarket.MarketAlreadyCommitted.selector, id, round, i);
            } else if (!_drawable(id)) {
                expected = abi.encodeWithSelector(IOmniMarket.MarketDrawUnavailable.selector, id, round, j.drawBlock);
            } else if (commitments.length != peers.length) {
                expected = abi.encodeWithSelector(IOmniMarket.MarketWrongCommitmentCount.selector, id, peers.length, commitments.length);
            }
        }
        bytes memory data = abi.encodeCall(IOmniMarket.commitSeeds, (id, round, commitments));
        bytes32 randomness = _randomness(id);
        if (!_expect(who, 0, data, expected, "commitSeeds")) return;
        if (j.randomness == 0) {
            // The round's first commit stores its randomness: the draw block's hash, read now.
            j.randomness = randomness;
            if (market.roundInfo(id).randomness != randomness) _mismatch("round randomness", id);
            if (keccak256(abi.encode(market.groups(id))) != keccak256(abi.encode(gs))) _mismatch("groups", id);
        }
        _recordCommit(id, i, gs, commitments);
        if (variant == 6 && peers.length > 0) j.falseCommitters |= uint256(1) << i;
    }

    /// @dev Books member `i`'s commitments and the pairs they activate; checks the market's active peers.
    function _recordCommit(uint256 id, uint256 i, uint256[][] memory gs, bytes32[] memory commitments) private {
        Job storage j = _jobs[id];
        uint256[] memory peers = _peers(gs, i);
        _commitments[_key(id, j.round, i)] = commitments;
        uint256 active;
        for (uint256 q = 0; q < peers.length; ++q) {
            uint256 k = peers[q];
            if ((j.committed >> k) & 1 == 0) continue;
            // The peer's commitment slot for i: i's position among k's peers.
            uint256[] memory theirs = _peers(gs, k);
            uint256 slot;
            while (theirs[slot] != i) ++slot;
            if (_commitments[_key(id, j.round, k)][slot] == commitments[q]) {
                active |= uint256(1) << k;
                _active[_key(id, j.round, k)] |= uint256(1) << i;
            }
        }
        _active[_key(id, j.round, i)] = active;
        j.committed |= uint256(1) << i;
        if (j.committed == j.members) j.commitEndedAt = block.timestamp;
        for (uint256 q = 0; q < peers.length; ++q) {
            uint256 expected = (j.committed >> peers[q]) & 1 == 1 ? _active[_key(id, j.round, peers[q])] : 0;
            if (market.activePeers(id, peers[q]) != expected) _mismatch("active peers", id);
        }
        if (market.activePeers(id, i) != active) _mismatch("active peers", id);
    }

    /// @dev Member `i` disputes its pair with a peer (mostly a group peer, now and then any roster index) with a
    /// shared point and proof of zeros, which prove nothing: refused as no mismatch unless both committed and
    /// their commitments differ, else as an invalid proof.
    function _dispute(uint256 id, uint256 i, uint256 seed) internal {
        Job storage j = _jobs[id];
        address who = _roster[id][i];
        uint256 peer = seed % _roster[id].length;
        bytes memory expected = _roundChecks(id, Phase.Submit, j.round, who);
        if (expected.length == 0) {
            uint256[] memory peers = _peers(_groups(id), i);
            if (seed % 4 != 0 && peers.length > 0) peer = peers[(seed / 4) % peers.length];
            bytes4 refusal = _mismatched(id, i, peer) ? IOmniMarket.MarketInvalidProof.selector : IOmniMarket.MarketNoMismatch.selector;
            expected = abi.encodeWithSelector(refusal, id, i, peer);
        }
        uint256[2] memory zero;
        bytes memory data = abi.encodeCall(IOmniMarket.disputeCommitment, (id, j.round, peer, zero, zero, zero, 0));
        _expect(who, 0, data, expected, "disputeCommitment");
    }

    /// @dev Member `i` proves its pair's ECDH point with `peer` (sk_i · PK_peer, by a DLEQ proof) over their
    /// mismatched commitments: whichever of the two committed something else than the true seed's commitment is
    /// convicted, and its group is void for the round.
    function _proveDispute(uint256 id, uint256 i, uint256 peer) internal {
        Job storage j = _jobs[id];
        bytes memory data = _disputeCall(id, i, peer);
        bytes memory expected = _roundChecks(id, Phase.Submit, j.round, _roster[id][i]);
        if (!_expect(_roster[id][i], 0, data, expected, "disputeCommitment")) return;
        bytes32 truth = Protocol.commitmentOf(_ctx(id), i, peer, _seed(id, i, peer));
        uint256 convicted;
        if (_commitmentFor(id, i, peer) != truth) convicted |= uint256(1) << i;
        if (_commitmentFor(id, peer, i) != truth) convicted |= uint256(1) << peer;
        j.convicted |= convicted;
        ++disputesProven;
        if (market.roundInfo(id).convicted != j.convicted) _mismatch("convicted", id);
    }

    /// @dev The disputeCommitment call of member `i` over its pair with `peer`, with the pair's ECDH point and
    /// its DLEQ proof from i's key.
    function _disputeCall(uint256 id, uint256 i, uint256 peer) private view returns (bytes memory) {
        uint256 actor = _actorPlusOne[_roster[id][i]] - 1;
        uint256[2] memory pkI;
        uint256[2] memory pkJ;
        (pkI[0], pkI[1]) = Keys.publicKey(actor);
        (pkJ[0], pkJ[1]) = Keys.publicKey(_actorPlusOne[_roster[id][peer]] - 1);
        bytes32 context = keccak256(abi.encode(block.chainid, address(market), id));
        uint256 nonce = uint256(keccak256(abi.encode("dleq nonce", id, i, peer)));
        (uint256[2] memory shared, uint256[2] memory r1, uint256[2] memory r2, uint256 s) =
            Protocol.dleqProof(Keys.secretKey(actor), pkI, pkJ, nonce, context);
        return abi.encodeCall(IOmniMarket.disputeCommitment, (id, _jobs[id].round, peer, shared, r1, r2, s));
    }

    /// @dev A pair of the current round in which a member committed a garbage value (commit variant 6) and its
    /// peer the true one, neither yet convicted, as (found, the peer, the false committer).
    function _mismatchedPair(uint256 id) internal view returns (bool, uint256, uint256) {
        Job storage j = _jobs[id];
        uint256 suspects = j.falseCommitters & j.committed & ~j.convicted;
        if (suspects == 0) return (false, 0, 0);
        uint256[][] memory gs = _groups(id);
        uint256[] memory list = _list(suspects);
        for (uint256 q = 0; q < list.length; ++q) {
            uint256 x = list[q];
            uint256[] memory peers = _peers(gs, x);
            for (uint256 p = 0; p < peers.length; ++p) {
                uint256 y = peers[p];
                if ((j.convicted >> y) & 1 == 0 && _mismatched(id, y, x)) return (true, y, x);
            }
        }
        return (false, 0, 0);
    }

    /// @dev The commitment member `i` made for its pair with `peer` this round (both in one group, `i` committed).
    function _commitmentFor(uint256 id, uint256 i, uint256 peer) internal view returns (bytes32) {
        uint256[] memory mine = _peers(_groups(id), i);
        uint256 q;
        while (mine[q] != peer) ++q;
        return _commitments[_key(id, _jobs[id].round, i)][q];
    }

    /// @dev Whether `i` and `peer` are one group's members that both committed, to different values for their pair.
    function _mismatched(uint256 id, uint256 i, uint256 peer) private view returns (bool) {
        Job storage j = _jobs[id];
        if ((j.committed >> i) & 1 == 0 || (j.committed >> peer) & 1 == 0) return false;
        uint256[][] memory gs = _groups(id);
        if (_groupOf(gs, peer) != _groupOf(gs, i) || peer == i) return false;
        return _commitmentFor(id, i, peer) != _commitmentFor(id, peer, i);
    }

    /// @dev Member `i` submits its next chunk(s). Variants: 6 a garbage vector, 7 drops out, 8 one word short,
    /// 9 skips a chunk; odd honest variants post one chunk at a time.
    function _submit(uint256 id, uint256 i, uint256 variant) internal {
        Job storage j = _jobs[id];
        if (variant == 7) {
            j.absent |= uint256(1) << i;
            return;
        }
        uint256 first = _chunks[_key(id, j.round, i)] + (variant == 9 ? 1 : 0);
        uint256 last = variant % 2 == 1 ? first + 1 : j.K;
        if (last > j.K) last = j.K;
        if (last < first) last = first;
        (uint256[] memory plain, uint256[] memory masked) = _vector(id, i, _wordAt(j, first), _wordAt(j, last), variant == 6);
        bytes memory words = abi.encodePacked(masked);
        if (variant == 8) {
            assembly ("memory-safe") {
                let short := gt(mload(words), 0)
                mstore(words, sub(mload(words), mul(short, 32)))
                mstore(masked, sub(mload(masked), short))
                mstore(plain, sub(mload(plain), short))
            }
            // When the last chunk is a single word, the words left are still whole chunks: the call is
            // accepted and submits the chunks before it.
            last = _chunkAfter(j, first, words.length);
        }
        address who = _roster[id][i];
        bytes memory expected = _roundChecks(id, Phase.Submit, j.round, who);
        if (expected.length == 0) expected = _submitChecks(id, i, first, words.length);
        if (!_expect(who, 0, abi.encodeCall(IOmniMarket.submitMasked, (id, j.round, first, words)), expected, "submitMasked")) {
            // A member the market refuses for too few active pairs or a void group can never submit this round.
            bytes4 refusal = bytes4(expected);
            if (refusal == IOmniMarket.MarketTooFewActivePeers.selector || refusal == IOmniMarket.MarketGroupVoid.selector) {
                j.absent |= uint256(1) << i;
            }
            return;
        }
        _recordSubmit(id, i, first, last, plain, masked);
    }

    /// @dev The chunk after the whole chunks that `length` bytes cover from chunk `first`, or `first` when they
    /// end inside a chunk or run past the last one (the market refuses such a call).
    function _chunkAfter(Job storage j, uint256 first, uint256 length) private view returns (uint256 k) {
        uint256 offset;
        for (k = first; offset < length; ++k) {
            uint256 size = k * j.C >= j.W ? 0 : 32 * (j.W - k * j.C < j.C ? j.W - k * j.C : j.C);
            if (size == 0 || offset + size > length) return first;
            offset += size;
        }
    }

    /// @dev First word of chunk `k` (W past the end).
    function _wordAt(Job storage j, uint256 k) private view returns (uint256) {
        return k * j.C < j.W ? k * j.C : j.W;
    }

    /// @dev Books chunks [first, last) of member `i`'s plaintext and masked words.
    function _recordSubmit(
        uint256 id,
        uint256 i,
        uint256 first,
        uint256 last,
        uint256[] memory plain,
        uint256[] memory masked
    ) private {
        Job storage j = _jobs[id];
        bytes32 key = _key(id, j.round, i);
        if (first == 0) {
            _masked[key] = new uint256[](j.W);
            _plain[key] = new uint256[](j.W);
        }
        uint256 from = _wordAt(j, first);
        for (uint256 w = 0; w < masked.length; ++w) {
            _masked[key][from + w] = masked[w];
            _plain[key][from + w] = plain[w];
        }
        _chunks[key] = last;
        if (last == j.K) {
            j.submitted |= uint256(1) << i;
            if (_pop(j.submitted) == _pop(j.committed)) j.submitEndedAt = block.timestamp;
        }
        if (market.chunksSubmitted(id, i) != last) _mismatch("chunks submitted", id);
    }

    /// @dev Words [fromWord, toWord) of member `i`'s plaintext and masked vector: an honest update masked with
    /// every active pair, or garbage whose plaintext is what unmasking it gives.
    function _vector(
        uint256 id,
        uint256 i,
        uint256 fromWord,
        uint256 toWord,
        bool garbage
    ) private view returns (uint256[] memory plain, uint256[] memory masked) {
        Job storage j = _jobs[id];
        uint256[] memory peers = _activeList(id, i);
        bytes32[] memory seeds = new bytes32[](peers.length);
        for (uint256 q = 0; q < peers.length; ++q) seeds[q] = _seed(id, i, peers[q]);
        plain = new uint256[](toWord - fromWord);
        masked = new uint256[](toWord - fromWord);
        for (uint256 w = fromWord; w < toWord; ++w) {
            if (garbage) {
                masked[w - fromWord] = uint256(keccak256(abi.encode("garbage vector", id, j.round, i, w)));
                plain[w - fromWord] = Protocol.unmaskWord(masked[w - fromWord], i, peers, seeds, w);
            } else {
                plain[w - fromWord] = Protocol.updateWord(j.p.paramCount, j.round, w, keccak256(abi.encode(id, i)));
                masked[w - fromWord] = Protocol.maskWord(plain[w - fromWord], i, peers, seeds, w);
            }
        }
    }

    /// @dev The first refusal of a submission of `length` bytes from chunk `first`, after the round checks.
    function _submitChecks(uint256 id, uint256 i, uint256 first, uint256 length) internal view returns (bytes memory) {
        Job storage j = _jobs[id];
        bytes32 key = _key(id, j.round, i);
        if ((j.committed >> i) & 1 == 0) return abi.encodeWithSelector(IOmniMarket.MarketNotCommitted.selector, id, j.round, i);
        uint256 active = _pop(_active[key]);
        if (active < 2) return abi.encodeWithSelector(IOmniMarket.MarketTooFewActivePeers.selector, id, j.round, i, active);
        if (j.convicted != 0) {
            uint256[][] memory gs = _groups(id);
            uint256 g = _groupOf(gs, i);
            if (_bits(gs[g]) & j.convicted != 0) return abi.encodeWithSelector(IOmniMarket.MarketGroupVoid.selector, id, j.round, g);
        }
        if (first != _chunks[key]) return abi.encodeWithSelector(IOmniMarket.MarketUnexpectedChunk.selector, id, _chunks[key], first);
        uint256 offset;
        uint256 k = first;
        while (offset < length) {
            uint256 size = k * j.C >= j.W ? 0 : 32 * (j.W - k * j.C < j.C ? j.W - k * j.C : j.C);
            if (size == 0 || offset + size > length) break;
            offset += size;
            ++k;
        }
        if (offset != length || k == first) return abi.encodeWithSelector(IOmniMarket.MarketInvalidWordsLength.selector, id, length);
        return "";
    }

    /// @dev Submitter `i` reveals its dropped peers' seeds. Variants: 6 a lie, 7 stays silent, 8 a peer missing.
    function _reveal(uint256 id, uint256 i, uint256 variant) internal {
        Job storage j = _jobs[id];
        if (variant == 7) {
            j.absent |= uint256(1) << i;
            return;
        }
        address who = _roster[id][i];
        uint256[][] memory gs = _groups(id);
        uint256 targets = _groupOf(gs, i) < gs.length ? _targets(id, gs, i) : 0;
        uint256[] memory peers = _list(targets);
        if (variant == 8 && peers.length > 0) {
            assembly ("memory-safe") {
                mstore(peers, sub(mload(peers), 1))
            }
        }
        bytes32[] memory seeds = new bytes32[](peers.length);
        for (uint256 q = 0; q < peers.length; ++q) seeds[q] = _seed(id, i, peers[q]);
        if (variant == 6 && peers.length > 0) seeds[0] = keccak256(abi.encode("a lie", id, i));
        bytes memory expected = _roundChecks(id, Phase.Reveal, j.round, who);
        if (expected.length == 0) {
            if ((j.submitted >> i) & 1 == 0) expected = abi.encodeWithSelector(IOmniMarket.MarketNotSubmitter.selector, id, j.round, i);
            else if ((j.revealed >> i) & 1 == 1) {
                expected = abi.encodeWithSelector(IOmniMarket.MarketAlreadyRevealed.selector, id, j.round, i);
            } else if (targets == 0) {
                expected = abi.encodeWithSelector(IOmniMarket.MarketNothingToReveal.selector, id, j.round, i);
            } else if (_bits(peers) != targets) {
                expected = abi.encodeWithSelector(IOmniMarket.MarketRevealMismatch.selector, id, i, targets, _bits(peers));
            }
        }
        if (!_expect(who, 0, abi.encodeCall(IOmniMarket.revealSeeds, (id, j.round, peers, seeds)), expected, "revealSeeds")) return;
        j.revealed |= uint256(1) << i;
        if (variant == 6) j.contradicted |= uint256(1) << i;
    }

    /// @dev Aggregates the next chunk (anyone may). Variants: 6 a flipped byte, 7 a word short, 8 the next
    /// round, 9 a chunk ahead.
    function _aggregate(uint256 id, address caller, uint256 variant) internal {
        Job storage j = _jobs[id];
        uint256 round = j.round + (variant == 8 ? 1 : 0);
        uint256 k = j.chunksAggregated + (variant == 9 ? 1 : 0);
        uint256[][] memory gs = _groups(id);
        uint256[] memory slices = _slices(id, gs);
        bytes memory data = _chunkData(id, slices, k);
        if (variant == 7 && data.length >= 32) {
            assembly ("memory-safe") {
                mstore(data, sub(mload(data), 32))
            }
        }
        uint256 flipped = type(uint256).max;
        if (variant == 6 && data.length > 0) {
            flipped = (id * 7919 + k) % data.length;
            data[flipped] = bytes1(uint8(data[flipped]) ^ 0x01);
        }
        bytes memory expected = _anyoneChecks(id, Phase.Aggregate, round);
        if (expected.length == 0) {
            uint256 sliceBytes = 32 * _chunkLength(j, k);
            uint256 eligible = _pop(_eligibleBits(id, gs));
            if (eligible < _needed(j.p)) {
                expected = abi.encodeWithSelector(IOmniMarket.MarketTooFewEligibleGroups.selector, id, round, eligible, _needed(j.p));
            } else if (k != j.chunksAggregated || k >= j.K) {
                expected = abi.encodeWithSelector(IOmniMarket.MarketUnexpectedChunk.selector, id, j.chunksAggregated, k);
            } else if (_pop(_countedGroups(id)) < _needed(j.p)) {
                uint256 counted = _pop(_countedGroups(id));
                expected = abi.encodeWithSelector(IOmniMarket.MarketTooFewEligibleGroups.selector, id, round, counted, _needed(j.p));
            } else if (data.length != slices.length * sliceBytes) {
                expected = abi.encodeWithSelector(IOmniMarket.MarketInvalidDataLength.selector, id, slices.length * sliceBytes, data.length);
            } else if (flipped != type(uint256).max) {
                expected = abi.encodeWithSelector(IOmniMarket.MarketChunkHashMismatch.selector, id, slices[flipped / sliceBytes], k);
            }
        }
        vm.recordLogs();
        if (!_expect(caller, 0, abi.encodeCall(IOmniMarket.aggregateChunk, (id, round, k, data)), expected, "aggregateChunk")) return;
        _checkCredits(vm.getRecordedLogs(), id, round, k);
        ++j.chunksAggregated;
        _payFee(id, caller);
    }

    /// @dev Books the job's aggregation fee, if any, to the sender of an aggregation transaction.
    function _payFee(uint256 id, address caller) internal {
        Job storage j = _jobs[id];
        if (j.p.aggregationFee == 0) return;
        j.books.fees += j.p.aggregationFee;
        feesEarned[j.p.token][caller] += j.p.aggregationFee;
        _credit(id, caller, j.p.aggregationFee);
        ++feesCredited;
    }

    /// @dev Submitters of the counted groups (eligible, not over the norm bound in an earlier chunk) in the
    /// aggregation data's order.
    function _slices(uint256 id, uint256[][] memory gs) internal view returns (uint256[] memory slices) {
        Job storage j = _jobs[id];
        uint256 eligible = j.members == 0 ? 0 : _countedGroups(id);
        uint256 count;
        for (uint256 k = 0; k < gs.length; ++k) {
            if ((eligible >> k) & 1 == 1) count += _pop(j.submitted & _bits(gs[k]));
        }
        slices = new uint256[](count);
        uint256 s;
        for (uint256 k = 0; k < gs.length; ++k) {
            if ((eligible >> k) & 1 == 0) continue;
            uint256[] memory subs = _list(j.submitted & _bits(gs[k]));
            for (uint256 u = 0; u < subs.length; ++u) slices[s++] = subs[u];
        }
    }

    /// @dev Chunk `k` of every slice's submitted words, back to back.
    function _chunkData(uint256 id, uint256[] memory slices, uint256 k) internal view returns (bytes memory data) {
        Job storage j = _jobs[id];
        uint256 len = _chunkLength(j, k);
        data = new bytes(32 * len * slices.length);
        for (uint256 s = 0; s < slices.length; ++s) {
            uint256[] storage words = _masked[_key(id, j.round, slices[s])];
            for (uint256 w = 0; w < len; ++w) {
                uint256 word = words[k * j.C + w];
                assembly ("memory-safe") {
                    mstore(add(add(data, 0x20), shl(5, add(mul(s, len), w))), word)
                }
            }
        }
    }

    /// @dev Words in chunk `k` (0 past the last).
    function _chunkLength(Job storage j, uint256 k) internal view returns (uint256) {
        if (k * j.C >= j.W) return 0;
        return j.W - k * j.C < j.C ? j.W - k * j.C : j.C;
    }

    /// @dev Finalizes the round (anyone may) and checks result, pay, slashes, forfeits, the fee and settlement
    /// against the record. A void round pays nobody and still slashes; the job moves on while rounds remain and
    /// enough members for the rule's groups are left, else it settles: the unspent budget to the MO, everything
    /// slashed or forfeited to the burn address, the stakes (less forfeits) to their DOs. Variant 9: the next round.
    function _finalize(uint256 id, address caller, uint256 variant) internal {
        Job storage j = _jobs[id];
        uint256 round = j.round + (variant == 9 ? 1 : 0);
        bytes memory expected = _anyoneChecks(id, Phase.Aggregate, round);
        Outcome memory o;
        if (expected.length == 0) {
            o = _outcome(id);
            if (o.incomplete) {
                expected = abi.encodeWithSelector(IOmniMarket.MarketAggregationIncomplete.selector, id, round, j.chunksAggregated, j.K);
            }
        }
        vm.recordLogs();
        if (!_expect(caller, 0, abi.encodeCall(IOmniMarket.finalizeRound, (id, round)), expected, "finalizeRound")) return;
        _checkCredits(vm.getRecordedLogs(), id, round, j.K);
        _compareResult(id, o);
        ++roundsFinalized;
        if (o.voided) ++roundsVoided;
        if (o.voided && _pop(o.eligible & ~o.excluded) >= _needed(j.p)) ++roundsExpired;
        groupsOverBound += _pop(o.excluded);
        for (uint256 i = 0; i < j.p.numDOs; ++i) {
            if ((o.paid >> i) & 1 == 0) continue;
            j.books.paid += j.p.rewardPerRound;
            _credit(id, _roster[id][i], j.p.rewardPerRound);
            ++rewardsCredited;
        }
        j.slashed |= o.slashes;
        j.forfeited |= o.forfeits;
        j.books.slashed += _pop(o.slashes) * j.p.stake + _pop(o.forfeits) * _forfeit(j.p);
        slashes += _pop(o.slashes);
        uint256 convicted = _recordRound(id, o);
        j.slashed |= convicted;
        j.books.slashed += _pop(convicted) * j.p.stake;
        convictions += _pop(convicted);
        forfeits += _pop(o.forfeits);
        _payFee(id, caller);
        uint256 remaining = j.p.numDOs - _pop(j.slashed | j.forfeited);
        if (round + 1 < j.p.rounds && remaining / j.p.groupSize >= _needed(j.p)) {
            _openRound(id, round + 1);
        } else {
            _settle(id);
        }
        if (market.jobInfo(id).slashedMembers != j.slashed) _mismatch("slashed members", id);
        for (uint256 i = 0; i < j.p.numDOs; ++i) {
            if (!_sameRecord(market.memberRecord(id, i), _records[id][i])) _mismatch(string.concat("record of member ", vm.toString(i)), id);
        }
        if (market.jobInfo(id).absentMembers != j.forfeited) _mismatch("absent members", id);
    }

    /// @dev Whether the market's record of a member is the ghost's.
    function _sameRecord(MemberRecord memory m, Record storage r) private view returns (bool) {
        return
            m.played == r.played &&
            m.overBound == r.overBound &&
            m.clean == r.clean &&
            m.held == r.held &&
            m.cleared == r.cleared &&
            m.evidence == r.evidence;
    }

    /// @dev Closes a completed job in the record.
    function _settle(uint256 id) private {
        Job storage j = _jobs[id];
        j.closed = true;
        uint256 heldBurned;
        for (uint256 i = 0; i < j.p.numDOs; ++i) {
            (uint256 released, uint256 burned) = _heldAtSettlement(id, i);
            if (released != 0) _credit(id, _roster[id][i], released);
            j.books.paid += released;
            heldBurned += burned;
        }
        j.books.slashed += heldBurned;
        j.books.refunded = j.books.budget - j.books.paid - j.books.fees - heldBurned;
        _credit(id, j.owner, j.books.refunded);
        _credit(id, BURN_ADDRESS, j.books.slashed);
        uint256 returned;
        for (uint256 i = 0; i < j.p.numDOs; ++i) {
            if ((j.slashed >> i) & 1 == 1) continue;
            uint256 amount = (j.forfeited >> i) & 1 == 1 ? j.p.stake - _forfeit(j.p) : j.p.stake;
            _credit(id, _roster[id][i], amount);
            returned += amount;
        }
        j.books.stakesReturned = returned;
        ++jobsCompleted;
    }

    /// @dev The market's round result against the plaintext recomputation.
    function _compareResult(uint256 id, Outcome memory o) private {
        RoundResult memory r = market.roundResult(id, _jobs[id].round);
        if (r.eligibleGroups != o.eligible) _mismatch("eligible groups", id);
        if (r.excludedGroups != o.excluded) _mismatch("groups over the norm bound", id);
        if (r.inlierGroups != o.inliers) _mismatch("inlier groups", id);
        if (r.aggregateHash != o.aggregateHash) _mismatch("aggregate of the plaintext means", id);
        if (r.medianDistance != o.medianDistance || r.aggNorm != o.aggNorm) _mismatch("distances", id);
    }
}
