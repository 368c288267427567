#!/usr/bin/env node
// A solc command line over the solc npm package (solc-js), so forge compiles offline with the same compiler as Hardhat.
const fs = require("fs");
const path = require("path");
const solc = require("solc");

const root = path.resolve(__dirname, "..");
const args = process.argv.slice(2);

if (args.includes("--version")) {
  // forge reads the version from this line, as printed by a native solc.
  process.stdout.write(`solc, the solidity compiler commandline interface\nVersion: ${solc.version()}\n`);
} else if (args.includes("--standard-json")) {
  // Imports missing from the input are read from the project root, then from node_modules.
  const findImports = (file) => {
    for (const base of [root, path.join(root, "node_modules")]) {
      const full = path.resolve(base, file);
      if (full.startsWith(root) && fs.existsSync(full)) return { contents: fs.readFileSync(full, "utf8") };
    }
    return { error: `File not found: ${file}` };
  };
  const input = fs.readFileSync(0, "utf8");
  process.stdout.write(solc.compile(input, { import: findImports }));
} else {
  process.stderr.write("usage: solc-native.js --version | --standard-json < input.json\n");
  process.exit(1);
}
