#!/usr/bin/env node
// Launcher for the omni CLI: compiles TypeScript on the fly (ts-node, transpile only, project
// tsconfig) and hands the arguments to src/cli.
"use strict";
const path = require("node:path");

require("ts-node").register({ transpileOnly: true, project: path.join(__dirname, "..", "tsconfig.json") });
require("../src/cli").run(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    console.error(error);
    process.exitCode = 1;
  },
);
