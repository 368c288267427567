// Hardhat configuration: offline solc from the `solc` npm package, the in-process network,
// a local `hardhat node`, and any EVM chain given by RPC_URL in the environment.
// The in-process network (the contract tests) automines: a block per transaction, the clock moved by the tests.
// A `hardhat node` started by src/devnet/localNode.ts sets OMNI_NODE_BLOCK_TIME_MS and mines a block on that
// interval instead, so its clock follows wall time.
import { subtask } from "hardhat/config";
import { TASK_COMPILE_SOLIDITY_GET_SOLC_BUILD } from "hardhat/builtin-tasks/task-names";
import type { HardhatUserConfig } from "hardhat/config";
import "@nomicfoundation/hardhat-toolbox";

const SOLC_VERSION = "0.8.30";

// Compile with the solc-js build shipped in node_modules, so no compiler download is needed.
subtask(TASK_COMPILE_SOLIDITY_GET_SOLC_BUILD, async (args: { solcVersion: string }, _hre, runSuper) => {
  if (args.solcVersion !== SOLC_VERSION) return runSuper(args);
  return {
    compilerPath: require.resolve("solc/soljson.js"),
    isSolcJs: true,
    version: SOLC_VERSION,
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the compiler package's own version string
    longVersion: require("solc/package.json").version,
  };
});

const remote = process.env.RPC_URL
  ? {
      remote: {
        url: process.env.RPC_URL,
        accounts: process.env.PRIVATE_KEY ? [process.env.PRIVATE_KEY] : [],
      },
    }
  : {};

/** Interval mining for a `hardhat node` when OMNI_NODE_BLOCK_TIME_MS names the milliseconds between blocks. */
function intervalMining(): { mining?: { auto: false; interval: number } } {
  const value = process.env.OMNI_NODE_BLOCK_TIME_MS;
  if (value === undefined || value === "") return {};
  const interval = Number(value);
  if (!Number.isInteger(interval) || interval < 1) throw new Error(`OMNI_NODE_BLOCK_TIME_MS must be a whole number of milliseconds, got "${value}"`);
  return { mining: { auto: false, interval } };
}

const config: HardhatUserConfig = {
  solidity: {
    version: SOLC_VERSION,
    settings: { optimizer: { enabled: true, runs: 200 }, evmVersion: "prague" },
  },
  networks: {
    hardhat: { allowUnlimitedContractSize: false, ...intervalMining() },
    localhost: { url: process.env.LOCALHOST_URL ?? "http://127.0.0.1:8545" },
    ...remote,
  },
  mocha: { timeout: 600_000 },
  gasReporter: { enabled: false },
};

export default config;
