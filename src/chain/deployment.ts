// Reading and writing deployments/<network>.json: contract addresses and ABIs per network.
import { promises as fs } from "fs";
import path from "path";
import { z } from "zod";
import { addressString, readJsonFile } from "../infra/json";

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

const deployedContractSchema = z.object({ address: addressString, abi: z.array(z.unknown()).optional() }).passthrough();

/**
 * A deployment record as read back: the chain id and the market's address are required, the rest is checked
 * when present (records written by hand or by other tools may leave out the ABI, network or date).
 */
export const deploymentSchema = z
  .object({
    network: z.string().optional(),
    chainId: z.number().int().nonnegative().safe(),
    client: z.string().optional(),
    deployedAt: z.string().optional(),
    contracts: z.object({ OmniMarket: deployedContractSchema }).catchall(deployedContractSchema),
  })
  .passthrough();

/** A deployment record as read back by readDeployment. */
export type DeploymentRecord = z.infer<typeof deploymentSchema>;

/** Reads a deployment record; a missing, malformed or incomplete one is an input error on `field`. */
export function readDeployment(file: string, field = "deployment"): DeploymentRecord {
  return readJsonFile(file, deploymentSchema, field);
}

/** The folder that holds one JSON file per network. */
export const DEPLOYMENTS_DIR = path.join(__dirname, "..", "..", "deployments");

/** Records the deployed contracts of a network in deployments/<network>.json (atomically), with the client that served it; returns the file path. */
export async function writeDeployment(
  network: string,
  chainId: bigint | number,
  contracts: Record<string, DeployedContract>,
  client?: string,
): Promise<string> {
  const deployment: Deployment = { network, chainId: Number(chainId), ...(client ? { client } : {}), deployedAt: new Date().toISOString(), contracts };
  await fs.mkdir(DEPLOYMENTS_DIR, { recursive: true });
  const file = path.join(DEPLOYMENTS_DIR, `${network}.json`);
  // Write to a temporary file first so a crash never leaves a half-written deployment record.
  await fs.writeFile(`${file}.tmp`, JSON.stringify(deployment, null, 2) + "\n");
  await fs.rename(`${file}.tmp`, file);
  return file;
}
