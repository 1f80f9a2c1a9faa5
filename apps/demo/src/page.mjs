/**
 * The explanation page every demo server answers `GET /` with (the Next one too):
 * the profile, the transport verdict, the trust walk hop by hop, HSTS and each cookie
 * decision in plain words, each with the policy setting that decided it, and a panel
 * that asks every demo server the same question. Every value from the request or the
 * policy is HTML-escaped on the server and set as text in the browser.
 */

/** Plain words for each reason and diagnostic code. */
const WORDS = {
  ENV_UNKNOWN: "The requested profile does not exist, so production applies (fail-closed).",
  ENV_DEFAULTED:
    "No profile was chosen (no env option, COOKIE_POLICY_ENV or NODE_ENV): production applies.",
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
  TRANSPORT_HEADER_CONFLICT:
    "Trusted headers disagree: the walk stops at the peer and the socket's protocol stands.",
  TRANSPORT_FORWARDED_MALFORMED:
    "The Forwarded header does not parse where the walk reads it: the socket's protocol stands.",
  TRANSPORT_XFF_MALFORMED:
    "X-Forwarded-For holds something that is not an IP address where the walk reads it: the walk stops there.",
  TRANSPORT_PROTO_INVALID:
    "A believed forwarded protocol is neither http nor https: the socket's protocol stands.",
  TRANSPORT_CHAIN_TOO_LONG:
    "The forwarding chain is still trusted after 32 entries: the walk stops, the client is unknown.",
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

/**
 * The settings a reason is about: the page names the line of the policy that decided each
 * (a cookie's attribute, or `localhost` / `mode` of the profile). "invariant" marks the
 * rules browsers impose, enforced whatever the policy says.
 */
const REASON_SETTINGS = {
  SECURE_REQUIRED_MODE: ["secure"],
  SECURE_AUTO: ["secure"],
  INSECURE_TRANSPORT_DROPPED: ["secure", "onInsecure"],
  INSECURE_TRANSPORT_ERROR: ["secure", "onInsecure"],
  INSECURE_TRANSPORT_SET: ["secure", "onInsecure"],
  SECURE_REQUIRED_SAMESITE_NONE: ["sameSite", "invariant"],
  SECURE_REQUIRED_PARTITIONED: ["partitioned", "invariant"],
  SECURE_REQUIRED_PREFIX: ["invariant"],
  SECURE_LOCALHOST_CONTEXT: ["localhost"],
  CALLSITE_WEAKENING_IGNORED: ["secure", "httpOnly", "sameSite", "maxAge"],
  DOMAIN_FIXED_BY_RULE: ["domain"],
  HOST_PREFIX_CORRECTED: ["invariant"],
  HTTPONLY_REQUIRED_PREFIX: ["invariant"],
  MAXAGE_CAPPED: ["maxAge", "invariant"],
  COOKIE_NAME_INVALID: ["invariant"],
  COOKIE_ATTRIBUTE_INVALID: ["invariant"],
  COOKIE_TOO_LARGE: ["invariant"],
  CLEAR_SECURE_ON_INSECURE: ["invariant"],
  REPORT_ONLY: ["mode"],
};

/*
 * What the page says, written once: the server renders the current request with these
 * functions and the "try a request" panel renders every server's answer with the same
 * ones (their source is sent in the page's script). They read only their arguments and
 * the constants above; `v` is a transport view: { secure, source, clientAddress, host,
 * trustedHops, hops, localhost, hsts }.
 */

function transportSentence(v) {
  const proto = v.secure ? "HTTPS" : "plain HTTP";
  if (v.source === "socket") {
    return `This request is ${proto}: that is what the connection to this server itself was, and no forwarding header was believed.`;
  }
  const proxy = v.hops[Math.max(v.trustedHops, 1) - 1]?.address ?? "a trusted proxy";
  return `This request is ${proto}: the trusted proxy ${proxy} recorded it in ${SOURCE_WORDS[v.source] ?? v.source}.`;
}

/** One line on the walk as a whole: how many proxies were believed, and who the client is. */
function walkSummary(v, trustSetting) {
  const client = v.clientAddress ?? "unknown";
  let words;
  if (v.trustedHops > 0) {
    words = `${v.trustedHops} trusted ${v.trustedHops === 1 ? "proxy stands" : "proxies stand"} between the client (${client}) and this server; their forwarding headers are believed.`;
  } else if (v.source !== "socket") {
    words = `No proxy stands in between: the socket peer ${client} is the client, and it is trusted, so the forwarding header it wrote about its own connection is believed.`;
  } else {
    words = `No forwarding header was believed: the client is the socket peer (${client}), and only the connection itself says whether it is HTTPS.`;
  }
  return `${words} Who is trusted: ${trustSetting}.`;
}

/** [where the address came from, its role in the walk] for hop i. */
function hopRole(v, i) {
  const hop = v.hops[i];
  const where =
    i === 0
      ? "the socket peer: the address connected to this server"
      : `forwarded entry ${i}, read right to left from ${hop.from === "forwarded" ? "Forwarded for=" : "X-Forwarded-For"}`;
  let role;
  if (i < v.trustedHops) role = "a trusted proxy: what it forwarded is believed";
  else if (i > v.trustedHops) role = "beyond the client: written by the client, never believed";
  else if (!hop.trusted) role = "the client: the first address that is not trusted";
  else if (v.source !== "socket") {
    role = "the client, and trusted: the header it wrote about its own connection is believed";
  } else role = "the client: the last address there is";
  return [where, role];
}

/** Why `Strict-Transport-Security` is or is not on this answer (`settings` from explain.mjs). */
function hstsWhy(v, settings) {
  if (v.hsts !== null) {
    return `Sent: ${v.hsts}. The request is HTTPS to a named host, and the policy turns HSTS on (${settings.hsts}).`;
  }
  if (!settings.hstsOn) return `Not sent: HSTS is off in this profile (${settings.hsts}).`;
  if (!v.secure) {
    return `Not sent: HSTS only goes out on HTTPS and this request is plain HTTP (the policy turns it on: ${settings.hsts}).`;
  }
  if (v.localhost || v.host === null || /^[\d.]+$|:/.test(v.host)) {
    return "Not sent: never for localhost or an IP-address host (browsers would pin HTTPS for everything on it).";
  }
  return "Not sent: report-only mode never changes an answer.";
}

/**
 * A reason in words, with the settings behind it ("secure ← profiles.development.sensitive.secure
 * = \"auto\""): the cookie's own (`settings.cookies[name]`), else the profile's.
 */
function reasonLine(code, name, settings) {
  const from = [];
  for (const key of REASON_SETTINGS[code] ?? []) {
    const setting = settings.cookies[name]?.[key] ?? settings[key];
    if (key === "invariant") from.push("a rule browsers impose: enforced whatever the policy says");
    else if (typeof setting === "string") from.push(`${key} ← ${setting}`);
  }
  return { code, words: WORDS[code] ?? "", from };
}

const SHARED = [transportSentence, walkSummary, hstsWhy, reasonLine];

/** Escape text for HTML element content and quoted attribute values. */
export function escapeHtml(value) {
  return String(value)
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;")
    .replaceAll("'", "&#39;");
}

/** JSON that may sit inside a <script> element. */
function scriptJson(value) {
  return JSON.stringify(value).replaceAll("<", "\\u003c");
}

/** The view the shared functions read, from this request's transport. */
function transportView(ctx) {
  const t = ctx.transport;
  return {
    secure: t.secure,
    source: t.source,
    clientAddress: t.clientAddress,
    host: t.host,
    trustedHops: t.trustedHops,
    hops: t.hops,
    localhost: t.localhost,
    hsts: ctx.hsts,
  };
}

/**
 * The whole page for this request's context (`RequestContext` of @scope/cookie-core).
 * `demo` is this server's `demoPolicy` (explain.mjs): where each setting is written,
 * and the servers the panel asks.
 */
export function renderPage(ctx, framework, demo) {
  const t = ctx.transport;
  const v = transportView(ctx);
  const policy = ctx.policy;
  const preview = previewDecisions(ctx);
  const made = ctx.decisions;
  const settings = demo.settings(policy.requestedEnv, [
    ...new Set([...preview, ...made].map((d) => d.name)),
  ]);
  const diagnostics = [...policy.diagnostics, ...t.diagnostics];
  const peer = t.hops[0]?.from === "socket" ? (t.hops[0].address ?? "") : "";
  const forwarded = Object.keys(FORWARDING_EXAMPLE);
  const data = {
    framework,
    servers: demo.servers,
    profiles: demo.profiles,
    constants: { WORDS, ACTION_WORDS, SOURCE_WORDS, REASON_SETTINGS },
  };
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>cookie-policy demo · ${escapeHtml(framework)}</title>
<style>
body { font: 15px/1.5 system-ui, sans-serif; max-width: 72rem; margin: 2rem auto; padding: 0 1rem; color: #222; }
h1 { font-size: 1.4rem; margin-bottom: .2rem; } h2 { font-size: 1.1rem; margin-top: 2rem; }
.intro { font-size: 1.05rem; margin-top: 0; }
table { border-collapse: collapse; width: 100%; } td, th { border: 1px solid #ccc; padding: .3rem .5rem; text-align: left; vertical-align: top; }
code { background: #f3f3f3; padding: 0 .2rem; word-break: break-all; }
.ok { color: #06612e; } .bad { color: #a40000; } .note { background: #f7f7e8; padding: .5rem 1rem; }
.from { color: #555; font-size: .9em; } ul.why { margin: 0; padding-left: 1.1rem; }
button, select, input, textarea { font: inherit; margin-right: .5rem; }
#ask-form { display: grid; grid-template-columns: max-content 1fr; gap: .4rem .8rem; align-items: start; max-width: 48rem; }
#ask-form textarea { width: 100%; min-height: 3.2rem; } #ask-form input[type=text] { width: 100%; }
#answers { display: grid; grid-template-columns: repeat(auto-fit, minmax(13rem, 1fr)); gap: .6rem; margin-top: 1rem; }
.answer { border: 1px solid #ccc; padding: .5rem; font-size: .85rem; overflow-wrap: anywhere; }
.answer h3 { margin: 0 0 .3rem; font-size: 1rem; } .answer p { margin: .25rem 0; }
#agreement { font-weight: bold; } #answer-why { margin-bottom: 1.5rem; }
.answer.differs { border: 2px solid #a40000; }
</style>
</head>
<body>
<h1>cookie-policy on <code>${escapeHtml(framework)}</code></h1>
<p class="intro">One policy file decides, for every framework alike, whether this request counts as HTTPS and which attributes each cookie gets; this page shows that decision for your request, and which line of the policy made it.</p>
<p>Active profile <code>${escapeHtml(policy.env)}</code>${
    policy.requestedEnv !== policy.env
      ? ` (asked for <code>${escapeHtml(policy.requestedEnv)}</code>, which does not exist)`
      : ""
  }, mode <code>${escapeHtml(policy.mode)}</code>.</p>

<h2>Is this request HTTPS?</h2>
<p class="${t.secure ? "ok" : "bad"}">${escapeHtml(transportSentence(v))}</p>
${t.secureContext ? `<p class="ok">${escapeHtml(WORDS.SECURE_LOCALHOST_CONTEXT)} Redirects and HSTS still treat it as HTTP (${escapeHtml(settings.localhost)}).</p>` : ""}
<p>Host: ${t.host === null ? "none or invalid" : `<code>${escapeHtml(t.host)}</code>`}${
    t.port === null ? "" : `, port <code>${escapeHtml(t.port)}</code>`
  }${t.localhost ? " (a localhost host)" : ""}.
Client address: ${t.clientAddress === null ? "unknown" : `<code>${escapeHtml(t.clientAddress)}</code>`}.</p>
<p id="hsts">HSTS (<code>Strict-Transport-Security</code>) on this answer: ${escapeHtml(hstsWhy(v, settings))}</p>

<h2>The trust walk, hop by hop</h2>
<p id="walk">${escapeHtml(walkSummary(v, settings.trust))}</p>
${hopsTable(v)}

<h2>Cookie decisions</h2>
${made.length > 0 ? `<p>Set by this request:</p>${decisionsTable(made, settings)}` : ""}
<p>What these buttons would do on a request like this one:</p>
${decisionsTable(preview, settings)}

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

<h2>Try a request</h2>
<p>Describe a request; every server (${escapeHtml(demo.servers.map((s) => s.framework).join(", "))}) decides it with its own process's engine on this policy file, and the answers appear side by side.</p>
<form id="ask-form">
<label for="q-profile">profile</label>
<span><input id="q-profile" list="q-profiles" value="${escapeHtml(policy.requestedEnv)}"><datalist id="q-profiles">${demo.profiles.map((p) => `<option value="${escapeHtml(p)}">`).join("")}</datalist></span>
<label for="q-scheme">scheme (the socket)</label>
<span><select id="q-scheme"><option${t.secure && t.source === "socket" ? "" : " selected"}>http</option><option${t.secure && t.source === "socket" ? " selected" : ""}>https</option></select></span>
<label for="q-host">Host</label>
<input id="q-host" type="text" value="${escapeHtml(t.host === null ? "localhost" : t.host)}">
<label for="q-peer">socket peer address</label>
<input id="q-peer" type="text" value="${escapeHtml(peer)}" placeholder="unknown">
<label for="q-headers">forwarding headers<br><span class="from">one "Name: value" a line</span></label>
<textarea id="q-headers" placeholder="${escapeHtml(forwarded.map((h) => `${h}: ${FORWARDING_EXAMPLE[h]}`).join("\n"))}">X-Forwarded-Proto: https</textarea>
<label for="q-cookie">cookie the app sets<br><span class="from">Set-Cookie syntax; its attributes are the call site's</span></label>
<input id="q-cookie" type="text" value="sessionId=abc123">
<span></span><span><button type="submit" id="ask">Ask every server</button></span>
</form>
<p id="agreement" aria-live="polite"></p>
<div id="answers"></div>
<div id="answer-why"></div>

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

<script type="application/json" id="demo-data">${scriptJson(data)}</script>
<script>
${CLIENT_SCRIPT}
</script>
</body>
</html>
`;
}

/** Placeholder forwarding headers for the panel. */
const FORWARDING_EXAMPLE = {
  "X-Forwarded-Proto": "https",
  "X-Forwarded-For": "203.0.113.7",
};

function hopsTable(v) {
  if (v.hops.length === 0) return "<p>No hops recorded.</p>";
  const rows = v.hops.map((hop, i) => {
    const [where, role] = hopRole(v, i);
    return `<tr><td>${i}</td><td>${hop.address === null ? "unknown" : `<code>${escapeHtml(hop.address)}</code>`}</td><td>${escapeHtml(where)}</td><td class="${hop.trusted ? "ok" : "bad"}">${hop.trusted ? "yes" : "no"}</td><td>${escapeHtml(role)}</td></tr>`;
  });
  return `<table><tr><th>#</th><th>address</th><th>where it came from</th><th>in proxy.trust?</th><th>its role</th></tr>${rows.join("")}</table>`;
}

function decisionsTable(decisions, settings) {
  const rows = decisions.map((d) => {
    const label = d.clearing ? `${d.name} (clearing)` : d.name;
    const cookieSettings = settings.cookies[d.name] ?? {};
    const reasons = d.reasons.map((code) => {
      const line = reasonLine(code, d.name, settings);
      const from = line.from.map((f) => `<br><span class="from">${escapeHtml(f)}</span>`).join("");
      return `<li><code>${escapeHtml(code)}</code> ${escapeHtml(line.words)}${from}</li>`;
    });
    const decided = Object.entries(cookieSettings).map(
      ([key, text]) => `<li>${escapeHtml(key)} ← <code>${escapeHtml(text)}</code></li>`,
    );
    return `<tr><td><code>${escapeHtml(label)}</code></td><td class="${d.action === "set" ? "ok" : "bad"}">${escapeHtml(ACTION_WORDS[d.action] ?? d.action)}${d.secure ? ", Secure" : ""}</td><td>${d.header === null ? "no header" : `<code>${escapeHtml(d.header)}</code>`}${attributesWords(d.attributes)}</td><td>${reasons.length ? `<ul class="why">${reasons.join("")}</ul>` : ""}<details><summary>the policy's settings for it</summary><ul class="why">${decided.join("")}</ul></details></td></tr>`;
  });
  return `<table><tr><th>cookie</th><th>verdict</th><th>Set-Cookie</th><th>why</th></tr>${rows.join("")}</table>`;
}

/** The page's script: the buttons, then the "try a request" panel. Runs in the browser. */
function client(data) {
  const show = (id, text) => {
    document.getElementById(id).textContent = text;
  };
  async function send(method, url) {
    const res = await fetch(url, { method, credentials: "same-origin" });
    show("result", `${method} ${url} → ${res.status} ${await res.text()}`);
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
    send("GET", `/prefs?theme=${encodeURIComponent(theme)}`);
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

  /** An element with text children only: nothing an answer holds is ever parsed as HTML. */
  function el(tag, className, ...children) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    for (const child of children) {
      node.append(typeof child === "string" ? document.createTextNode(child) : child);
    }
    return node;
  }

  function question() {
    const value = (id) => document.getElementById(id).value;
    return {
      profile: value("q-profile").trim(),
      scheme: value("q-scheme"),
      host: value("q-host").trim(),
      peer: value("q-peer").trim(),
      headers: value("q-headers")
        .split("\n")
        .map((line) => line.trim())
        .filter((line) => line !== ""),
      cookie: value("q-cookie").trim(),
    };
  }

  async function ask(server, body) {
    try {
      // text/plain keeps it a CORS "simple" request: the other servers answer without a preflight.
      const res = await fetch(`${server.url}/explain`, {
        method: "POST",
        headers: { "content-type": "text/plain;charset=UTF-8" },
        body: JSON.stringify(body),
      });
      return { server, status: res.status, answer: await res.json() };
    } catch (err) {
      return { server, status: 0, answer: { error: "UNREACHABLE", message: String(err) } };
    }
  }

  /** One server's answer, in short: the verdicts and the settings behind each reason. */
  function column({ server, status, answer }) {
    const box = el("div", "answer", el("h3", "", server.framework));
    box.dataset.framework = server.framework;
    if (status !== 200) {
      box.append(el("p", "bad", `${status || "no answer"}: ${answer.message ?? answer.error}`));
      return box;
    }
    const t = answer.transport;
    const settings = answer.settings;
    box.append(
      el(
        "p",
        t.secure ? "ok" : "bad",
        `${t.secure ? "HTTPS" : "plain HTTP"}, from ${t.source === "socket" ? "the socket" : t.source}`,
      ),
      el(
        "p",
        "",
        `client ${t.clientAddress ?? "unknown"} · ${t.trustedHops} trusted ${t.trustedHops === 1 ? "proxy" : "proxies"}`,
      ),
      el(
        "p",
        "",
        answer.redirect === null
          ? "no redirect"
          : `redirect ${answer.redirect.status} to ${answer.redirect.location}`,
      ),
      el("p", "", `HSTS: ${answer.hsts ?? "not sent"}`),
    );
    for (const cookie of answer.cookies) {
      box.append(
        el(
          "p",
          cookie.action === "set" ? "ok" : "bad",
          `${cookie.name} ${data.constants.ACTION_WORDS[cookie.action] ?? cookie.action}${cookie.secure ? ", Secure" : ""}`,
        ),
        el("p", "", el("code", "", cookie.header ?? "no header")),
      );
      const why = el("ul", "why");
      for (const code of cookie.reasons) {
        const item = el("li", "", el("code", "", code));
        for (const from of reasonLine(code, cookie.name, settings).from) {
          item.append(el("br"), el("span", "from", from));
        }
        why.append(item);
      }
      box.append(why);
    }
    if (answer.diagnostics.length > 0) {
      box.append(el("p", "from", answer.diagnostics.map((d) => d.code).join(", ")));
    }
    return box;
  }

  /** The answer in words: what the columns say in short, with the settings that decided. */
  function explanation({ server, status, answer }) {
    if (status !== 200) return [];
    const v = { ...answer.transport, ...answer.walk, hsts: answer.hsts };
    const settings = answer.settings;
    const items = [
      transportSentence(v),
      walkSummary(v, settings.trust),
      `HSTS: ${hstsWhy(v, settings)}`,
    ];
    for (const cookie of answer.cookies) {
      for (const code of cookie.reasons) {
        const line = reasonLine(code, cookie.name, settings);
        items.push(`${cookie.name}: ${line.words}${line.from.map((f) => ` (${f})`).join("")}`);
      }
    }
    for (const d of answer.diagnostics) items.push(`${d.code}: ${d.message}`);
    return [
      el("h3", "", `Why, in words (${server.framework}'s answer)`),
      el("ul", "why", ...items.map((text) => el("li", "", text))),
    ];
  }

  /** Everything but the framework's name: the part every server must agree on. */
  const verdict = ({ status, answer }) => JSON.stringify({ status, ...answer, framework: null });

  document.getElementById("ask-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = question();
    show("agreement", "Asking…");
    const answers = await Promise.all(data.servers.map((server) => ask(server, body)));
    // The answer most servers gave (the first of equals on a tie); the others are marked.
    const verdicts = answers.map(verdict);
    const count = (v) => verdicts.filter((w) => w === v).length;
    const common = verdicts.reduce((best, v) => (count(v) > count(best) ? v : best));
    const columns = answers.map(column);
    const reference = answers[verdicts.indexOf(common)].server.framework;
    columns.forEach((box, i) => {
      if (verdicts[i] === common) return;
      box.classList.add("differs");
      box.append(el("p", "bad", `This answer differs from ${reference}'s.`));
    });
    document.getElementById("answers").replaceChildren(...columns);
    const first = answers[verdicts.indexOf(common)];
    document.getElementById("answer-why").replaceChildren(...explanation(first));
    const distinct = new Set(verdicts).size;
    const agreement = document.getElementById("agreement");
    agreement.className = distinct === 1 && first.status === 200 ? "ok" : "bad";
    agreement.textContent =
      distinct === 1
        ? `All ${answers.length} servers gave the same answer.`
        : `The servers disagree: ${distinct} different answers.`;
  });
}

const CLIENT_SCRIPT = `const DATA = JSON.parse(document.getElementById("demo-data").textContent);
const { WORDS, SOURCE_WORDS, REASON_SETTINGS } = DATA.constants;
${SHARED.map((fn) => fn.toString()).join("\n")}
(${client.toString()})(DATA);`;

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
    ctx.policy.decideRequest({ encrypted: t.secure, peer, headers, method, url });
  return [
    begin("POST", "/login").setCookie("sessionId", "preview"),
    begin("GET", "/prefs?theme=dark").setCookie("theme", "dark"),
    begin("POST", "/logout").clearCookie("sessionId"),
  ];
}
