// `npm run test:forge` and `npm run forge -- <args>`: runs Foundry's forge from its npm platform package
// (src/devnet/foundry.ts) with the given arguments in the project root, and exits with its code.
import { spawnSync } from "child_process";
import path from "path";
import { foundryBinary } from "../src/devnet/foundry";

const run = spawnSync(foundryBinary("forge"), process.argv.slice(2), { cwd: path.join(__dirname, ".."), stdio: "inherit" });
if (run.error) {
  console.error(`forge: ${run.error.message}`);
  process.exit(2);
}
process.exit(run.status ?? 1);
