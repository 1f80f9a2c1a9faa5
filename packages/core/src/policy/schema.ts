/**
 * The one description of `cookie-policy.json`. The TypeScript types (types.ts), the
 * validator (validate.ts) and the shipped `schema.json` (scripts/gen-schema.mjs) all come
 * from here, so they cannot drift apart.
 */
import { z } from "zod";
import { isIpLiteral, isValidHostName } from "../transport/host.js";
import { trustEntryError } from "../transport/trust.js";
import type { PolicyFile } from "../types.js";

/** RFC 6265 token characters; `*` is one of them, so globs are tokens too. */
const COOKIE_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

const seconds = (what: string) =>
  z
    .number()
    .int()
    .nonnegative()
    .meta({ description: `${what}, in whole seconds` });

const secureMode = z.enum(["always", "auto", "never"]).meta({
  description:
    '"always": Secure, and not sent over HTTP; "auto": Secure exactly when the request is HTTPS; "never": no Secure attribute',
});

const cookieSettingsShape = {
  secure: secureMode.optional(),
  httpOnly: z.boolean().optional(),
  sameSite: z.enum(["strict", "lax", "none"]).optional(),
  path: z
    .string()
    .regex(/^\/[\u0020-\u003a\u003c-\u007e]*$/, {
      error: 'must start with "/" and hold only printable ASCII without ";"',
    })
    .optional(),
  domain: z
    .string()
    .regex(/^\.?[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*$/, { error: "is not a domain name" })
    .optional(),
  maxAge: seconds("Max-Age").optional(),
  partitioned: z.boolean().optional(),
  priority: z.enum(["low", "medium", "high"]).optional(),
  onInsecure: z
    .enum(["drop", "error", "set"])
    .meta({
      description:
        'What to do with a cookie that requires Secure on an HTTP request: "drop" it, raise an "error", or "set" it anyway (the browser discards it)',
    })
    .optional(),
};

const cookieSettings = z.strictObject(cookieSettingsShape);

const cookieRule = z.strictObject({
  ...cookieSettingsShape,
  sensitive: z
    .boolean()
    .meta({
      description:
        "true: apply the `sensitive` settings; false: never, whatever the name patterns say",
    })
    .optional(),
});

const sensitiveSettings = z.strictObject({
  ...cookieSettingsShape,
  patterns: z
    .array(z.string().min(1))
    .meta({
      description: "Case-insensitive substrings of cookie names that make a cookie sensitive",
    })
    .optional(),
});

const trustEntry = z.string().superRefine((entry, ctx) => {
  const error = trustEntryError(entry);
  if (error !== null) ctx.addIssue({ code: "custom", message: error });
});

const trustSetting = z
  .union([z.boolean(), z.number().int().nonnegative(), z.array(trustEntry)], {
    error:
      "must be false, true, a number of hops, or a list of IP addresses, CIDR ranges and presets (loopback, linklocal, uniquelocal, cgnat, private)",
  })
  .meta({
    description:
      "false: believe only the socket; true: trust every hop; N: trust the N nearest hops; or a list of IP addresses, CIDR ranges and presets (loopback, linklocal, uniquelocal, cgnat, private)",
  });

const proxyHeader = z.enum([
  "forwarded",
  "x-forwarded-for",
  "x-forwarded-host",
  "x-forwarded-proto",
  "x-forwarded-ssl",
  "front-end-https",
  "cf-visitor",
]);

/** A redirect target: a host name, `*.` and a host name, or an IP address; no scheme, port or path. */
const redirectHost = z.string().superRefine((entry, ctx) => {
  const name = entry.startsWith("*.") ? entry.slice(2) : entry;
  if (isValidHostName(name) || (name === entry && isIpLiteral(entry))) return;
  ctx.addIssue({
    code: "custom",
    message: `${JSON.stringify(entry)} is not a host: write a name (example.com), a wildcard (*.example.com) or an IP address, without scheme, port or path`,
  });
});

const redirectSettings = z.strictObject({
  status: z.literal([301, 302, 307, 308], { error: "must be 301, 302, 307 or 308" }).optional(),
  hosts: z
    .array(redirectHost)
    .meta({
      description:
        "Hosts a redirect may name: exact names or `*.example.com` (any subdomain, not the apex)",
    })
    .optional(),
  exclude: z
    .array(z.string().regex(/^\//, { error: 'must start with "/"' }))
    .meta({ description: "Paths never redirected: exact, or prefixes ending in `*`" })
    .optional(),
  port: z.number().int().min(1).max(65535).optional(),
});

const hstsSettings = z.strictObject({
  maxAge: seconds("max-age").optional(),
  includeSubDomains: z.boolean().optional(),
  preload: z.boolean().optional(),
});

const profileShape = {
  proxy: z
    .strictObject({
      trust: trustSetting.optional(),
      headers: z
        .array(proxyHeader)
        .meta({ description: "Headers believed from a trusted hop, in priority order" })
        .optional(),
    })
    .optional(),
  https: z
    .strictObject({
      redirect: z
        .union([z.boolean(), redirectSettings], {
          error: "must be true, false or an object { status, hosts, exclude, port }",
        })
        .optional(),
      hsts: z
        .union([z.boolean(), hstsSettings], {
          error: "must be true, false or an object { maxAge, includeSubDomains, preload }",
        })
        .optional(),
    })
    .optional(),
  localhost: z
    .enum(["insecure", "secure-context"])
    .meta({
      description:
        '"secure-context": treat http://localhost on a loopback peer as secure for cookies only (Chromium and Firefox keep Secure cookies there; Safari has not always)',
    })
    .optional(),
  mode: z.enum(["enforce", "report-only"]).optional(),
  defaults: cookieSettings.optional(),
  sensitive: sensitiveSettings.optional(),
  cookies: z
    .record(
      z.string().regex(COOKIE_NAME, { error: "is not a cookie name or glob (RFC 6265 token)" }),
      cookieRule,
    )
    .meta({ description: "Exact cookie names or globs (`*` matches any run of characters)" })
    .optional(),
};

const profileSettings = z.strictObject({
  extends: z
    .string()
    .min(1)
    .meta({ description: "A profile of this file, or a built-in one, to inherit from" })
    .optional(),
  ...profileShape,
});

export const policySchema = z
  .strictObject({
    $schema: z.string().optional(),
    ...profileShape,
    profiles: z
      .record(z.string().min(1), profileSettings)
      .meta({ description: "Environment profiles (development, test, production, ...)" })
      .optional(),
  })
  .meta({
    title: "cookie-policy.json",
    description:
      "One cookie security policy for every Node framework: proxy trust, the transport decision, Secure/HttpOnly/SameSite, HTTPS redirect and HSTS.",
  });

/** Typed identity for `.ts`/`.js` policies: the editor checks the object against the schema's type. */
export function definePolicy(policy: PolicyFile): PolicyFile {
  return policy;
}

// Compile-time only: the schema must produce exactly the contract's type, both ways.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Assert<T extends true> = T;
export type SchemaMatchesPolicyFile = Assert<Same<z.infer<typeof policySchema>, PolicyFile>>;
