// The fuzz's deployment (the market, an ERC-20, the probe that reads many views in one call, a contract that
// relays calls to the market, funded actors), the counters a run reports, and what the actions and checks of
// one call sequence share.
import { ethers } from "hardhat";
import { MaxUint256 } from "ethers";
import { deployMarket } from "../../../src/chain/deployMarket";
import { ACTORS } from "./arbitraries";
import type { Ghost } from "./ghost";
import type { Sender } from "./sender";

/** Deploys the market, a token every actor holds and has approved, the probe and the relay. */
export async function fuzzFixture() {
  const signers = (await ethers.getSigners()).slice(0, ACTORS);
  const { market, address } = await deployMarket(signers[0]);
  const token = await ethers.deployContract("MockERC20");
  const probe = await ethers.deployContract("MarketProbe");
  // Anyone may call the market through it; the market refuses masked words it relays (MarketSubmitterNotDirect).
  const relay = await ethers.deployContract("HostileReceiver", [address]);
  const tokenAddress = await token.getAddress();
  for (const s of signers) {
    await token.mint(s.address, 10n ** 24n);
    await token.connect(s).approve(address, MaxUint256);
  }
  const chainId = (await ethers.provider.getNetwork()).chainId;
  return {
    market,
    address,
    token,
    tokenAddress,
    probe,
    relay,
    relayAddress: await relay.getAddress(),
    signers,
    addresses: signers.map((s) => s.address),
    chainId,
  };
}
export type Fixture = Awaited<ReturnType<typeof fuzzFixture>>;

/** What the fuzz exercised, over all its runs. */
export interface Stats {
  steps: number;
  txs: number;
  succeeded: number;
  reverts: Map<string, number>;
  outOfPhase: number;
  roundsFinalized: number;
  completed: number;
  cancelled: number;
  released: number;
  contradictions: number;
  slashes: number;
  forfeits: number;
  convictions: number;
  paidRounds: number;
  voided: number;
  expired: number;
  expiredMidway: number;
  overBound: number;
  certified: number; // geometric-median rounds finalized with their certificate
  uncertified: number; // geometric-median finalizations without weights: refused, or void after the deadline
  blameConvictions: number; // members convicted by their record (blame across rounds)
  fees: number;
  maxConcurrentJobs: number;
}

/** Counters at zero. */
export function newStats(): Stats {
  return {
    steps: 0,
    txs: 0,
    succeeded: 0,
    reverts: new Map(),
    outOfPhase: 0,
    roundsFinalized: 0,
    completed: 0,
    cancelled: 0,
    released: 0,
    contradictions: 0,
    slashes: 0,
    forfeits: 0,
    convictions: 0,
    paidRounds: 0,
    voided: 0,
    expired: 0,
    expiredMidway: 0,
    overBound: 0,
    certified: 0,
    uncertified: 0,
    blameConvictions: 0,
    fees: 0,
    maxConcurrentJobs: 0,
  };
}

/** One call sequence: the deployment, the counters, the sender of its calls and the ghost model it keeps. */
export interface Run {
  f: Fixture;
  stats: Stats;
  chain: Sender;
  ghost: Ghost;
}
