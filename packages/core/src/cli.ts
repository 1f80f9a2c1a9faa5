#!/usr/bin/env node
/** The `cookie-policy` bin. */
import { main } from "./cli/main.js";

main(process.argv.slice(2), {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  cwd: process.cwd(),
}).then((code) => {
  process.exitCode = code;
});
