// Where a chain command finds its market and account: the market address and chain id from the
// deployment record (or --market), a node that is refused when it is on another chain, and the key
// from an encrypted keystore or PRIVATE_KEY (never printed).
import { Command } from "commander";
import { JsonRpcProvider, Network, getAddress, type Wallet } from "ethers";
import { readFileSync } from "fs";
import { chainCall, marketAt, type Deployment, type OmniMarket } from "../chain";
import { InvalidInputError } from "../errors";
import { loadWallet } from "../worker/identity";
import { addressOption } from "./options";

/** The flags every chain command takes. */
export interface ChainFlags {
  rpc: string;
  deployment: string;
  market?: string;
  keystore?: string;
}

/** Where a market lives; the chain id is unknown when only --market was given. */
export interface MarketLocation {
  market: string;
  chainId?: bigint;
}

/** A market handle with the node it talks to and, when asked for, the account that signs. */
export interface Connection {
  provider: JsonRpcProvider;
  market: OmniMarket;
  chainId: bigint;
  wallet?: Wallet;
}

/** Adds --rpc. */
export function rpcOption(command: Command): Command {
  return command.option("--rpc <url>", "JSON-RPC endpoint", "http://127.0.0.1:8545");
}

/** Adds --rpc, --deployment, --market and, for a command that signs, --keystore. */
export function chainOptions(command: Command, signs = true): Command {
  rpcOption(command)
    .option("--deployment <file>", "deployment record with the market address and chain id", "deployments/localhost.json")
    .option("--market <address>", "market address (overrides --deployment)", addressOption);
  if (!signs) return command;
  return command.option("--keystore <file>", "encrypted ethers JSON keystore (password from OMNI_KEYSTORE_PASSWORD); else PRIVATE_KEY");
}

/** The market address and chain id recorded in a deployment file. */
export function marketFromDeployment(file: string): Required<MarketLocation> {
  let parsed: Partial<Deployment>;
  try {
    parsed = JSON.parse(readFileSync(file, "utf8"));
  } catch (cause) {
    throw new InvalidInputError("--deployment", `cannot read ${file}: ${(cause as Error).message}`, { cause });
  }
  const address = parsed.contracts?.OmniMarket?.address;
  if (!address) throw new InvalidInputError("--deployment", `${file} has no OmniMarket address`);
  if (!Number.isSafeInteger(parsed.chainId)) throw new InvalidInputError("--deployment", `${file} has no numeric chainId`);
  return { market: address, chainId: BigInt(parsed.chainId!) };
}

/** The market named by --market, else the one in the deployment file. */
export function marketLocation(flags: Pick<ChainFlags, "deployment" | "market">): MarketLocation {
  return flags.market ? { market: flags.market } : marketFromDeployment(flags.deployment);
}

async function nodeChainId(url: string): Promise<bigint> {
  // A provider pinned to a placeholder network sends eth_chainId once instead of retrying network detection forever.
  const probe = new JsonRpcProvider(url, undefined, { staticNetwork: new Network("unknown", 0n) });
  try {
    return BigInt(await chainCall("connect", () => probe.send("eth_chainId", [])));
  } finally {
    probe.destroy();
  }
}

/**
 * Connects to the market at `where` through --rpc (with the account's wallet when `signer` is set), runs
 * `use` and closes the connection.
 */
export async function withMarket<T>(flags: Pick<ChainFlags, "rpc" | "keystore">, where: MarketLocation, signer: boolean, use: (c: Connection) => Promise<T>): Promise<T> {
  const chainId = await nodeChainId(flags.rpc);
  if (where.chainId !== undefined && where.chainId !== chainId) {
    throw new InvalidInputError("chain id", `${flags.rpc} is chain ${chainId}, but the market is recorded on chain ${where.chainId}`);
  }
  const provider = new JsonRpcProvider(flags.rpc, undefined, { staticNetwork: Network.from(chainId), pollingInterval: 250, cacheTimeout: -1 });
  try {
    if ((await chainCall("connect", () => provider.getCode(where.market))) === "0x") {
      throw new InvalidInputError("market", `no contract at ${where.market} on chain ${chainId}`);
    }
    const wallet = signer ? await loadWallet({ keystore: flags.keystore }, provider) : undefined;
    return await use({ provider, market: marketAt(getAddress(where.market), wallet ?? provider), chainId, wallet });
  } finally {
    provider.destroy();
  }
}
