#!/usr/bin/env node
// stapler's command in npm's @stapler-build/stapler. The binary comes in a
// package per platform, each an optional dependency of this one with its
// os and cpu, so that npm installs only the one this machine runs (as
// esbuild ships); this runs it with the arguments, the standard streams
// and the exit status passed through.
"use strict";

const { spawnSync } = require("child_process");

const packages = {
  "linux x64": "@stapler-build/stapler-linux-x64",
  "linux arm64": "@stapler-build/stapler-linux-arm64",
  "darwin x64": "@stapler-build/stapler-darwin-x64",
  "darwin arm64": "@stapler-build/stapler-darwin-arm64",
  "win32 x64": "@stapler-build/stapler-win32-x64",
};

const platform = `${process.platform} ${process.arch}`;
const pkg = packages[platform];
if (!pkg) {
  console.error(`stapler: no binary for ${platform} in this package; with Go, install it with\n` +
    "  go install github.com/stapler-build/stapler/cmd/stapler@latest");
  process.exit(2);
}

let binary;
try {
  binary = require.resolve(`${pkg}/bin/stapler${process.platform === "win32" ? ".exe" : ""}`);
} catch (err) {
  console.error(`stapler: ${pkg}, which holds the binary for ${platform}, is not installed: ` +
    "install @stapler-build/stapler again without --omit=optional (or --no-optional)");
  process.exit(2);
}

const result = spawnSync(binary, process.argv.slice(2), { stdio: "inherit" });
if (result.error) {
  console.error(`stapler: ${binary}: ${result.error.message}`);
  process.exit(2);
}
if (result.signal) {
  process.kill(process.pid, result.signal);
}
process.exit(result.status);
