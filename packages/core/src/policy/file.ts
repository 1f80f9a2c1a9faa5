/**
 * The one reader of a policy file: strict JSON in UTF-8, every problem a `PolicyLoadError`
 * naming its JSON pointer. The Node entry passes `node:fs`; the testing entry, which imports
 * nothing from `node:`, passes the file system the runtime offers.
 */
import { type PolicyFile, PolicyLoadError } from "../types.js";
import { parsePolicyText } from "./validate.js";

/** `fs.readFileSync(path)`: the file's bytes, or a thrown error (`code: "ENOENT"` when missing). */
export type ReadFileBytes = (path: string) => Uint8Array;

/** Reads and validates the policy file at `file` (an absolute path: messages name it). */
export function readPolicyFile(file: string, readFile: ReadFileBytes): PolicyFile {
  let bytes: Uint8Array;
  try {
    bytes = readFile(file);
  } catch (error) {
    const missing = (error as { code?: unknown }).code === "ENOENT";
    throw new PolicyLoadError(
      [
        {
          path: "",
          message: missing
            ? `no policy file at ${file}: run \`npx cookie-policy init\` to create one, or pass \`config\``
            : `cannot read ${file}: ${(error as Error).message}`,
        },
      ],
      file,
    );
  }
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new PolicyLoadError([{ path: "", message: "the file is not valid UTF-8" }], file);
  }
  return parsePolicyText(text, file);
}
