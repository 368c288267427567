// Where a chain command finds its market and account: the market address and chain id from the
// deployment record (or --market), and the key from an encrypted keystore or PRIVATE_KEY (never printed).
// The connection itself, which refuses a node on another chain, is src/chain/connection.ts.
import { Command } from "commander";
import { readDeployment, withConnection, type Connection } from "../chain";
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
  const deployment = readDeployment(file, "--deployment");
  return { market: deployment.contracts.OmniMarket.address, chainId: BigInt(deployment.chainId) };
}

/** The market named by --market, else the one in the deployment file. */
export function marketLocation(flags: Pick<ChainFlags, "deployment" | "market">): MarketLocation {
  return flags.market ? { market: flags.market } : marketFromDeployment(flags.deployment);
}

/** Connects to the market at `where` through --rpc (as the account when `signer` is set), runs `use` and closes the connection. */
export async function withMarket<T>(
  flags: Pick<ChainFlags, "rpc" | "keystore">,
  where: MarketLocation,
  signer: boolean,
  use: (c: Connection) => Promise<T>,
): Promise<T> {
  return withConnection({ rpcUrl: flags.rpc, market: where.market, chainId: where.chainId, signer: signer ? { keystore: flags.keystore } : undefined }, use);
}
