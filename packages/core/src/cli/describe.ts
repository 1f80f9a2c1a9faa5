/** The human account of `explain`: the walk, the transport, redirect/HSTS, each cookie in words. */
import { describeReason } from "../report.js";
import type { CookieDecision, PolicyRequest, RequestContext } from "../types.js";

const SOURCE_WORDS: Record<string, string> = {
  socket: "the socket itself",
  forwarded: "the trusted Forwarded header",
  "x-forwarded-proto": "the trusted X-Forwarded-Proto header",
  "x-forwarded-ssl": "the trusted X-Forwarded-Ssl header",
  "front-end-https": "the trusted Front-End-Https header",
  "cf-visitor": "the trusted CF-Visitor header",
};

function cookieLines(d: CookieDecision): string[] {
  const verdict =
    d.action === "set"
      ? `set${d.secure ? " with Secure" : " without Secure"}`
      : d.action === "drop"
        ? "dropped (not sent)"
        : "error (the framework's error path)";
  const lines = [`  ${d.name || "(no name)"}${d.clearing ? " (clearing)" : ""}: ${verdict}`];
  if (d.header !== null) lines.push(`    Set-Cookie: ${d.header}`);
  if (d.wouldBe !== undefined) {
    lines.push(
      `    enforce mode would: ${d.wouldBe.action}${d.wouldBe.header === null ? "" : ` ${d.wouldBe.header}`}`,
    );
  }
  for (const code of d.reasons) lines.push(`    - ${describeReason(code)} (${code})`);
  if (d.error !== undefined) lines.push(`    ! ${d.error.message}`);
  return lines;
}

export function describeExplanation(
  ctx: RequestContext,
  req: PolicyRequest,
  url: string,
): string[] {
  const { policy, transport: t } = ctx;
  const lines: string[] = [];
  const requested =
    policy.requestedEnv === policy.env
      ? ""
      : ` (asked for "${policy.requestedEnv}", which does not exist)`;
  lines.push(`Profile: ${policy.env}${requested}, mode ${policy.mode}`);
  lines.push(`Request: ${req.method} ${url} from peer ${req.peer ?? "(unknown)"}`);

  lines.push("", "Trust walk (peer first):");
  t.hops.forEach((hop, i) => {
    const who = hop.address ?? "(unknown peer)";
    const role = i === 0 ? "peer" : `hop ${i}, from ${hop.from}`;
    const client = hop.address === t.clientAddress && i === t.trustedHops ? ", the client" : "";
    lines.push(`  ${who} (${role}): ${hop.trusted ? "trusted" : "not trusted"}${client}`);
  });

  lines.push(
    "",
    `Transport: ${t.protocol}${t.secure ? " (secure)" : " (not secure)"}, from ${SOURCE_WORDS[t.source] ?? t.source}`,
  );
  lines.push(
    `  client ${t.clientAddress ?? "unknown"}, host ${t.host ?? "none"}, ${t.trustedHops} trusted hop${t.trustedHops === 1 ? "" : "s"}`,
  );
  if (t.secureContext)
    lines.push("  localhost secure context: cookies may be Secure on this HTTP request");

  lines.push("");
  if (ctx.redirect !== null)
    lines.push(`Redirect: ${ctx.redirect.status} to ${ctx.redirect.location}`);
  else if (ctx.reject !== null)
    lines.push(`Refused: ${ctx.reject.status} (${ctx.reject.body.trim()})`);
  else lines.push("Redirect: none");
  lines.push(`HSTS: ${ctx.hsts ?? "not sent"}`);

  lines.push("", ctx.decisions.length === 0 ? "Cookies: none set (use --set)" : "Cookies:");
  for (const d of ctx.decisions) lines.push(...cookieLines(d));

  const diagnostics = [...policy.diagnostics, ...t.diagnostics];
  if (diagnostics.length > 0) {
    lines.push("", "Diagnostics:");
    for (const d of diagnostics) lines.push(`  - ${d.message} (${d.code})`);
  }
  return lines;
}
