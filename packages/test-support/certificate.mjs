/**
 * A self-signed certificate for localhost, 127.0.0.1 and ::1, made with openssl when first
 * asked for (so no key is ever committed) and kept in memory for the rest of the process.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

let made;

/**
 * `{ key, cert }` as PEM buffers. Throws openssl's own error: `code: "ENOENT"` when openssl
 * is not on PATH, `stderr` when it refused.
 */
export function certificate() {
  if (made) return made;
  const dir = mkdtempSync(join(tmpdir(), "cookie-policy-cert-"));
  try {
    execFileSync(
      "openssl",
      [
        ...["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"],
        ...["-keyout", join(dir, "key.pem"), "-out", join(dir, "cert.pem")],
        ...["-subj", "/CN=localhost"],
        // Clients check the name they dialled against subjectAltName, not the CN.
        ...["-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1"],
      ],
      { stdio: ["ignore", "ignore", "pipe"] },
    );
    made = { key: readFileSync(join(dir, "key.pem")), cert: readFileSync(join(dir, "cert.pem")) };
    return made;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The certificate written into `dir` for programs that read files (a proxy, a server in
 * another process): `cert.pem`, `key.pem` and `combined.pem` (cert then key, as HAProxy
 * wants). The key files are readable by their owner only; removing `dir` removes them.
 */
export function writeCertificate(dir) {
  const { key, cert } = certificate();
  const paths = {
    cert: join(dir, "cert.pem"),
    key: join(dir, "key.pem"),
    combined: join(dir, "combined.pem"),
  };
  writeFileSync(paths.cert, cert);
  writeFileSync(paths.key, key, { mode: 0o600 });
  writeFileSync(paths.combined, Buffer.concat([cert, key]), { mode: 0o600 });
  return paths;
}
