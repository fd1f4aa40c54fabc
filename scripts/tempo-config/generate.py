#!/usr/bin/env python3
"""Generate the tree of configuration keys Grafana Tempo accepts.

Walks Tempo's configuration structs from app.Config (cmd/tempo/app/config.go)
across packages (vendored ones included) the way go.yaml.in/yaml/v2 (the
yaml.v2 fork Tempo decodes its config file with, UnmarshalStrict) sees them,
and writes the tree, one line per node in depth-first order, each indented by one space per
level below the root:

    <indent><key>\t<type>

Usage:
    generate.py --git-dir /path/to/tempo/bare/repo --tag v2.10.8 [--out FILE]

The header records where the data comes from (repository, tag, commit) and two SHA-256s: of
the generator's own three files and of the body, so that tests can tell data that this
generator did not write (tests/integration/tempo_config.rs).

Stdlib only. Reads files with `git cat-file` from the bare repository.
Companion modules: goparse.py (Go declaration reader) and custom_types.py
(hand review of every type with its own UnmarshalYAML / UnmarshalText).

Exit status: 0, or 3 when something needs a human review (a custom
unmarshaler missing from custom_types.py, a changed method fingerprint, an
unresolved type); the TSV is written in every case, with 'any' for those nodes.
"""

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import goparse  # noqa: E402
from custom_types import CUSTOM, STDLIB  # noqa: E402

GENERATOR = "scripts/tempo-config/generate.py"
# The files whose SHA-256 the data records (the generator and its two companions).
GENERATOR_FILES = ("generate.py", "goparse.py", "custom_types.py")
REPO_URL = "https://github.com/grafana/tempo"
MODULE = "github.com/grafana/tempo"
ROOT_PKG = MODULE + "/cmd/tempo/app"
ROOT_TYPE = "Config"

INT_KINDS = {"int", "int8", "int16", "int32", "int64", "rune"}
UINT_KINDS = {"uint", "uint8", "uint16", "uint32", "uint64", "uintptr", "byte"}
FLOAT_KINDS = {"float32", "float64"}
BASIC = INT_KINDS | UINT_KINDS | FLOAT_KINDS | {"string", "bool", "complex64", "complex128", "error", "any"}


def is_stdlib(path):
    first = path.split("/", 1)[0]
    return "." not in first


