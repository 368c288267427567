// Deploys the market to the selected Hardhat network and records addresses and ABIs in
// deployments/<network>.json. Usage: npx hardhat run scripts/deploy.ts --network <name>.
import hre from "hardhat";
import { deployMarket } from "../src/chain/deployMarket";
import { writeDeployment } from "../src/chain/deployment";

async function main(): Promise<void> {
  const [deployer] = await hre.ethers.getSigners();
  if (!deployer) throw new Error(`network ${hre.network.name} has no account to deploy from (set PRIVATE_KEY)`);
  const { address } = await deployMarket(deployer);
  const { chainId } = await hre.ethers.provider.getNetwork();
  const { abi } = await hre.artifacts.readArtifact("OmniMarket");
  const client = String(await hre.ethers.provider.send("web3_clientVersion", []));
  const file = await writeDeployment(hre.network.name, chainId, { OmniMarket: { address, abi: abi as unknown[] } }, client);
  console.log(`OmniMarket deployed on ${hre.network.name} at ${address}; recorded in ${file}`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
