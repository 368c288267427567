// Where Foundry's binaries are: npm installs anvil and forge as platform packages
// (@foundry-rs/<tool>-<os>-<arch>/bin/<tool>), whose postinstall npm 11 does not run; the binary in the
// platform package runs as it is, so it is taken from there.
import { existsSync } from "fs";
import path from "path";
import { DevnetError } from "../errors";

/** The Foundry tools the project uses. */
export type FoundryTool = "anvil" | "forge";

/** The path of `tool`'s binary for this platform; throws naming the missing package. */
export function foundryBinary(tool: FoundryTool): string {
  const arch = process.arch === "x64" ? "amd64" : process.arch;
  const name = `@foundry-rs/${tool}-${process.platform}-${arch}`;
  let dir: string;
  try {
    dir = path.dirname(require.resolve(`${name}/package.json`));
  } catch (cause) {
    throw new DevnetError(`${tool} is not installed: package ${name} is missing (run npm ci)`, { cause });
  }
  const binary = path.join(dir, "bin", process.platform === "win32" ? `${tool}.exe` : tool);
  if (!existsSync(binary)) throw new DevnetError(`${tool} is not installed: ${binary} is missing (run npm ci)`);
  return binary;
}
