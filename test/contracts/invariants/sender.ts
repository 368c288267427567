// How the fuzz reaches the chain: each call lands at the block time (and in the block) the model expects, and
// its outcome (the exact custom error, or success) must be the one the model predicts; the clock, the block
// number, the nonces and a trace of the calls for the failure report.
import { AssertionError } from "chai";
import { ethers, network } from "hardhat";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import type { ContractTransaction, Overrides, TransactionReceipt } from "ethers";
import type { OmniMarket } from "../../../typechain-types";
import type { Expectation, Failure } from "../marketModel";
import type { Fixture, Stats } from "./fixture";

const GAS = 16_000_000;
const MAX_FEE = 100n * 10n ** 9n;

/** A mined call and the block time it ran at. */
export interface Sent {
  receipt: TransactionReceipt;
  at: number;
}

/** Sends the calls of one sequence and keeps its clock. */
export class Sender {
  /** The block time the next call or block lands at. */
  now = 0;
  /** The number of the block the next call or block lands in (every mined call has a block of its own). */
  block = 0;
  /** A transaction of this step succeeded. */
  changed = false;
  trace: string[] = [];
  private nonces: number[] = [];

  constructor(
    readonly f: Fixture,
    readonly stats: Stats,
  ) {}

  /** Reads the clock and the nonces the sequence starts from. */
  async start() {
    this.now = (await time.latest()) + 1;
    this.block = (await ethers.provider.getBlockNumber()) + 1;
    // Explicit nonces, fees and gas keep every transaction to one request, mined even when it reverts.
    this.nonces = await Promise.all(this.f.addresses.map((a) => ethers.provider.getTransactionCount(a)));
  }

  /** Sends a call from actor `sender` at `now` and checks its outcome is `expected`; returns it mined, or null
   * for a predicted revert. */
  async send(
    label: string,
    sender: number,
    expected: Expectation,
    build: (market: OmniMarket, o: Overrides) => Promise<ContractTransaction>,
  ): Promise<Sent | null> {
    const signer = this.f.signers[sender];
    const at = this.now;
    await network.provider.send("evm_setNextBlockTimestamp", [at]);
    this.stats.txs++;
    const wanted = "error" in expected ? `${expected.error}(${expected.args.map(String).join(", ")})` : "success";
    this.trace.push(`t=${at} ${label} → ${wanted}`);
    if ("error" in expected) {
      // A call that must revert runs as an eth_call on the pending block (same timestamp, block number and
      // state): it would change nothing if mined, and not mining it keeps the fuzz fast.
      await this.expectRevert(label, signer.address, expected, build, "pending");
      return null;
    }
    let receipt: TransactionReceipt;
    try {
      const overrides: Overrides = { gasLimit: GAS, nonce: this.nonces[sender], maxFeePerGas: MAX_FEE, maxPriorityFeePerGas: 1n };
      receipt = (await (await signer.sendTransaction(await build(this.f.market, overrides))).wait())!;
    } catch (e) {
      throw new AssertionError(`${label}: expected success, got ${this.revertOf(e)}`);
    }
    this.nonces[sender]++;
    this.now++;
    if (receipt.blockNumber !== this.block) throw new AssertionError(`${label}: mined in block ${receipt.blockNumber}, expected ${this.block}`);
    this.block++;
    this.stats.succeeded++;
    this.changed = true;
    return { receipt, at };
  }

  /** A call from actor `sender` run as an eth_call in the latest block (its time, number and state), as if
   * sent in the same block as the last mined call; it must revert as `expected`. */
  async revertsInTheLatestBlock(label: string, sender: number, expected: Failure, build: (market: OmniMarket, o: Overrides) => Promise<ContractTransaction>) {
    this.stats.txs++;
    this.trace.push(`t=${this.now - 1} (in block ${this.block - 1}) ${label} → ${expected.error}(${expected.args.map(String).join(", ")})`);
    await this.expectRevert(label, this.f.signers[sender].address, expected, build, "latest");
  }

  /** Runs the call as an eth_call at `blockTag` and checks it reverts with `expected`. */
  private async expectRevert(
    label: string,
    from: string,
    expected: Failure,
    build: (market: OmniMarket, o: Overrides) => Promise<ContractTransaction>,
    blockTag: "pending" | "latest",
  ) {
    const wanted = `${expected.error}(${expected.args.map(String).join(", ")})`;
    let outcome = "success";
    try {
      const tx = await build(this.f.market, {});
      await ethers.provider.call({ ...tx, from, gasLimit: GAS, blockTag });
    } catch (e) {
      outcome = this.revertOf(e);
    }
    if (outcome !== wanted) throw new AssertionError(`${label}: expected ${wanted}, got ${outcome}`);
    this.stats.reverts.set(expected.error, (this.stats.reverts.get(expected.error) ?? 0) + 1);
    if (expected.error === "MarketUnexpectedPhase") this.stats.outOfPhase++;
  }

  /** The custom error of a reverted transaction as "Name(arg, …)", decoded from its revert data directly
   * (the fuzz checks thousands of them; revertedWithCustomError costs several milliseconds each). */
  private revertOf(e: unknown): string {
    const err = e as { data?: unknown; error?: { data?: unknown }; message?: string };
    const data = err.data ?? err.error?.data;
    const hex = typeof data === "string" ? data : (data as { data?: string } | undefined)?.data;
    if (typeof hex !== "string") return `a failure without revert data: ${err.message}`;
    const parsed = this.f.market.interface.parseError(hex);
    return parsed ? `${parsed.name}(${[...parsed.args].map(String).join(", ")})` : `unknown revert data ${hex}`;
  }

  /** The arguments of the market's events `name` in a receipt. */
  events(receipt: TransactionReceipt, name: string) {
    return receipt.logs
      .filter((l) => l.address === this.f.address)
      .map((l) => this.f.market.interface.parseLog(l))
      .filter((e) => e?.name === name)
      .map((e) => e!.args);
  }

  /** Mines an empty block at time `to`; the next call lands a second later. */
  async mine(to: number) {
    this.trace.push(`t=${to} time jump (+${to - this.now})`);
    await network.provider.send("evm_mine", [to]);
    this.now = to + 1;
    this.block++;
  }
}
