// Deploys OmniMarket with its linked libraries (JobLogic, RoundLogic, AggregateLogic).
import type { Signer } from "ethers";
import { AggregateLogic__factory, JobLogic__factory, OmniMarket__factory, RoundLogic__factory } from "../../typechain-types";
import type { OmniMarket } from "../../typechain-types";

export type DeployMarketParameters = { signer: Signer };
export type DeployMarketReturnType = { market: OmniMarket; address: string };

/** Deploys the three logic libraries, links them into OmniMarket and deploys it. */
export async function deployMarket(signer: Signer): Promise<DeployMarketReturnType> {
  const jobLogic = await new JobLogic__factory(signer).deploy();
  const roundLogic = await new RoundLogic__factory(signer).deploy();
  const aggregateLogic = await new AggregateLogic__factory(signer).deploy();
  const market = await new OmniMarket__factory(
    {
      "contracts/libraries/JobLogic.sol:JobLogic": await jobLogic.getAddress(),
      "contracts/libraries/RoundLogic.sol:RoundLogic": await roundLogic.getAddress(),
      "contracts/libraries/AggregateLogic.sol:AggregateLogic": await aggregateLogic.getAddress(),
    },
    signer,
  ).deploy();
  await market.waitForDeployment();
  return { market, address: await market.getAddress() };
}
