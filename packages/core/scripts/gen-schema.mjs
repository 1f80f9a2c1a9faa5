// Writes packages/core/schema.json from the built policySchema: the JSON Schema editors
// use through "$schema" comes from the same zod source as the validator (never by hand).
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import { policySchema } from "../dist/index.js";

const out = fileURLToPath(new URL("../schema.json", import.meta.url));
const { $schema, title, description, ...rest } = z.toJSONSchema(policySchema, {
  target: "draft-2020-12",
  io: "input",
});
writeFileSync(out, `${JSON.stringify({ $schema, title, description, ...rest }, null, 2)}\n`);