class Walker:
    def __init__(self, loader, custom=CUSTOM, stdlib=STDLIB):
        self.L = loader
        self.custom = custom
        self.stdlib = stdlib
        self.nodes = {}           # path -> type
        self.origin = {}          # path -> "file:line" of the declaring field (for the report)
        self.gotype = {}          # path -> Go type string
        self.warnings = []
        self.custom_seen = {}     # qname -> (classification, method location, paths)
        self.any_reasons = {}     # path -> reason for 'any'
        self.v3_only = {}         # qname -> location of a yaml.v3-style UnmarshalYAML (ignored by v2)
        self.text_unmarshalers = {}
        self.unions = {}          # path -> [(member name, [keys])]

    # ------------------------------------------------------------------ resolve
    def resolve(self, expr, env):
        """Return a resolved form:
        ('named', decl, args)  args = list of (expr, env)
        ('basic', name)
        ('stdlib', qname)
        ('unresolved', text)
        or a structural tuple with (expr, env) children:
        ('ptr', te) ('slice', te) ('array', n, te) ('map', kte, vte) ('struct', fields, env)
        ('iface', empty) ('func',) ('chan',)
        """
        k = expr[0]
        if k == "name":
            name, ctx = expr[1], expr[2]
            if name in env:
                sub_expr, sub_env = env[name]
                return self.resolve(sub_expr, sub_env)
            pkg = self.L.package(ctx.pkgpath)
            if pkg is not None and name in pkg.types:
                return self._named(pkg.types[name], [])
            for dp in ctx.dot_imports:
                dpkg = self.L.package(dp)
                if dpkg is not None and name in dpkg.types:
                    return self._named(dpkg.types[name], [])
            if name in BASIC:
                return ("basic", name)
            return ("unresolved", "%s (in %s)" % (name, ctx.path))
        if k == "qual":
            ident, name, ctx = expr[1], expr[2], expr[3]
            path = self.L.resolve_import(ctx, ident)
            if path is None:
                return ("unresolved", "%s.%s (import not found in %s)" % (ident, name, ctx.path))
            if is_stdlib(path):
                return ("stdlib", "%s.%s" % (path, name))
            pkg = self.L.package(path)
            if pkg is None:
                return ("unresolved", "%s.%s (package %s not vendored)" % (ident, name, path))
            if name not in pkg.types:
                return ("unresolved", "%s.%s (type not found in %s)" % (ident, name, path))
            return self._named(pkg.types[name], [])
        if k == "inst":
            base = self.resolve(expr[1], env)
            if base[0] != "named":
                return base
            decl = base[1]
            args = [(a, env) for a in expr[2]]
            return self._named(decl, args)
        if k == "ptr":
            return ("ptr", (expr[1], env))
        if k == "slice":
            return ("slice", (expr[1], env))
        if k == "array":
            return ("array", expr[1], (expr[2], env))
        if k == "map":
            return ("map", (expr[1], env), (expr[2], env))
        if k == "struct":
            return ("struct", expr[1], env)
        if k == "iface":
            return ("iface", expr[1])
        if k == "func":
            return ("func",)
        if k == "chan":
            return ("chan",)
        raise ValueError(expr)

    def _named(self, decl, args):
        if decl.alias:
            env = self._bind(decl, args)
            return self.resolve(decl.expr, env)
        return ("named", decl, args)

    @staticmethod
    def _bind(decl, args):
        env = {}
        for i, tp in enumerate(decl.tparams):
            if i < len(args):
                env[tp] = args[i]
        return env

    def underlying(self, r):
        """follow named types to a structural resolved form (keeps 'basic'/'stdlib')"""
        seen = 0
        while r[0] == "named":
            decl, args = r[1], r[2]
            r = self.resolve(decl.expr, self._bind(decl, args))
            seen += 1
            if seen > 50:
                return ("unresolved", "named type loop")
        return r

    # ------------------------------------------------------------------ methods
    def find_method(self, r, mname, depth=0):
        """Method lookup on the pointer method set of a named type, including
        methods promoted through embedded fields. Returns (Method, owner qname) or None."""
        if depth > 8 or r[0] != "named":
            return None
        decl = r[1]
        pkg = self.L.package(decl.pkgpath)
        m = pkg.methods.get(decl.name, {}).get(mname) if pkg else None
        if m is not None:
            return m, decl.qname
        u = self.underlying(r)
        if u[0] != "struct":
            return None
        found = []
        for f in u[1]:
            if f["names"] is not None:
                continue
            fr = self.resolve(f["type"], u[2])
            if fr[0] == "ptr":
                fr = self.resolve(*fr[1])
            res = self.find_method(fr, mname, depth + 1)
            if res:
                found.append(res)
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            self.warnings.append("ambiguous promoted %s on %s: %s" % (mname, decl.qname, found))
        return None

    def _check_fp(self, qname, cls, m):
        fp = m.fingerprint()
        if cls.get("fp") != fp:
            self.warnings.append("REVIEW %s: method %s at %s has fingerprint %s, table has %s"
                                 % (qname, m.name, self._loc(m), fp, cls.get("fp")))

    @staticmethod
    def _loc(m):
        return "%s:%d" % (m.path, m.line)

    def yaml_unmarshaler(self, r):
        """(kind, method, owner) where kind is 'v2' (used by yaml.v2) or 'v3' (ignored)"""
        res = self.find_method(r, "UnmarshalYAML")
        if not res:
            return None
        m, owner = res
        params = m.params.replace(" ", "")
        if params.endswith("func(interface{})error)") or params.endswith("func(any)error)"):
            return ("v2", m, owner)
        return ("v3", m, owner)

    # ------------------------------------------------------------------ struct info (yaml.v2 getStructInfo)
    def struct_keys(self, fields, env, where):
        """Returns (list of (key, (expr, env), field), inline_map_value_te or None)."""
        keys = []
        inline_map = None
        for f in fields:
            tag = f["tag"] or ""
            ytag, ok = goparse.tag_lookup(tag, "yaml")
            if ytag == "" and ":" not in tag:
                ytag = tag
            if ytag == "-":
                continue
            embedded = f["names"] is None
            if embedded:
                t = f["type"]
                if t[0] == "ptr":
                    t = t[1]
                if t[0] == "inst":
                    t = t[1]
                fname = t[1] if t[0] == "name" else t[2]
                names = [fname]
            else:
                names = [n for n in f["names"] if n[0].isupper()]  # exported only
                if not names:
                    continue
            parts = ytag.split(",")
            key = parts[0]
            inline = False
            for flag in parts[1:]:
                if flag == "inline":
                    inline = True
                elif flag not in ("omitempty", "flow"):
                    self.warnings.append("%s: unsupported yaml flag %r (yaml.v2 would fail)" % (where, flag))
            if embedded and not names[0][0].isupper():
                self.warnings.append("%s:%d: unexported embedded field %s" % (where, f["line"], names[0]))
            te = (f["type"], env)
            if inline:
                r = self.underlying(self.resolve(*te))
                if r[0] == "map":
                    inline_map = r[2]
                elif r[0] == "struct":
                    sub_keys, sub_map = self.struct_keys(r[1], r[2], where)
                    keys.extend(sub_keys)
                    if sub_map is not None:
                        self.warnings.append("%s: inline map inside inline struct" % where)
                        inline_map = sub_map
                else:
                    self.warnings.append("%s:%d: ,inline on non struct/map (yaml.v2 error)" % (where, f["line"]))
                continue
            for n in names:
                k = key if key else n.lower()
                keys.append((k, te, f))
        seen = set()
        for k, _, f in keys:
            if k in seen:
                self.warnings.append("%s: duplicated key %r (yaml.v2 would fail)" % (where, k))
            seen.add(k)
        return keys, inline_map

    # ------------------------------------------------------------------ walk
    def emit(self, path, typ, gotype, origin=None, reason=None):
        assert all("." not in p and "\t" not in p and p for p in path), path
        key = ".".join(path)
        if key in self.nodes and self.nodes[key] != typ:
            self.warnings.append("conflicting node %s: %s vs %s" % (key, self.nodes[key], typ))
        self.nodes[key] = typ
        self.gotype[key] = gotype
        if origin:
            self.origin[key] = origin
        if typ == "any":
            self.any_reasons[key] = reason or gotype

    def type_str(self, expr, env=None):
        k = expr[0]
        if k == "name":
            if env and expr[1] in env:
                return self.type_str(*env[expr[1]])
            return expr[1] if expr[1] in BASIC else "%s.%s" % (expr[2].pkgpath, expr[1])
        if k == "qual":
            path = self.L.resolve_import(expr[3], expr[1]) or expr[1]
            return "%s.%s" % (path, expr[2])
        if k == "inst":
            return "%s[%s]" % (self.type_str(expr[1], env), ",".join(self.type_str(a, env) for a in expr[2]))
        if k == "ptr":
            return "*" + self.type_str(expr[1], env)
        if k == "slice":
            return "[]" + self.type_str(expr[1], env)
        if k == "array":
            return "[%s]%s" % (expr[1], self.type_str(expr[2], env))
        if k == "map":
            return "map[%s]%s" % (self.type_str(expr[1], env), self.type_str(expr[2], env))
        if k == "struct":
            return "struct{...}"
        if k == "iface":
            return "interface{}" if expr[1] else "interface{...}"
        return k

    def walk(self, te, path, stack, origin=None):
        expr, env = te
        gostr = self.type_str(expr, env)
        r = self.resolve(expr, env)
        self.walk_resolved(r, path, stack, gostr, origin)

    def walk_resolved(self, r, path, stack, gostr, origin):
        k = r[0]
        if k == "ptr":
            return self.walk(r[1], path, stack, origin)
        if k == "named":
            decl, args = r[1], r[2]
            qname = decl.qname
            # custom unmarshalers
            um = self.yaml_unmarshaler(r)
            if um and um[0] == "v3":
                self.v3_only[qname] = self._loc(um[1])
            if um and um[0] == "v2":
                m, owner = um[1], um[2]
                cls = self.custom.get(qname)
                if cls is None and owner != qname:
                    cls = self.custom.get("promoted:" + owner)
                if cls is None:
                    self.warnings.append("UNCLASSIFIED custom UnmarshalYAML on %s (owner %s, %s) at %s -> any"
                                         % (qname, owner, self._loc(m), ".".join(path)))
                    cls = {"type": "any", "why": "unclassified custom UnmarshalYAML"}
                self._check_fp(qname, cls, m)
                ent = self.custom_seen.setdefault(qname, {"cls": cls, "method": self._loc(m),
                                                          "owner": owner, "paths": [], "fp": m.fingerprint()})
                ent["paths"].append(".".join(path))
                return self.emit_custom(cls, r, path, stack, gostr, origin)
            tu = self.find_method(r, "UnmarshalText")
            if tu:
                m, owner = tu
                cls = self.custom.get(qname)
                if cls is not None:
                    self._check_fp(qname, cls, m)
                ent = self.text_unmarshalers.setdefault(qname, {"method": self._loc(m), "owner": owner,
                                                                "paths": [], "cls": cls, "fp": m.fingerprint()})
                ent["paths"].append(".".join(path))
                if cls is None:
                    self.warnings.append("UNCLASSIFIED UnmarshalText on %s (%s) at %s -> any"
                                         % (qname, self._loc(m), ".".join(path)))
                    cls = {"type": "any", "why": "unclassified UnmarshalText"}
                return self.emit_custom(cls, r, path, stack, gostr, origin)
            if qname in self.custom:
                # classified by table although no method found (e.g. special handling)
                cls = self.custom[qname]
                ent = self.custom_seen.setdefault(qname, {"cls": cls, "method": "-", "owner": qname, "paths": []})
                ent["paths"].append(".".join(path))
                return self.emit_custom(cls, r, path, stack, gostr, origin)
            key = qname + "[" + ",".join(self.type_str(*a) for a in args) + "]"
            if key in stack:
                self.warnings.append("recursive type %s at %s -> any" % (qname, ".".join(path)))
                return self.emit(path, "any", gostr, origin, "recursive type " + qname)
            u = self.resolve(decl.expr, self._bind(decl, args))
            return self.walk_resolved(u, path, stack + [key], gostr, origin)
        if k == "basic":
            n = r[1]
            if n == "string":
                return self.emit(path, "string", gostr, origin)
            if n == "bool":
                return self.emit(path, "bool", gostr, origin)
            if n in INT_KINDS:
                return self.emit(path, "int", gostr, origin)
            if n in UINT_KINDS:
                return self.emit(path, "uint", gostr, origin)
            if n in FLOAT_KINDS:
                return self.emit(path, "float", gostr, origin)
            if n == "any":
                return self.emit(path, "any", gostr, origin, "interface{}")
            self.warnings.append("basic type %s at %s -> any" % (n, ".".join(path)))
            return self.emit(path, "any", gostr, origin, "basic type " + n)
        if k == "stdlib":
            cls = self.stdlib.get(r[1])
            if cls is None:
                self.warnings.append("UNCLASSIFIED stdlib type %s at %s -> any" % (r[1], ".".join(path)))
                cls = {"type": "any", "why": "unclassified stdlib type"}
            ent = self.custom_seen.setdefault(r[1], {"cls": cls, "method": "(stdlib)", "owner": r[1], "paths": []})
            ent["paths"].append(".".join(path))
            return self.emit_custom(cls, r, path, stack, gostr, origin)
        if k == "unresolved":
            self.warnings.append("unresolved type %s at %s -> any" % (r[1], ".".join(path)))
            return self.emit(path, "any", gostr, origin, "unresolved " + r[1])
        if k == "iface":
            return self.emit(path, "any", gostr, origin, "interface{}" if r[1] else "non-empty interface")
        if k in ("func", "chan"):
            self.warnings.append("%s field at %s (only null decodes) -> any" % (k, ".".join(path)))
            return self.emit(path, "any", gostr, origin, k)
        if k in ("slice", "array"):
            te = r[1] if k == "slice" else r[2]
            elem = self.underlying(self.resolve(*te))
            # yaml.MapSlice / []MapItem: a mapping decodes into it
            if elem[0] == "struct" and self._is_mapitem(te):
                return self.emit(path, "any", gostr, origin, "yaml.MapSlice")
            self.emit(path, "list", gostr, origin)
            return self.walk(te, path + ["[]"], stack)
        if k == "map":
            vr = self.underlying(self.resolve(*r[2]))
            if vr[0] == "iface" or (vr[0] == "basic" and vr[1] == "any"):
                return self.emit(path, "any", gostr, origin, "map[...]interface{}")
            self.emit(path, "map", gostr, origin)
            return self.walk(r[2], path + ["*"], stack)
        if k == "struct":
            where = gostr
            keys, inline_map = self.struct_keys(r[1], r[2], where)
            self.emit(path, "object", gostr, origin)
            for key, te, f in keys:
                self.walk(te, path + [key], stack, origin=self._field_origin(f, te))
            if inline_map is not None:
                self.walk(inline_map, path + ["*"], stack)
            return
        raise ValueError(r)

    def _field_origin(self, f, te):
        ctx = self._ctx_of(te[0])
        return "%s:%d" % (ctx.path, f["line"]) if ctx else None

    def _ctx_of(self, expr):
        k = expr[0]
        if k == "name":
            return expr[2]
        if k == "qual":
            return expr[3]
        if k in ("ptr", "slice"):
            return self._ctx_of(expr[1])
        if k == "array":
            return self._ctx_of(expr[2])
        if k == "map":
            return self._ctx_of(expr[2]) or self._ctx_of(expr[1])
        if k == "inst":
            return self._ctx_of(expr[1])
        if k == "struct":
            for f in expr[1]:
                c = self._ctx_of(f["type"])
                if c:
                    return c
        return None

    def _is_mapitem(self, te):
        r = self.resolve(*te)
        return r[0] == "named" and r[1].name == "MapItem" and "yaml" in r[1].pkgpath

    def emit_custom(self, cls, r, path, stack, gostr, origin):
        t = cls["type"]
        if t == "union":
            self.emit(path, "object", gostr, origin)
            qname = r[1].qname
            members = []
            for mem in cls["members"]:
                mkeys = []
                for pkgpath, tname, only in mem["parts"]:
                    pkg = self.L.package(pkgpath)
                    decl = pkg.types.get(tname) if pkg else None
                    u = self.underlying(("named", decl, [])) if decl else ("unresolved",)
                    if u[0] != "struct":
                        self.warnings.append("REVIEW union %s: member type %s.%s not found or not a struct"
                                             % (qname, pkgpath, tname))
                        continue
                    keys, imap = self.struct_keys(u[1], u[2], decl.qname)
                    if imap is not None:
                        self.warnings.append("REVIEW union %s: member %s has an inline map" % (qname, tname))
                        self.walk(imap, path + ["*"], stack + [qname + "[union]"])
                    for key, te, f in keys:
                        if only is not None and key not in only:
                            continue
                        mkeys.append(key)
                        self.walk(te, path + [key], stack + [qname + "[union]"], origin=self._field_origin(f, te))
                    if only is not None:
                        missing = set(only) - {k for k, _, _ in keys}
                        if missing:
                            self.warnings.append("union %s: keys %s not found in %s" % (qname, missing, tname))
                members.append((mem["name"], sorted(set(mkeys))))
            self.unions[".".join(path)] = members
            return
        if t == "list-of-string":
            self.emit(path, "list", gostr, origin)
            return self.emit(path + ["[]"], "string", "string", None)
        if t == "walk":
            # custom unmarshaler that decodes into the plain struct (e.g. applies defaults first)
            decl, args = r[1], r[2]
            # `type plain T` has no methods of its own, but keeps methods promoted from embedded fields
            u0 = self.underlying(r)
            if u0[0] == "struct":
                for f in u0[1]:
                    if f["names"] is None:
                        fr = self.resolve(f["type"], u0[2])
                        if fr[0] == "ptr":
                            fr = self.resolve(*fr[1])
                        if self.find_method(fr, "UnmarshalYAML"):
                            self.warnings.append("walk %s: embedded field %s has UnmarshalYAML (promoted to plain type)"
                                                 % (decl.qname, self.type_str(f["type"])))
            key = decl.qname + "[walk]"
            if key in stack:
                return self.emit(path, "any", gostr, origin, "recursive")
            target = cls.get("target")
            if target:
                pkg = self.L.package(target[0])
                tdecl = pkg.types[target[1]]
                u = self.resolve(tdecl.expr, {})
            else:
                u = self.resolve(decl.expr, self._bind(decl, args))
            return self.walk_resolved(u, path, stack + [key], gostr, origin)
        self.emit(path, t, gostr, origin, cls.get("why"))


