// Writes packages/core/schema.json from the built policy schema: the JSON Schema editors
// use through "$schema" comes from the same source as the validator (never by hand).
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { policyJsonSchema } from "../dist/index.js";

const out = fileURLToPath(new URL("../schema.json", import.meta.url));
writeFileSync(out, `${JSON.stringify(policyJsonSchema(), null, 2)}\n`);
