// The playground page: editors in, the policy's report out. The policy runs in this page
// (pkg/, built by wasm-bindgen from web/); nothing typed here is sent anywhere.

import init, { check, share } from "./pkg/tempo_policy_web.js";
import { examples, settings as exampleSettings } from "./examples.js";
import { applyPatch, diffLines, hunks, toYaml } from "./diff.js";

const $ = (id) => document.getElementById(id);
const editors = { manifests: $("manifests"), settings: $("settings") };
const RULES_DOC = "/blob/main/docs/rules.md";
let policyUrl = "https://github.com/tempo-policy/tempo-policy";

// Timings the bench and the README quote, in ms since the page was opened (performance's time
// origin: navigation start): module ready, first result rendered; and the last check's duration.
const timings = { moduleReadyMs: null, firstResultMs: null, lastCheckMs: null };

// ---- links carrying a case: #m=<base64url manifests>&s=<base64url settings> ----
function toBase64Url(text) {
  const bytes = new TextEncoder().encode(text);
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

function fromBase64Url(text) {
  const b64 = text.replaceAll("-", "+").replaceAll("_", "/");
  const binary = atob(b64 + "=".repeat((4 - (b64.length % 4)) % 4));
  return new TextDecoder("utf-8", { fatal: true }).decode(Uint8Array.from(binary, (c) => c.charCodeAt(0)));
}

function readHash() {
  const params = new URLSearchParams(location.hash.slice(1));
  const problems = [];
  const take = (key, what) => {
    if (!params.has(key)) return null;
    try {
      return fromBase64Url(params.get(key));
    } catch {
      problems.push(`The link's ${what} (#${key}=) is not base64url-encoded UTF-8 text; it was left out.`);
      return null;
    }
  };
  return { manifests: take("m", "manifests"), settings: take("s", "settings"), problems };
}

// ---- rendering ----
function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined) continue;
    if (k.startsWith("data-")) node.setAttribute(k, v);
    else if (k === "class") node.className = v;
    else node[k] = v;
  }
  for (const child of children.flat()) if (child !== null && child !== undefined) node.append(child);
  return node;
}

function jumpTo(editor, line) {
  const lines = editor.value.split("\n");
  const start = lines.slice(0, line - 1).reduce((n, l) => n + l.length + 1, 0);
  const end = start + (lines[line - 1] ?? "").length;
  if (editor === editors.settings) $("settings-box").open = true;
  editor.focus();
  editor.setSelectionRange(start, end);
  const lineHeight = parseFloat(getComputedStyle(editor).lineHeight) || 18;
  editor.scrollTop = Math.max(0, (line - 4) * lineHeight);
}

function lineLink(file, line) {
  if (!line) return null;
  const editor = file === "settings.yaml" ? editors.settings : editors.manifests;
  const link = el("span", { class: "line", textContent: `${file}:${line}`, title: "Show in the editor" });
  link.addEventListener("click", () => jumpTo(editor, line));
  return link;
}

function renderFinding(f) {
  const rule = f.rule
    ? el("a", { class: "rule", href: `${policyUrl}${RULES_DOC}#${f.rule}`, target: "_blank", rel: "noopener noreferrer", textContent: f.rule })
    : el("span", { class: "rule", textContent: f.severity });
  return el(
    "li",
    { class: "finding", "data-rule": f.rule ?? "", "data-severity": f.severity, "data-line": f.line ?? "", "data-path": f.path ?? "" },
    rule,
    el("span", { class: "message", textContent: f.message }),
    lineLink(f.file, f.line),
  );
}

function renderPatch(result) {
  if (!result.patch || !result.object) return null;
  const before = toYaml(result.object);
  const after = toYaml(applyPatch(result.object, result.patch));
  const pre = el("pre", { class: "diff" });
  for (const d of hunks(diffLines(before, after))) {
    const mark = d.kind === "add" ? "+ " : d.kind === "del" ? "- " : "  ";
    pre.append(el("span", { class: d.kind, textContent: mark + d.text + "\n" }));
  }
  return el(
    "div",
    { class: "patch", "data-ops": String(result.patch.length) },
    el("h3", { textContent: "Defaults the policy fills in (the patch, as a diff of the object):" }),
    pre,
  );
}

function renderResult(r) {
  const name = r.namespace ? `${r.namespace}/${r.name || "(no name)"}` : r.name || "(no name)";
  const lookups = r.lookups.length
    ? el("details", { class: "lookups" }, el("summary", { textContent: `${r.lookups.length} look-up(s) answered from the manifests` }),
        el("ul", {}, r.lookups.map((l) => el("li", { textContent: `${l.request}: ${l.answer}` }))))
    : null;
  return el(
    "article",
    { class: "object", "data-verdict": r.verdict, "data-kind": r.kind, "data-name": name },
    el("h2", {},
      el("span", { textContent: `${r.kind} ${name}` }),
      el("span", { class: "verdict", textContent: r.verdict }),
      el("span", { class: "where" }, r.operation, " · ", lineLink(r.file, r.line))),
    el("ul", { class: "findings" }, r.findings.map(renderFinding)),
    renderPatch(r),
    lookups,
  );
}