def generate(git_dir, tag):
    tree = goparse.GitTree(git_dir, tag)
    loader = goparse.Loader(tree, MODULE)
    root_pkg = loader.package(ROOT_PKG)
    decl = root_pkg.types[ROOT_TYPE]
    w = Walker(loader)
    w.walk_resolved(("named", decl, []), [], [], ROOT_PKG + "." + ROOT_TYPE, None)
    tree.close()
    w.warnings.extend(loader.warnings)
    return tree, w


def generator_sha256():
    """SHA-256 over the generator's files, each as `<name>\n<length>\n<bytes>`."""
    import hashlib
    h = hashlib.sha256()
    here = os.path.dirname(os.path.abspath(__file__))
    for name in GENERATOR_FILES:
        with open(os.path.join(here, name), "rb") as fh:
            data = fh.read()
        h.update(b"%s\n%d\n" % (name.encode(), len(data)))
        h.update(data)
    return h.hexdigest()


def render(tree, tag, w):
    import hashlib
    nodes = dict(w.nodes)
    root = nodes.pop("", None)
    assert root == "object", root
    for p in nodes:
        for part in p.split("."):
            assert part and "\t" not in part and "\n" not in part and "." not in part and " " not in part, p
    containers = ("object", "map", "list")
    leaves = sum(1 for t in nodes.values() if t not in containers)
    used = sorted(set(nodes.values()))
    # Depth first: a node's children follow it, one more space of indent.
    body = []
    for p in sorted(nodes, key=lambda p: p.split(".")):
        parts = p.split(".")
        body.append("%s%s\t%s" % (" " * (len(parts) - 1), parts[-1], nodes[p]))
    body_text = "\n".join(body) + "\n"
    lines = [
        "# Grafana Tempo configuration keys: what yaml.v2 UnmarshalStrict accepts into app.Config",
        "# repository: %s" % REPO_URL,
        "# tag: %s" % tag,
        "# commit: %s" % tree.commit,
        "# root: %s.%s (cmd/tempo/app/config.go)" % (ROOT_PKG, ROOT_TYPE),
        "# decoder: go.yaml.in/yaml/v2 UnmarshalStrict (cmd/tempo/main.go loadConfig)",
        "# generator: %s" % GENERATOR,
        "# generator-sha256: %s" % generator_sha256(),
        "# content-sha256: %s" % hashlib.sha256(body_text.encode()).hexdigest(),
        "# format: one node per line, depth first; one space of indent per level, then <key> TAB <type>;",
        "#         '*' = a free map key, '[]' = a list item",
        "# containers: object = only the listed children (plus free keys when it has a '*' child: ,inline map)",
        "#             map = free keys, values described under '*'; list = items described under '[]'",
        "# any = anything accepted, nothing below is judged",
        "# leaf types used: %s" % " ".join(t for t in used if t not in containers and t != "any"),
        "# leaf types are explained in docs/extra-config.md and scripts/tempo-config/custom_types.py",
    ]
    for path in sorted(w.unions):
        for name, keys in w.unions[path]:
            lines.append("# union %s %s: %s" % (path or ".", name, ",".join(keys)))
    if w.unions:
        lines.append("# union = the node accepts one of the alternative key sets above (a mix of them fails);"
                     " the tree lists their union")
    lines.append("# nodes: %d  leaves: %d" % (len(nodes), leaves))
    return "\n".join(lines) + "\n" + body_text


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--git-dir", required=True)
    ap.add_argument("--tag", required=True)
    ap.add_argument("--out", default=None,
                    help="output (default: src/tempo_config/tempo-<tag>.tree in the repository)")
    ap.add_argument("--details", default=None, help="optional: write a details TSV (path, type, Go type, origin)")
    ap.add_argument("--quiet", action="store_true")
    a = ap.parse_args()
    repo = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    out = a.out or os.path.join(repo, "src", "tempo_config", "tempo-%s.tree" % a.tag)
    tree, w = generate(a.git_dir, a.tag)
    text = render(tree, a.tag, w)
    with open(out, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(text)
    if a.details:
        with open(a.details, "w", encoding="utf-8", newline="\n") as fh:
            fh.write("# path\ttype\tgo type\tdeclared at\tnote\n")
            for p in sorted(w.nodes):
                if p == "":
                    continue
                fh.write("%s\t%s\t%s\t%s\t%s\n" % (p, w.nodes[p], w.gotype.get(p, ""), w.origin.get(p, ""),
                                                   w.any_reasons.get(p, "")))
    if not a.quiet:
        for msg in sorted(set(w.warnings)):
            print("warning:", msg, file=sys.stderr)
        print("wrote %s (%d nodes)" % (out, len(w.nodes) - 1), file=sys.stderr)
    return w


def needs_review(w):
    return any(("UNCLASSIFIED" in m or "REVIEW" in m or "unresolved" in m or "recursive" in m) for m in w.warnings)


if __name__ == "__main__":
    sys.exit(3 if needs_review(main()) else 0)
