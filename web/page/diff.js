// The patch a mutation applies, shown as a diff of the object: the object before and after the
// JSON Patch, each written as YAML, compared line by line.

// RFC 6901: "~1" is "/", "~0" is "~".
function tokens(pointer) {
  return pointer.split("/").slice(1).map((t) => t.replaceAll("~1", "/").replaceAll("~0", "~"));
}

// Apply the operations policy-server would send (add, replace, remove; the only ones a diff
// of two objects gives) to a copy of `object`.
export function applyPatch(object, patch) {
  const doc = structuredClone(object);
  for (const op of patch) {
    const path = tokens(op.path);
    const last = path.pop();
    let parent = doc;
    for (const t of path) parent = parent[Array.isArray(parent) ? Number(t) : t];
    if (parent === undefined || parent === null) continue;
    if (Array.isArray(parent)) {
      const i = last === "-" ? parent.length : Number(last);
      if (op.op === "add") parent.splice(i, 0, op.value);
      else if (op.op === "replace") parent[i] = op.value;
      else if (op.op === "remove") parent.splice(i, 1);
    } else if (op.op === "add" || op.op === "replace") {
      parent[last] = op.value;
    } else if (op.op === "remove") {
      delete parent[last];
    }
  }
  return doc;
}

// Quoted only when plain text would read as something else (a number, a boolean, null) or
// holds characters YAML gives a meaning to.
const AMBIGUOUS = /^(true|false|null|yes|no|on|off|y|n|~|[-+]?(\d[\d_]*(\.\d*)?([eE][-+]?\d+)?|\.\d+|0[xo][0-9a-f]+|\.inf|\.nan))$/i;
function scalar(value) {
  if (typeof value === "string") {
    return /^[A-Za-z0-9_./-][A-Za-z0-9_./ -]*$/.test(value) && !AMBIGUOUS.test(value) && !value.endsWith(" ")
      ? value
      : JSON.stringify(value);
  }
  return JSON.stringify(value);
}

// A block-style YAML rendering, enough to read a diff (keys in the object's order).
export function toYaml(value, indent = "") {
  const lines = [];
  const walk = (v, pad) => {
    if (Array.isArray(v)) {
      if (v.length === 0) return [`${pad}[]`];
      const out = [];
      for (const item of v) {
        if (item !== null && typeof item === "object" && Object.keys(item).length > 0) {
          const inner = walk(item, pad + "  ");
          out.push(`${pad}- ${inner[0].trimStart()}`, ...inner.slice(1));
        } else {
          out.push(`${pad}- ${item !== null && typeof item === "object" ? (Array.isArray(item) ? "[]" : "{}") : scalar(item)}`);
        }
      }
      return out;
    }
    if (v !== null && typeof v === "object") {
      const keys = Object.keys(v);
      if (keys.length === 0) return [`${pad}{}`];
      const out = [];
      for (const k of keys) {
        const child = v[k];
        if (child !== null && typeof child === "object" && (Array.isArray(child) ? child.length : Object.keys(child).length)) {
          out.push(`${pad}${scalar(k)}:`, ...walk(child, pad + "  "));
        } else {
          out.push(`${pad}${scalar(k)}: ${child !== null && typeof child === "object" ? (Array.isArray(child) ? "[]" : "{}") : scalar(child)}`);
        }
      }
      return out;
    }
    return [`${pad}${scalar(v)}`];
  };
  lines.push(...walk(value, indent));
  return lines;
}

// Line diff by longest common subsequence: [{kind: "ctx"|"add"|"del", text}].
export function diffLines(before, after) {
  const n = before.length, m = after.length;
  const lcs = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lcs[i][j] = before[i] === after[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
    }
  }
  const out = [];
  let i = 0, j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && before[i] === after[j]) { out.push({ kind: "ctx", text: before[i] }); i++; j++; }
    else if (j < m && (i === n || lcs[i][j + 1] >= lcs[i + 1][j])) { out.push({ kind: "add", text: after[j] }); j++; }
    else { out.push({ kind: "del", text: before[i] }); i++; }
  }
  return out;
}

// Keep `context` unchanged lines around each change; elide the rest with "…".
export function hunks(diff, context = 2) {
  const keep = diff.map(() => false);
  diff.forEach((d, k) => {
    if (d.kind !== "ctx") for (let x = Math.max(0, k - context); x <= Math.min(diff.length - 1, k + context); x++) keep[x] = true;
  });
  const out = [];
  let skipped = false;
  diff.forEach((d, k) => {
    if (keep[k]) { out.push(d); skipped = false; }
    else if (!skipped) { out.push({ kind: "ctx", text: "  …" }); skipped = true; }
  });
  return out;
}
