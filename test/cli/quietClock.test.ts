// `omni job status` and `omni job cancel` on a node that mines only when a transaction arrives, tried as a new
// user would: the join deadline has passed by the machine's clock, but no block has come since. status says the
// chain's next block ends the phase; cancel makes that block and settles the job instead of reverting
// MarketUnexpectedPhase(job, Joining, Cancelled).
import { expect } from "chai";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { LOCAL_CLOCK_GRACE_SECONDS, phaseName } from "../../src/chain";
import { jobEndingSoon, quietChain, wallTimePast, type QuietChain } from "../chain/quietChain";

const ROOT = path.join(__dirname, "..", "..");

describe("cli/job on a quiet chain", function () {
  this.timeout(120_000);
  let chain: QuietChain;
  let tmp: string;
  let deployment: string;

  const omni = (args: string[], privateKey = "") => {
    const r = spawnSync(process.execPath, [path.join(ROOT, "bin", "omni.js"), "job", ...args], {
      cwd: ROOT,
      encoding: "utf8",
      env: { ...process.env, PRIVATE_KEY: privateKey, OMNI_KEYSTORE_PASSWORD: "" },
    });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  };

  before(async function () {
    chain = await quietChain();
    tmp = mkdtempSync(path.join(os.tmpdir(), "omni-quiet-"));
    deployment = path.join(tmp, "localhost.json");
    const { chainId } = await chain.node.provider.getNetwork();
    writeFileSync(
      deployment,
      JSON.stringify({ network: "localhost", chainId: Number(chainId), deployedAt: "", contracts: { OmniMarket: { address: chain.address, abi: [] } } }),
    );
  });

  after(async function () {
    await chain?.node.stop();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it("status says the next block ends Joining, and cancel makes that block and settles the job", async function () {
    const { jobId, joinDeadline, budget } = await jobEndingSoon(chain, undefined, { publish: true }); // the shortest join window, 48 s
    await wallTimePast(joinDeadline, LOCAL_CLOCK_GRACE_SECONDS + 0.2);
    const target = ["--rpc", chain.node.url, "--deployment", deployment, "--job", jobId.toString()];

    const stalled = omni(["status", ...target]);
    expect(stalled.code, stalled.stderr).to.equal(0);
    const [first, second] = stalled.stdout.split("\n");
    expect(first).to.match(new RegExp(`^job ${jobId} on chain 31337 at 0x[0-9a-fA-F]{40}: Joining as of block \\d+ \\(chain time [0-9T:-]+Z\\)$`));
    expect(second).to.match(
      /^the join deadline [0-9T:-]+Z passed \d+ s ago by this machine's clock, but the chain has made no block since: its next block ends Joining: the job is then cancelled/,
    );

    const cancelled = omni(["cancel", ...target], chain.wallet.privateKey);
    expect(cancelled.code, cancelled.stderr).to.equal(0);
    expect(cancelled.stdout).to.contain(`job ${jobId} cancelled`).and.contain(`${budget} wei credited to the owner`);
    expect(phaseName(await chain.market.phase(jobId))).to.equal("Cancelled");

    const settled = omni(["status", ...target]);
    expect(settled.code, settled.stderr).to.equal(0);
    expect(settled.stdout).to.contain(": Cancelled as of block").and.not.contain("next block ends");
  });
});