function render(report, extraProblems) {
  const s = report.summary;
  const parts = [`${s.checked} object(s) checked`, `${s.rejected} rejected`, `${s.withWarnings} with warnings`, `${s.mutated} with defaults filled in`];
  if (s.skippedDocuments) parts.push(`${s.skippedDocuments} document(s) without kind skipped`);
  $("summary").textContent = s.checked || s.inputErrors ? parts.join(" · ") : "No TempoStack, TempoMonolithic or Secret to check yet.";
  $("summary").dataset.exitCode = String(s.exitCode);
  $("input-errors").replaceChildren(
    ...extraProblems.map((p) => el("li", { class: "input-error", textContent: p })),
    ...(report.settingsWarnings ?? []).map((w) => el("li", { class: "settings-warning", textContent: `settings: ${w}` })),
    ...report.inputErrors.map((p) => {
      const item = el("li", { class: "input-error", "data-file": p.file, "data-line": p.line ?? "" },
        `${p.file}${p.line ? ":" + p.line : ""}: ${p.message}`);
      if (p.line) {
        item.title = "Show in the editor";
        item.addEventListener("click", () => jumpTo(p.file === "settings.yaml" ? editors.settings : editors.manifests, p.line));
      }
      return item;
    }),
  );
  $("results").replaceChildren(...report.results.map(renderResult));
}

// ---- checking ----
let hashProblems = [];
let checks = 0;

function options() {
  return JSON.stringify({ namespace: $("namespace").value.trim() || "default", strict: $("strict").checked });
}

function run() {
  const t0 = performance.now();
  const report = JSON.parse(check(editors.manifests.value, editors.settings.value, options()));
  timings.lastCheckMs = performance.now() - t0;
  render(report, hashProblems);
  checks += 1;
  document.body.dataset.checks = String(checks);
  if (timings.firstResultMs === null) {
    timings.firstResultMs = performance.now();
    document.body.dataset.state = "ready";
  }
  return report;
}

let pending = null;
function scheduleRun() {
  clearTimeout(pending);
  pending = setTimeout(run, 250);
}

// ---- theme ----
const THEMES = ["auto", "light", "dark"];
function applyTheme(theme) {
  if (theme === "auto") delete document.documentElement.dataset.theme;
  else document.documentElement.dataset.theme = theme;
  $("theme").textContent = `Theme: ${theme}`;
}

// ---- start ----
async function main() {
  let theme = "auto";
  try { theme = localStorage.getItem("tempo-policy-theme") || "auto"; } catch { /* storage may be off */ }
  applyTheme(theme);
  $("theme").addEventListener("click", () => {
    theme = THEMES[(THEMES.indexOf(theme) + 1) % THEMES.length];
    applyTheme(theme);
    try { localStorage.setItem("tempo-policy-theme", theme); } catch { /* storage may be off */ }
  });

  for (const ex of examples) $("example").append(el("option", { value: ex.id, textContent: ex.title }));
  const fromLink = readHash();
  hashProblems = fromLink.problems;
  if (fromLink.manifests !== null) {
    editors.manifests.value = fromLink.manifests;
    editors.settings.value = fromLink.settings ?? "";
    $("shared-notice").hidden = false;
  } else {
    const first = examples.find((e) => e.id === "loki-secret") ?? examples[0];
    editors.manifests.value = first.manifests;
    editors.settings.value = exampleSettings;
    $("example").value = first.id;
  }

  await init();
  timings.moduleReadyMs = performance.now();
  const meta = JSON.parse(check("", "", "{}")).policy;
  if (meta.url) { policyUrl = meta.url; $("policy-link").href = meta.url; }
  if (meta.version) $("policy-version").textContent = `v${meta.version}`;

  $("example").addEventListener("change", () => {
    const ex = examples.find((e) => e.id === $("example").value);
    if (!ex) return;
    editors.manifests.value = ex.manifests;
    editors.settings.value = exampleSettings;
    hashProblems = [];
    run();
  });
  for (const input of [editors.manifests, editors.settings, $("namespace")]) input.addEventListener("input", scheduleRun);
  $("strict").addEventListener("change", run);
  $("share").addEventListener("click", async () => {
    // Credential values stay out of the link unless the user asks for them: a URL is kept by
    // browser history, chat previews and proxies.
    const withSecrets = $("share-secrets").checked;
    const shared = withSecrets
      ? { manifests: editors.manifests.value, leftOut: [] }
      : JSON.parse(share(editors.manifests.value));
    const params = new URLSearchParams();
    params.set("m", toBase64Url(shared.manifests));
    if (editors.settings.value.trim()) params.set("s", toBase64Url(editors.settings.value));
    const url = `${location.origin}${location.pathname}#${params}`;
    history.replaceState(null, "", url);
    const what = withSecrets
      ? "It carries the Secrets' credential values."
      : shared.leftOut.length
        ? `Left out of it (replaced by placeholders): ${shared.leftOut.join("; ")}.`
        : "No Secret values needed leaving out.";
    $("share-status").dataset.leftOut = JSON.stringify(shared.leftOut);
    try {
      await navigator.clipboard.writeText(url);
      $("share-status").textContent = `Link copied. ${what}`;
    } catch {
      $("share-status").textContent = `The link is in the address bar. ${what}`;
    }
  });
  window.addEventListener("hashchange", () => {
    const next = readHash();
    hashProblems = next.problems;
    if (next.manifests !== null) {
      editors.manifests.value = next.manifests;
      editors.settings.value = next.settings ?? "";
      $("shared-notice").hidden = false;
    }
    run();
  });
  run();
}

// For the page tests and the bench: the same entry the page uses, and its timings.
window.playground = {
  timings,
  examples,
  settings: exampleSettings,
  check: (manifests, settings = "", opts = "{}") => JSON.parse(check(manifests, settings, opts)),
  run,
};

main().catch((e) => {
  document.body.dataset.state = "failed";
  $("summary").textContent = `The policy could not be loaded: ${e}`;
});
