/**
 * The one description of `cookie-policy.json`. The TypeScript types (types.ts), the
 * validator (validate.ts) and the shipped `schema.json` (json-schema.ts, written by
 * scripts/gen-schema.mjs) all come from here, so they cannot drift apart.
 *
 * It is plain data rather than a schema library's objects: the engine runs on edge
 * runtimes where every kilobyte of the bundle is paid for, and the validator that
 * reads this tree is a page of code.
 */
import { isIpLiteral, isValidHostName } from "../transport/host.js";
import { trustEntryError } from "../transport/trust.js";
import type { PolicyFile, ProxyHeader } from "../types.js";

/** One node of the schema. Every key of an object is optional: the built-in profile fills the rest. */
export type SchemaNode =
  | { readonly kind: "boolean"; readonly description?: string }
  | StringNode
  | {
      readonly kind: "integer";
      readonly min: number;
      readonly max: number;
      readonly description?: string;
    }
  | {
      readonly kind: "enum";
      readonly values: readonly (string | number)[];
      readonly description?: string;
    }
  | { readonly kind: "array"; readonly items: SchemaNode; readonly description?: string }
  | ObjectNode
  | {
      readonly kind: "record";
      readonly keys: StringNode;
      readonly values: SchemaNode;
      readonly description?: string;
    }
  | {
      readonly kind: "union";
      readonly options: readonly SchemaNode[];
      /** The message when the value fits no option: "must be …". */
      readonly error: string;
      readonly description?: string;
    };

export interface StringNode {
  readonly kind: "string";
  /** Set to 1 for "must not be empty". */
  readonly minLength?: number;
  readonly pattern?: RegExp;
  /** Follows the quoted value when `pattern` does not match: `"nope" must start with "/"`. */
  readonly patternError?: string;
  /** A rule a pattern cannot say (IP addresses, host names): the whole message, or null when fine. */
  readonly check?: (value: string) => string | null;
  readonly description?: string;
}

export interface ObjectNode {
  readonly kind: "object";
  readonly properties: Readonly<Record<string, SchemaNode>>;
  readonly title?: string;
  readonly description?: string;
}

/** A node with the TypeScript type of the values it accepts (compile time only). */
export type Schema<T> = SchemaNode & { readonly __type?: T };
type Infer<S> = S extends Schema<infer T> ? T : never;

const boolean = (): Schema<boolean> => ({ kind: "boolean" });

const string = (rules: Omit<StringNode, "kind"> = {}): Schema<string> & StringNode => ({
  kind: "string",
  ...rules,
});

const integer = (min: number, max = Number.MAX_SAFE_INTEGER): Schema<number> => ({
  kind: "integer",
  min,
  max,
});

const oneOf = <const V extends readonly (string | number)[]>(values: V): Schema<V[number]> => ({
  kind: "enum",
  values,
});

const array = <T>(items: Schema<T>): Schema<T[]> => ({ kind: "array", items });

const object = <S extends Record<string, Schema<unknown>>>(
  properties: S,
): Schema<{ [K in keyof S]?: Infer<S[K]> }> & ObjectNode => ({ kind: "object", properties });

const record = <T>(keys: StringNode, values: Schema<T>): Schema<Record<string, T>> => ({
  kind: "record",
  keys,
  values,
});

const union = <S extends readonly Schema<unknown>[]>(
  options: S,
  error: string,
): Schema<Infer<S[number]>> => ({ kind: "union", options, error });

/** The node, with the text editors show on hover. */
const described = <S extends SchemaNode>(node: S, description: string): S => ({
  ...node,
  description,
});

/** RFC 6265 token characters; `*` is one of them, so globs are tokens too. */
const COOKIE_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

const seconds = (what: string) => described(integer(0), `${what}, in whole seconds`);

const secureMode = described(
  oneOf(["always", "auto", "never"]),
  '"always": Secure, and not sent over HTTP; "auto": Secure exactly when the request is HTTPS; "never": no Secure attribute',
);

