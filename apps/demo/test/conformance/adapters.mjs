/**
 * The adapters the conformance cases run against. Adding one is one entry:
 * `framework` is what `bin/serve.mjs --framework` takes; `unsupported` names, with
 * the reason, what the adapter cannot honour (cases that `needs` it are reported
 * as N/A with that reason, never silently skipped).
 */
export const adapters = [
  { name: "express", framework: "express" },
  { name: "fastify", framework: "fastify" },
  { name: "hono", framework: "hono" },
  { name: "koa", framework: "koa" },
  {
    name: "next",
    framework: "next",
    unsupported: {
      peer: "Next.js gives proxy.ts and route handlers no socket peer address under next start or Vercel (SPEC §2.2 step 5)",
      target:
        "Next.js's own server answers an absolute-form request target (`GET https://host/path`) with a 308 to that URL under next start, with no cookie and no HSTS, so plain HTTP is never taken for HTTPS",
    },
  },
];
