/**
 * The explanation page every demo server answers `GET /` with (the Next one too):
 * the profile, the transport verdict, the trust walk hop by hop and each cookie
 * decision, in plain words. Every value that comes from the request or the policy is
 * HTML-escaped; the inline script reads nothing from the request.
 */

/** Plain words for each reason and diagnostic code. */
const WORDS = {
  ENV_UNKNOWN: "The requested profile does not exist, so production applies (fail-closed).",
  POLICY_TRUST_ALL: "proxy.trust is true: every hop is believed.",
  POLICY_LOCALHOST_SECURE_CONTEXT:
    "localhost is a secure context for cookies here (Chromium and Firefox agree; Safari has not always).",
  STARTUP_TLS_VERIFICATION_DISABLED:
    "TLS certificate checks are disabled in this process (NODE_TLS_REJECT_UNAUTHORIZED=0).",
  TRANSPORT_UNTRUSTED_PEER:
    "Forwarding headers came from a peer that is not trusted: they were ignored.",
  TRANSPORT_HEADERS_WITHOUT_TRUST:
    "Forwarding headers arrived but proxy.trust is false: they were ignored.",
  TRANSPORT_PEER_UNKNOWN:
    "The peer address is unknown, so an address list cannot match it: headers were not believed.",
  TRANSPORT_TRUST_ALL_PUBLIC: "proxy.trust is true and the peer is a public address.",
  TRANSPORT_XFP_MISALIGNED:
    "X-Forwarded-Proto has fewer values than trusted hops; its leftmost value was used.",
  TRANSPORT_HEADER_CONFLICT: "Trusted headers disagree; the first one listed in proxy.headers won.",
  TRANSPORT_FORWARDED_MALFORMED: "The Forwarded header does not parse: treated as absent.",
  TRANSPORT_XFF_MALFORMED:
    "X-Forwarded-For holds something that is not an IP address: treated as absent.",
  TRANSPORT_PROTO_INVALID: "A forwarded protocol is neither http nor https: treated as absent.",
  TRANSPORT_HOST_INVALID: "The request host is not a valid host name.",
  SECURE_REQUIRED_MODE: "The policy says this cookie is always Secure.",
  SECURE_REQUIRED_PREFIX: "Its name prefix (__Secure- / __Host-) requires Secure.",
  SECURE_REQUIRED_SAMESITE_NONE: "SameSite=None requires Secure.",
  SECURE_REQUIRED_PARTITIONED: "Partitioned requires Secure.",
  SECURE_AUTO: "Secure follows the transport (secure: auto).",
  SECURE_LOCALHOST_CONTEXT: "localhost on a loopback peer counts as secure for cookies.",
  INSECURE_TRANSPORT_DROPPED: "It needs Secure but this request is not HTTPS: not sent.",
  INSECURE_TRANSPORT_ERROR: "It needs Secure but this request is not HTTPS: an error.",
  INSECURE_TRANSPORT_SET:
    "It needs Secure but this request is not HTTPS: sent anyway, the browser will discard it.",
  SECURE_NEVER_CONFLICT: "The call site said never Secure, but the cookie requires it.",
  CALLSITE_WEAKENING_IGNORED: "The code asked for weaker attributes than the policy: ignored.",
  DOMAIN_FIXED_BY_RULE: "The policy rule fixes the Domain; the call site's was ignored.",
  HOST_PREFIX_CORRECTED: "__Host- cookies get Path=/ and no Domain: corrected.",
  HTTPONLY_REQUIRED_PREFIX: "Its name prefix requires HttpOnly.",
  MAXAGE_CAPPED: "Lifetimes above 400 days are capped (browsers cap them).",
  COOKIE_NAME_INVALID: "The name is not a valid cookie name.",
  COOKIE_ATTRIBUTE_INVALID: "A Path or Domain holds characters that could break the header.",
  COOKIE_TOO_LARGE: "Name and value exceed 4096 bytes.",
  CLEAR_SECURE_ON_INSECURE: "Clearing a Secure cookie over plain HTTP: browsers ignore it.",
  REPORT_ONLY: "Report-only mode: the application's own attributes were sent.",
};

const ACTION_WORDS = {
  set: "is sent",
  drop: "is NOT sent (dropped)",
  error: "is refused with an error",
};

const SOURCE_WORDS = {
  forwarded: "the Forwarded header",
  "x-forwarded-proto": "the X-Forwarded-Proto header",
  "x-forwarded-ssl": "the X-Forwarded-Ssl header",
  "front-end-https": "the Front-End-Https header",
  "cf-visitor": "the CF-Visitor header",
};

/** Escape text for HTML element content and quoted attribute values. */
export function escapeHtml(value) {
  return String(value)
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;")
    .replaceAll("'", "&#39;");
}