const cookieSettingsShape = {
  secure: secureMode,
  httpOnly: boolean(),
  sameSite: oneOf(["strict", "lax", "none"]),
  path: string({
    pattern: /^\/[\u0020-\u003a\u003c-\u007e]*$/,
    patternError: 'must start with "/" and hold only printable ASCII without ";"',
  }),
  domain: string({
    pattern: /^\.?[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*$/,
    patternError: "is not a domain name",
  }),
  maxAge: seconds("Max-Age"),
  partitioned: boolean(),
  priority: oneOf(["low", "medium", "high"]),
  onInsecure: described(
    oneOf(["drop", "error", "set"]),
    'What to do with a cookie that requires Secure on an HTTP request: "drop" it, raise an "error", or "set" it anyway (the browser discards it)',
  ),
};

const cookieRule = object({
  ...cookieSettingsShape,
  sensitive: described(
    boolean(),
    "true: apply the `sensitive` settings; false: never, whatever the name patterns say",
  ),
});

const sensitiveSettings = object({
  ...cookieSettingsShape,
  patterns: described(
    array(string({ minLength: 1 })),
    "Case-insensitive substrings of cookie names that make a cookie sensitive",
  ),
});

const trustSetting = described(
  union(
    [boolean(), integer(0), array(string({ check: trustEntryError }))],
    "must be false, true, a number of hops, or a list of IP addresses, CIDR ranges and presets (loopback, linklocal, uniquelocal, cgnat, private)",
  ),
  "false: believe only the socket; true: trust every hop; N: trust the N nearest hops; or a list of IP addresses, CIDR ranges and presets (loopback, linklocal, uniquelocal, cgnat, private)",
);

/** Every header `proxy.headers` may list (SPEC §2.2). */
export const PROXY_HEADERS = [
  "forwarded",
  "x-forwarded-for",
  "x-forwarded-host",
  "x-forwarded-proto",
  "x-forwarded-ssl",
  "front-end-https",
  "cf-visitor",
] as const satisfies readonly ProxyHeader[];

const proxyHeader = oneOf(PROXY_HEADERS);

/** A redirect target: a host name, `*.` and a host name, or an IP address; no scheme, port or path. */
function redirectHostError(entry: string): string | null {
  const name = entry.startsWith("*.") ? entry.slice(2) : entry;
  if (isValidHostName(name) || (name === entry && isIpLiteral(entry))) return null;
  return `${JSON.stringify(entry)} is not a host: write a name (example.com), a wildcard (*.example.com) or an IP address, without scheme, port or path`;
}

const redirectSettings = object({
  status: oneOf([301, 302, 307, 308]),
  hosts: described(
    array(string({ check: redirectHostError })),
    "Hosts a redirect may name: exact names or `*.example.com` (any subdomain, not the apex)",
  ),
  exclude: described(
    array(string({ pattern: /^\//, patternError: 'must start with "/"' })),
    "Paths never redirected: exact, or prefixes ending in `*`",
  ),
  port: integer(1, 65535),
});

const hstsSettings = object({
  maxAge: seconds("max-age"),
  includeSubDomains: boolean(),
  preload: boolean(),
});

const profileShape = {
  proxy: object({
    trust: trustSetting,
    headers: described(
      array(proxyHeader),
      "Headers believed from a trusted hop, in priority order",
    ),
  }),
  https: object({
    redirect: union(
      [boolean(), redirectSettings],
      "must be true, false or an object { status, hosts, exclude, port }",
    ),
    hsts: union(
      [boolean(), hstsSettings],
      "must be true, false or an object { maxAge, includeSubDomains, preload }",
    ),
  }),
  localhost: described(
    oneOf(["insecure", "secure-context"]),
    '"secure-context": treat http://localhost on a loopback peer as secure for cookies only (Chromium and Firefox keep Secure cookies there; Safari has not always)',
  ),
  mode: oneOf(["enforce", "report-only"]),
  defaults: object(cookieSettingsShape),
  sensitive: sensitiveSettings,
  cookies: described(
    record(
      string({
        pattern: COOKIE_NAME,
        patternError: "is not a cookie name or glob (RFC 6265 token)",
      }),
      cookieRule,
    ),
    "Exact cookie names or globs (`*` matches any run of characters)",
  ),
};

const profileSettings = object({
  extends: described(
    string({ minLength: 1 }),
    "A profile of this file, or a built-in one, to inherit from",
  ),
  ...profileShape,
});

const policyFile = object({
  $schema: string(),
  ...profileShape,
  profiles: described(
    record(string({ minLength: 1 }), profileSettings),
    "Environment profiles (development, test, production, ...)",
  ),
});

export const policySchema: typeof policyFile = {
  ...policyFile,
  title: "cookie-policy.json",
  description:
    "One cookie security policy for every Node framework: proxy trust, the transport decision, Secure/HttpOnly/SameSite, HTTPS redirect and HSTS.",
};

/** Typed identity for `.ts`/`.js` policies: the editor checks the object against the schema's type. */
export function definePolicy(policy: PolicyFile): PolicyFile {
  return policy;
}

// Compile-time only: the schema must accept exactly the contract's type, both ways.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Assert<T extends true> = T;
export type SchemaMatchesPolicyFile = Assert<Same<Infer<typeof policySchema>, PolicyFile>>;
