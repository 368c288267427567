// Reading and writing deployments/<network>.json: contract addresses and ABIs per network.
import { promises as fs } from "fs";
import path from "path";

/** One deployed contract: where it lives and how to talk to it. */
export interface DeployedContract {
  address: string;
  abi: unknown[];
}

/** The content of deployments/<network>.json. */
export interface Deployment {
  network: string;
  chainId: number;
  /** The node's web3_clientVersion when it was deployed (e.g. "anvil/v1.7.1"), when known. */
  client?: string;
  deployedAt: string;
  contracts: Record<string, DeployedContract>;
}

/** The folder that holds one JSON file per network. */
export const DEPLOYMENTS_DIR = path.join(__dirname, "..", "..", "deployments");

/** Records the deployed contracts of a network in deployments/<network>.json (atomically), with the client that served it; returns the file path. */
export async function writeDeployment(network: string, chainId: bigint | number, contracts: Record<string, DeployedContract>, client?: string): Promise<string> {
  const deployment: Deployment = { network, chainId: Number(chainId), ...(client ? { client } : {}), deployedAt: new Date().toISOString(), contracts };
  await fs.mkdir(DEPLOYMENTS_DIR, { recursive: true });
  const file = path.join(DEPLOYMENTS_DIR, `${network}.json`);
  // Write to a temporary file first so a crash never leaves a half-written deployment record.
  await fs.writeFile(`${file}.tmp`, JSON.stringify(deployment, null, 2) + "\n");
  await fs.rename(`${file}.tmp`, file);
  return file;
}