/** The whole page for this request's context (`RequestContext` of @scope/cookie-core). */
export function renderPage(ctx, framework) {
  const t = ctx.transport;
  const policy = ctx.policy;
  const preview = previewDecisions(ctx);
  const made = ctx.decisions;
  const diagnostics = [...policy.diagnostics, ...t.diagnostics];
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>cookie-policy demo · ${escapeHtml(framework)}</title>
<style>
body { font: 15px/1.5 system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; color: #222; }
h1 { font-size: 1.4rem; } h2 { font-size: 1.1rem; margin-top: 2rem; }
table { border-collapse: collapse; width: 100%; } td, th { border: 1px solid #ccc; padding: .3rem .5rem; text-align: left; vertical-align: top; }
code { background: #f3f3f3; padding: 0 .2rem; word-break: break-all; }
.ok { color: #06612e; } .bad { color: #a40000; } .note { background: #f7f7e8; padding: .5rem 1rem; }
button, select { font: inherit; margin-right: .5rem; }
</style>
</head>
<body>
<h1>cookie-policy on <code>${escapeHtml(framework)}</code></h1>
<p>Active profile <code>${escapeHtml(policy.env)}</code>${
    policy.requestedEnv !== policy.env
      ? ` (asked for <code>${escapeHtml(policy.requestedEnv)}</code>, which does not exist)`
      : ""
  }, mode <code>${escapeHtml(policy.mode)}</code>.</p>

<h2>Is this request HTTPS?</h2>
<p class="${t.secure ? "ok" : "bad"}">${transportWords(t)}</p>
${t.secureContext ? `<p class="ok">${escapeHtml(WORDS.SECURE_LOCALHOST_CONTEXT)} Redirects and HSTS still treat it as HTTP.</p>` : ""}
<p>Host: ${t.host === null ? "none or invalid" : `<code>${escapeHtml(t.host)}</code>`}${
    t.port === null ? "" : `, port <code>${escapeHtml(t.port)}</code>`
  }${t.localhost ? " (a localhost host)" : ""}.
Client address: ${t.clientAddress === null ? "unknown" : `<code>${escapeHtml(t.clientAddress)}</code>`}.
HSTS on this answer: ${ctx.hsts === null ? "none" : `<code>${escapeHtml(ctx.hsts)}</code>`}.</p>

<h2>The trust walk, hop by hop</h2>
${hopsTable(t)}

<h2>Cookie decisions</h2>
${made.length > 0 ? `<p>Set by this request:</p>${decisionsTable(made)}` : ""}
<p>What these buttons would do on a request like this one:</p>
${decisionsTable(preview)}

<h2>Diagnostics</h2>
${
  diagnostics.length === 0
    ? "<p>None.</p>"
    : `<ul>${diagnostics
        .map((d) => `<li><code>${escapeHtml(d.code)}</code>: ${escapeHtml(d.message)}</li>`)
        .join("")}</ul>`
}

<h2>Try it</h2>
<p>
<button type="button" data-method="POST" data-url="/login">Log in</button>
<button type="button" data-method="POST" data-url="/logout">Log out</button>
<select id="theme"><option>light</option><option>dark</option><option>solarized</option></select>
<button type="button" id="set-theme">Set theme</button>
</p>
<p>Last answer: <code id="result">none yet</code></p>
<p>Cookies your browser sends now (<a href="/echo">/echo</a>): <code id="cookies">…</code></p>
<p>The machine-readable verdict: <a href="/explain">/explain</a>.</p>

<div class="note">
<p><strong>The proxy case.</strong> Behind a TLS-terminating proxy the socket is plain HTTP and
only a trusted proxy's header says the visitor used HTTPS. Start a server under the
production profile (it trusts loopback) and play the proxy from 127.0.0.1:</p>
<pre><code>node apps/demo/bin/serve.mjs --framework ${escapeHtml(framework)} --env production --port 3100
curl -si -X POST -H 'Host: example.com' -H 'X-Forwarded-Proto: https' http://127.0.0.1:3100/login
curl -si -H 'X-Forwarded-Proto: https' http://127.0.0.1:3100/explain</code></pre>
<p>The first answer carries <code>sessionId</code> with Secure and HSTS; without the header the
production profile redirects to HTTPS instead. A proxy only counts when its address is
trusted (<code>proxy.trust</code>): the same header sent from any other address, or under the
development profile (<code>proxy.trust: false</code>), is ignored and reported.</p>
</div>

<script>
const show = (id, text) => { document.getElementById(id).textContent = text; };
async function send(method, url) {
  const res = await fetch(url, { method, credentials: "same-origin" });
  show("result", method + " " + url + " → " + res.status + " " + (await res.text()));
  await refreshCookies();
}
async function refreshCookies() {
  const res = await fetch("/echo", { credentials: "same-origin" });
  const { cookie } = await res.json();
  show("cookies", cookie === null ? "(none)" : cookie);
}
for (const button of document.querySelectorAll("button[data-url]")) {
  button.addEventListener("click", () => send(button.dataset.method, button.dataset.url));
}
document.getElementById("set-theme").addEventListener("click", () => {
  const theme = document.getElementById("theme").value;
  send("GET", "/prefs?theme=" + encodeURIComponent(theme));
});
// Show the stored theme (the theme cookie is readable by scripts; sessionId is not).
const stored = document.cookie.split("; ").find((c) => c.startsWith("theme="));
if (stored) {
  const theme = decodeURIComponent(stored.slice("theme=".length));
  const select = document.getElementById("theme");
  if (![...select.options].some((o) => o.value === theme)) select.add(new Option(theme));
  select.value = theme;
}
refreshCookies();
</script>
</body>
</html>
`;
}

function transportWords(t) {
  const proto = t.secure ? "HTTPS" : "plain HTTP";
  if (t.source === "socket") {
    return escapeHtml(
      `This request is ${proto}: that is what the connection to this server itself was, and no forwarding header was believed.`,
    );
  }
  const proxy = t.hops[Math.max(t.trustedHops, 1) - 1]?.address ?? "a trusted proxy";
  return escapeHtml(
    `This request is ${proto}: the trusted proxy ${proxy} recorded it in ${SOURCE_WORDS[t.source] ?? t.source}.`,
  );
}

function hopsTable(t) {
  if (t.hops.length === 0) return "<p>No hops recorded.</p>";
  const rows = t.hops.map((hop, i) => {
    const role = i === 0 ? "the socket peer" : `forwarding entry ${i} (from ${hop.from})`;
    const client = hop.address !== null && hop.address === t.clientAddress && i === t.trustedHops;
    return `<tr><td>${i}</td><td>${hop.address === null ? "unknown" : `<code>${escapeHtml(hop.address)}</code>`}</td><td>${escapeHtml(role)}</td><td class="${hop.trusted ? "ok" : "bad"}">${hop.trusted ? "trusted: its records are believed" : "not trusted: the walk stops here"}</td><td>${client ? "the client" : ""}</td></tr>`;
  });
  return `<p>Read from the socket outwards; ${escapeHtml(t.trustedHops)} trusted hop(s).</p>
<table><tr><th>#</th><th>address</th><th>where it came from</th><th>trusted?</th><th></th></tr>${rows.join("")}</table>`;
}

function decisionsTable(decisions) {
  const rows = decisions.map((d) => {
    const label = d.clearing ? `${d.name} (clearing)` : d.name;
    const reasons = d.reasons.length
      ? `<ul>${d.reasons.map((code) => `<li><code>${escapeHtml(code)}</code> ${escapeHtml(WORDS[code] ?? "")}</li>`).join("")}</ul>`
      : "";
    return `<tr><td><code>${escapeHtml(label)}</code></td><td class="${d.action === "set" ? "ok" : "bad"}">${escapeHtml(ACTION_WORDS[d.action] ?? d.action)}${d.secure ? ", Secure" : ""}</td><td>${d.header === null ? "no header" : `<code>${escapeHtml(d.header)}</code>`}${attributesWords(d.attributes)}</td><td>${reasons}</td></tr>`;
  });
  return `<table><tr><th>cookie</th><th>verdict</th><th>Set-Cookie</th><th>why</th></tr>${rows.join("")}</table>`;
}

function attributesWords(a) {
  if (!a) return "";
  const parts = [
    a.secure ? "Secure" : "not Secure",
    a.httpOnly ? "HttpOnly (scripts cannot read it)" : "readable by scripts",
    `SameSite=${a.sameSite ?? "unset"}`,
    `Path=${a.path ?? "unset"}`,
  ];
  if (a.domain) parts.push(`Domain=${a.domain}`);
  if (a.maxAge !== undefined) parts.push(`lives ${a.maxAge} s`);
  if (a.partitioned) parts.push("Partitioned");
  return `<br><small>${escapeHtml(parts.join(" · "))}</small>`;
}

/**
 * What `POST /login`, `GET /prefs` and `POST /logout` would decide on a request like this
 * one, decided on a throwaway context so this request's own decisions stay untouched.
 * The preview request reproduces the transport verdict: same peer, same host, and a socket
 * that is TLS exactly when this request was judged HTTPS.
 */
function previewDecisions(ctx) {
  const t = ctx.transport;
  const headers = {};
  if (t.host !== null) {
    const name = t.host.includes(":") && !t.host.startsWith("[") ? `[${t.host}]` : t.host;
    headers.host = t.port === null ? name : `${name}:${t.port}`;
  }
  const peer = t.hops[0]?.from === "socket" ? (t.hops[0].address ?? undefined) : undefined;
  const begin = (method, url) =>
    ctx.policy.begin({ encrypted: t.secure, peer, headers, method, url });
  return [
    begin("POST", "/login").setCookie("sessionId", "preview"),
    begin("GET", "/prefs?theme=dark").setCookie("theme", "dark"),
    begin("POST", "/logout").clearCookie("sessionId"),
  ];
}
