"""Minimal Go declaration reader (stdlib only).

Reads Go source files out of a bare git repository (git cat-file --batch) and
extracts what is needed to follow configuration structs the way
go.yaml.in/yaml/v2 (gopkg.in/yaml.v2) sees them:

  * package clause and imports of every file,
  * top-level type declarations (named types, aliases, generic type params),
  * method names and parameter text per receiver type.

Function bodies, var/const declarations and expressions are skipped.
It is not a Go compiler; it only has to understand declarations.
"""

import re
import subprocess

# ---------------------------------------------------------------------------
# git access


class GitTree:
    def __init__(self, git_dir, rev):
        self.git_dir = git_dir
        self.rev = rev
        self.commit = self._run(["rev-parse", rev + "^{commit}"]).strip()
        out = self._run(["ls-tree", "-r", "--full-tree", self.commit])
        self.blobs = {}
        for line in out.splitlines():
            meta, path = line.split("\t", 1)
            mode, typ, sha = meta.split()
            if typ == "blob":
                self.blobs[path] = sha
        self.dirs = {}
        for path in self.blobs:
            d, _, f = path.rpartition("/")
            self.dirs.setdefault(d, []).append(f)
        self._cat = None
        self._cache = {}

    def _run(self, args):
        return subprocess.run(["git", "--git-dir", self.git_dir] + args,
                              check=True, capture_output=True, text=True).stdout

    def read(self, path):
        if path in self._cache:
            return self._cache[path]
        sha = self.blobs[path]
        if self._cat is None:
            self._cat = subprocess.Popen(["git", "--git-dir", self.git_dir, "cat-file", "--batch"],
                                         stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        self._cat.stdin.write((sha + "\n").encode())
        self._cat.stdin.flush()
        header = self._cat.stdout.readline().decode()
        size = int(header.split()[2])
        data = self._cat.stdout.read(size)
        self._cat.stdout.read(1)
        text = data.decode("utf-8", errors="replace")
        self._cache[path] = text
        return text

    def close(self):
        if self._cat is not None:
            self._cat.stdin.close()
            self._cat.wait()
            self._cat = None


# ---------------------------------------------------------------------------
# tokenizer with Go's automatic semicolon insertion

KEYWORDS = {"break", "case", "chan", "const", "continue", "default", "defer", "else",
            "fallthrough", "for", "func", "go", "goto", "if", "import", "interface",
            "map", "package", "range", "return", "select", "struct", "switch", "type", "var"}

_ident_re = re.compile(r"[A-Za-z_\u0080-\uffff][A-Za-z0-9_\u0080-\uffff]*")
_num_re = re.compile(r"0[xX][0-9a-fA-F_.pP+-]*|0[bBoO][0-9_]+|[0-9][0-9_]*(\.[0-9_]*)?([eE][+-]?[0-9_]+)?i?|\.[0-9][0-9_]*([eE][+-]?[0-9_]+)?i?")
_ops = ["<<=", ">>=", "&^=", "...", "&&", "||", "<-", "++", "--", "==", "!=", "<=", ">=",
        ":=", "+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=", "<<", ">>", "&^", "~",
        "+", "-", "*", "/", "%", "&", "|", "^", "<", ">", "=", "!", "(", ")", "[", "]",
        "{", "}", ",", ";", ".", ":"]


class Tok:
    __slots__ = ("kind", "val", "line")

    def __init__(self, kind, val, line):
        self.kind = kind  # ident, kw, op, str, num, char
        self.val = val
        self.line = line

    def __repr__(self):
        return "%s:%r@%d" % (self.kind, self.val, self.line)


def tokenize(src):
    toks = []
    i, n, line = 0, len(src), 1

    def need_semi():
        if not toks:
            return False
        t = toks[-1]
        if t.kind in ("ident", "str", "num", "char"):
            return True
        if t.kind == "kw" and t.val in ("break", "continue", "fallthrough", "return"):
            return True
        if t.kind == "op" and t.val in ("++", "--", ")", "]", "}"):
            return True
        return False

    while i < n:
        c = src[i]
        if c == "\n":
            if need_semi():
                toks.append(Tok("op", ";", line))
            line += 1
            i += 1
            continue
        if c in " \t\r\ufeff":
            i += 1
            continue
        if src.startswith("//", i):
            j = src.find("\n", i)
            i = n if j < 0 else j
            continue
        if src.startswith("/*", i):
            j = src.find("*/", i + 2)
            j = n if j < 0 else j + 2
            body = src[i:j]
            if "\n" in body:
                if need_semi():
                    toks.append(Tok("op", ";", line))
                line += body.count("\n")
            i = j
            continue
        if c == '"':
            j = i + 1
            while j < n and src[j] != '"':
                if src[j] == "\\":
                    j += 1
                j += 1
            toks.append(Tok("str", src[i:j + 1], line))
            i = j + 1
            continue
        if c == "`":
            j = src.find("`", i + 1)
            body = src[i:j + 1]
            toks.append(Tok("str", body, line))
            line += body.count("\n")
            i = j + 1
            continue
        if c == "'":
            j = i + 1
            while j < n and src[j] != "'":
                if src[j] == "\\":
                    j += 1
                j += 1
            toks.append(Tok("char", src[i:j + 1], line))
            i = j + 1
            continue
        m = _ident_re.match(src, i)
        if m:
            w = m.group(0)
            toks.append(Tok("kw" if w in KEYWORDS else "ident", w, line))
            i = m.end()
            continue
        if c.isdigit() or (c == "." and i + 1 < n and src[i + 1].isdigit()):
            m = _num_re.match(src, i)
            toks.append(Tok("num", m.group(0), line))
            i = m.end()
            continue
        for op in _ops:
            if src.startswith(op, i):
                toks.append(Tok("op", op, line))
                i += len(op)
                break
        else:
            raise SyntaxError("unexpected character %r at line %d" % (c, line))
    if need_semi():
        toks.append(Tok("op", ";", line))
    toks.append(Tok("eof", "", line))
    return toks


# ---------------------------------------------------------------------------
# Go string literal and struct tag handling


def go_unquote(lit):
    if lit.startswith("`"):
        return lit[1:-1].replace("\r", "")
    body = lit[1:-1]
    out, i = [], 0
    simple = {"n": "\n", "t": "\t", "r": "\r", "\\": "\\", '"': '"', "'": "'",
              "a": "\a", "b": "\b", "f": "\f", "v": "\v"}
    while i < len(body):
        ch = body[i]
        if ch != "\\":
            out.append(ch)
            i += 1
            continue
        e = body[i + 1]
        if e in simple:
            out.append(simple[e])
            i += 2
        elif e == "x":
            out.append(chr(int(body[i + 2:i + 4], 16)))
            i += 4
        elif e == "u":
            out.append(chr(int(body[i + 2:i + 6], 16)))
            i += 6
        elif e == "U":
            out.append(chr(int(body[i + 2:i + 10], 16)))
            i += 10
        else:  # octal
            out.append(chr(int(body[i + 1:i + 4], 8)))
            i += 4
    return "".join(out)


def tag_lookup(tag, key):
    """reflect.StructTag.Lookup."""
    while tag:
        i = 0
        while i < len(tag) and tag[i] == " ":
            i += 1
        tag = tag[i:]
        if not tag:
            break
        i = 0
        while i < len(tag) and tag[i] > " " and tag[i] != ":" and tag[i] != '"' and ord(tag[i]) != 0x7f:
            i += 1
        if i == 0 or i + 1 >= len(tag) or tag[i] != ":" or tag[i + 1] != '"':
            break
        name = tag[:i]
        tag = tag[i + 1:]
        i = 1
        while i < len(tag) and tag[i] != '"':
            if tag[i] == "\\":
                i += 1
            i += 1
        if i >= len(tag):
            break
        qvalue = tag[:i + 1]
        tag = tag[i + 1:]
        if key == name:
            try:
                return go_unquote(qvalue), True
            except Exception:
                break
    return "", False


# ---------------------------------------------------------------------------
# type expressions
#
# ('name', ident, filectx)                 - unqualified identifier
# ('qual', pkgident, ident, filectx)
# ('inst', base_expr, [args])              - generic instantiation
# ('ptr', T) ('slice', T) ('array', lenstr, T) ('map', K, V) ('chan', T)
# ('func',) ('iface', is_empty)
# ('struct', [Field...])
#
# Field = dict(names=[...] or None (embedded), type=expr, tag=str|None, line=int)


class FileCtx:
    __slots__ = ("pkgpath", "path", "imports", "dot_imports")

    def __init__(self, pkgpath, path):
        self.pkgpath = pkgpath
        self.path = path
        self.imports = {}      # local name -> import path (explicit alias)
        self.dot_imports = []

    def __repr__(self):
        return "<file %s>" % self.path


class Parser:
    def __init__(self, toks, ctx):
        self.t = toks
        self.p = 0
        self.ctx = ctx

    def peek(self, k=0):
        return self.t[min(self.p + k, len(self.t) - 1)]

    def next(self):
        tok = self.t[self.p]
        self.p += 1
        return tok

    def is_op(self, v, k=0):
        tok = self.peek(k)
        return tok.kind == "op" and tok.val == v

    def expect_op(self, v):
        tok = self.next()
        if not (tok.kind == "op" and tok.val == v):
            raise SyntaxError("%s: expected %r got %r" % (self.ctx.path, v, tok))
        return tok

    def skip_balanced(self):
        """current token is an opening bracket; skip to after its partner"""
        pairs = {"(": ")", "[": "]", "{": "}"}
        stack = []
        while True:
            tok = self.next()
            if tok.kind == "eof":
                raise SyntaxError("%s: unbalanced" % self.ctx.path)
            if tok.kind == "op":
                if tok.val in pairs:
                    stack.append(pairs[tok.val])
                elif tok.val in (")", "]", "}"):
                    if not stack or stack[-1] != tok.val:
                        raise SyntaxError("%s: mismatched %r" % (self.ctx.path, tok))
                    stack.pop()
                    if not stack:
                        return

    def skip_to_semi(self):
        while True:
            tok = self.peek()
            if tok.kind == "eof":
                return
            if tok.kind == "op" and tok.val in ("(", "[", "{"):
                self.skip_balanced()
                continue
            if tok.kind == "op" and tok.val == ";":
                self.next()
                return
            if tok.kind == "op" and tok.val in (")", "}"):
                return
            self.next()

    # --- type expressions
    def starts_type(self):
        tok = self.peek()
        if tok.kind == "ident":
            return True
        if tok.kind == "kw" and tok.val in ("map", "chan", "func", "struct", "interface"):
            return True
        if tok.kind == "op" and tok.val in ("*", "[", "(", "<-"):
            return True
        return False

    def parse_type(self):
        tok = self.peek()
        if tok.kind == "op":
            if tok.val == "*":
                self.next()
                return ("ptr", self.parse_type())
            if tok.val == "(":
                self.next()
                t = self.parse_type()
                self.expect_op(")")
                return t
            if tok.val == "[":
                self.next()
                if self.is_op("]"):
                    self.next()
                    return ("slice", self.parse_type())
                if self.is_op("..."):
                    self.next()
                    self.expect_op("]")
                    return ("array", "...", self.parse_type())
                start = self.p
                depth = 0
                while True:
                    tk = self.next()
                    if tk.kind == "op" and tk.val in ("(", "[", "{"):
                        depth += 1
                    elif tk.kind == "op" and tk.val in (")", "]", "}"):
                        if depth == 0 and tk.val == "]":
                            break
                        depth -= 1
                ln = " ".join(x.val for x in self.t[start:self.p - 1])
                return ("array", ln, self.parse_type())
            if tok.val == "<-":
                self.next()
                self.next()  # chan
                return ("chan", self.parse_type())
        if tok.kind == "kw":
            if tok.val == "map":
                self.next()
                self.expect_op("[")
                k = self.parse_type()
                self.expect_op("]")
                v = self.parse_type()
                return ("map", k, v)
            if tok.val == "chan":
                self.next()
                if self.is_op("<-"):
                    self.next()
                return ("chan", self.parse_type())
            if tok.val == "func":
                self.next()
                self.parse_signature()
                return ("func",)
            if tok.val == "struct":
                self.next()
                return ("struct", self.parse_struct_body())
            if tok.val == "interface":
                self.next()
                start = self.p
                self.skip_balanced()
                inner = [x for x in self.t[start + 1:self.p - 1] if not (x.kind == "op" and x.val == ";")]
                return ("iface", len(inner) == 0)
        if tok.kind == "ident":
            self.next()
            if self.is_op(".") and self.peek(1).kind == "ident":
                self.next()
                name = self.next().val
                base = ("qual", tok.val, name, self.ctx)
            else:
                base = ("name", tok.val, self.ctx)
            if self.is_op("["):
                # generic instantiation
                self.next()
                args = []
                while not self.is_op("]"):
                    args.append(self.parse_type())
                    if self.is_op(","):
                        self.next()
                self.expect_op("]")
                return ("inst", base, args)
            return base
        raise SyntaxError("%s:%d: cannot parse type at %r" % (self.ctx.path, tok.line, tok))

    def parse_signature(self):
        """after 'func' (and name): params then optional result"""
        if self.is_op("["):
            self.skip_balanced()
        start = self.p
        self.skip_balanced()  # params
        params = self.t[start:self.p]
        if self.is_op("("):
            self.skip_balanced()
        elif self.starts_type():
            self.parse_type()
        return params

    def parse_struct_body(self):
        self.expect_op("{")
        fields = []
        while True:
            if self.is_op(";"):
                self.next()
                continue
            if self.is_op("}"):
                self.next()
                return fields
            line = self.peek().line
            names = None
            if self.is_op("*"):
                typ = self.parse_type()
            elif self.peek().kind == "ident":
                nxt = self.peek(1)
                if nxt.kind == "op" and nxt.val == ".":
                    typ = self.parse_type()
                elif nxt.kind in ("str",) or (nxt.kind == "op" and nxt.val in (";", "}")):
                    typ = self.parse_type()
                else:
                    names = [self.next().val]
                    while self.is_op(","):
                        self.next()
                        names.append(self.next().val)
                    typ = self.parse_type()
            else:
                raise SyntaxError("%s:%d: bad struct field %r" % (self.ctx.path, line, self.peek()))
            tag = None
            if self.peek().kind == "str":
                tag = go_unquote(self.next().val)
            fields.append({"names": names, "type": typ, "tag": tag, "line": line})


# ---------------------------------------------------------------------------
# package model


class TypeDecl:
    __slots__ = ("pkgpath", "name", "tparams", "expr", "alias", "ctx", "line")

    def __init__(self, pkgpath, name, tparams, expr, alias, ctx, line):
        self.pkgpath, self.name, self.tparams, self.expr = pkgpath, name, tparams, expr
        self.alias, self.ctx, self.line = alias, ctx, line

    @property
    def qname(self):
        return "%s.%s" % (self.pkgpath, self.name)


class Method:
    __slots__ = ("name", "ptr", "params", "path", "line", "body")

    def __init__(self, name, ptr, params, path, line):
        self.name, self.ptr, self.params, self.path, self.line = name, ptr, params, path, line
        self.body = ""

    def fingerprint(self):
        """sha1 (12 hex) of the method's parameter and body tokens (whitespace/comment insensitive)"""
        import hashlib
        return hashlib.sha1((self.params + " {" + self.body).encode()).hexdigest()[:12]


class Package:
    def __init__(self, path, dirpath):
        self.path = path
        self.dir = dirpath
        self.name = None
        self.types = {}
        self.methods = {}  # type name -> {method name: Method}
        self.files = []


GOOS = "linux"
GOARCH = "amd64"
KNOWN_OS = {"aix", "android", "darwin", "dragonfly", "freebsd", "hurd", "illumos", "ios", "js",
            "linux", "nacl", "netbsd", "openbsd", "plan9", "solaris", "wasip1", "windows", "zos"}
KNOWN_ARCH = {"386", "amd64", "amd64p32", "arm", "armbe", "arm64", "arm64be", "loong64", "mips",
              "mipsle", "mips64", "mips64le", "mips64p32", "mips64p32le", "ppc", "ppc64", "ppc64le",
              "riscv", "riscv64", "s390", "s390x", "sparc", "sparc64", "wasm"}
TRUE_TAGS = {GOOS, GOARCH, "unix", "gc"}


def _build_tag_true(tag):
    if tag in TRUE_TAGS:
        return True
    if re.fullmatch(r"go1\.\d+", tag):
        return True
    return False


def build_ok(fname, src):
    if fname.endswith("_test.go"):
        return False
    base = fname[:-3]
    parts = base.split("_")
    if len(parts) >= 3 and parts[-2] in KNOWN_OS and parts[-1] in KNOWN_ARCH:
        if parts[-2] != GOOS or parts[-1] != GOARCH:
            return False
    elif len(parts) >= 2:
        if parts[-1] in KNOWN_OS and parts[-1] != GOOS:
            return False
        if parts[-1] in KNOWN_ARCH and parts[-1] != GOARCH:
            return False
    for line in src.splitlines():
        s = line.strip()
        if s.startswith("//go:build"):
            expr = s[len("//go:build"):].strip()
            py = re.sub(r"[A-Za-z0-9_.]+", lambda m: "True" if _build_tag_true(m.group(0)) else "False", expr)
            py = py.replace("&&", " and ").replace("||", " or ").replace("!", " not ")
            return bool(eval(py, {"__builtins__": {}}, {}))
        if s.startswith("package "):
            break
    return True


class Loader:
    def __init__(self, tree, module_path):
        self.tree = tree
        self.module = module_path
        self.pkgs = {}
        self.warnings = []

    def dir_for(self, importpath):
        if importpath == self.module:
            return ""
        if importpath.startswith(self.module + "/"):
            return importpath[len(self.module) + 1:]
        d = "vendor/" + importpath
        if d in self.tree.dirs:
            return d
        return None

    def package(self, importpath):
        if importpath in self.pkgs:
            return self.pkgs[importpath]
        d = self.dir_for(importpath)
        if d is None or d not in self.tree.dirs:
            self.pkgs[importpath] = None
            return None
        pkg = Package(importpath, d)
        for f in sorted(self.tree.dirs[d]):
            if not f.endswith(".go"):
                continue
            full = (d + "/" + f) if d else f
            src = self.tree.read(full)
            if not build_ok(f, src):
                continue
            self._parse_file(pkg, full, src)
        self.pkgs[importpath] = pkg
        return pkg

    def _parse_file(self, pkg, full, src):
        ctx = FileCtx(pkg.path, full)
        toks = tokenize(src)
        p = Parser(toks, ctx)
        while p.is_op(";"):
            p.next()
        tok = p.next()
        assert tok.val == "package", (full, tok)
        name = p.next().val
        if name == "main" or name.endswith("_test"):
            pass
        if pkg.name is None:
            pkg.name = name
        pkg.files.append(ctx)
        while True:
            tok = p.peek()
            if tok.kind == "eof":
                break
            if tok.kind == "op" and tok.val == ";":
                p.next()
                continue
            if tok.kind == "kw" and tok.val == "import":
                p.next()
                if p.is_op("("):
                    p.next()
                    while not p.is_op(")"):
                        if p.is_op(";"):
                            p.next()
                            continue
                        self._import_spec(p, ctx)
                    p.next()
                else:
                    self._import_spec(p, ctx)
                continue
            if tok.kind == "kw" and tok.val == "type":
                p.next()
                if p.is_op("("):
                    p.next()
                    while not p.is_op(")"):
                        if p.is_op(";"):
                            p.next()
                            continue
                        self._type_spec(p, pkg, ctx)
                    p.next()
                else:
                    self._type_spec(p, pkg, ctx)
                continue
            if tok.kind == "kw" and tok.val == "func":
                p.next()
                if p.is_op("("):
                    # method
                    rstart = p.p
                    p.skip_balanced()
                    recv = [x for x in toks[rstart + 1:p.p - 1]]
                    mname = p.next()
                    params = p.parse_signature()
                    rtype, ptr = self._recv_type(recv)
                    meth = Method(mname.val, ptr, " ".join(x.val for x in params), full, mname.line)
                    pkg.methods.setdefault(rtype, {})[mname.val] = meth
                    if p.is_op("{"):
                        bstart = p.p
                        p.skip_balanced()
                        meth.body = " ".join(x.val for x in toks[bstart + 1:p.p])
                else:
                    p.next()  # name
                    p.parse_signature()
                if p.is_op("{"):
                    p.skip_balanced()
                continue
            if tok.kind == "kw" and tok.val in ("var", "const"):
                p.next()
                if p.is_op("("):
                    p.skip_balanced()
                else:
                    p.skip_to_semi()
                continue
            raise SyntaxError("%s:%d: unexpected top-level token %r" % (full, tok.line, tok))

    @staticmethod
    def _recv_type(recv):
        vals = [x.val for x in recv]
        ptr = "*" in vals
        # receiver: [name] [*] Type [ [T, U] ]
        idents = []
        depth = 0
        for x in recv:
            if x.kind == "op" and x.val == "[":
                depth += 1
            elif x.kind == "op" and x.val == "]":
                depth -= 1
            elif x.kind == "ident" and depth == 0:
                idents.append(x.val)
        return idents[-1], ptr

    def _import_spec(self, p, ctx):
        tok = p.next()
        alias = None
        if tok.kind == "ident" or (tok.kind == "op" and tok.val == "."):
            alias = tok.val
            tok = p.next()
        path = go_unquote(tok.val)
        if p.is_op(";"):
            p.next()
        if alias == ".":
            ctx.dot_imports.append(path)
        elif alias == "_":
            pass
        elif alias:
            ctx.imports[alias] = path
        else:
            ctx.imports.setdefault(None, []).append(path)

    def _type_spec(self, p, pkg, ctx):
        name_tok = p.next()
        name = name_tok.val
        tparams = []
        if p.is_op("["):
            # generic params or array type?
            t1, t2 = p.peek(1), p.peek(2)
            is_generic = t1.kind == "ident" and not (t2.kind == "op" and t2.val == "]")
            if is_generic:
                start = p.p
                p.skip_balanced()
                inner = p.t[start + 1:p.p - 1]
                # names: identifiers that precede a constraint; parse "A, B any, C comparable"
                groups, cur, depth = [], [], 0
                for x in inner:
                    if x.kind == "op" and x.val in ("[", "(", "{"):
                        depth += 1
                    elif x.kind == "op" and x.val in ("]", ")", "}"):
                        depth -= 1
                    if depth == 0 and x.kind == "op" and x.val == ",":
                        groups.append(cur)
                        cur = []
                    else:
                        cur.append(x)
                groups.append(cur)
                pending = []
                for g in groups:
                    if len(g) == 1:
                        pending.append(g[0].val)
                    else:
                        pending.append(g[0].val)
                        tparams.extend(pending)
                        pending = []
                tparams.extend(pending)
        alias = False
        if p.is_op("="):
            p.next()
            alias = True
        expr = p.parse_type()
        if name in pkg.types:
            self.warnings.append("duplicate type %s.%s (%s and %s)" % (pkg.path, name, pkg.types[name].ctx.path, ctx.path))
        pkg.types[name] = TypeDecl(pkg.path, name, tparams, expr, alias, ctx, name_tok.line)
        if p.is_op(";"):
            p.next()

    # --- name resolution
    def resolve_import(self, ctx, ident):
        if ident in ctx.imports:
            return ctx.imports[ident]
        cands = ctx.imports.get(None, [])
        for path in cands:
            last = path.rsplit("/", 1)[-1]
            guess = re.sub(r"\.v\d+$", "", last)
            guess = guess.replace("-", "_").replace(".", "_")
            if guess == ident:
                pkg = self.package(path)
                if pkg is None or pkg.name == ident:
                    return path
        for path in cands:
            pkg = self.package(path)
            if pkg is not None and pkg.name == ident:
                return path
        return None
