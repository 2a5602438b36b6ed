"""The --source side of triage: which file of the tree a profile's path names, the Go symbol
of the function a finding is in, the callee it names, and the metric vector a label finding
writes to.

Profile paths are matched to the tree by suffix, trying the longest first, in three forms per
source file: its import-path form (`example.com/svc/pkg/file.go`, what `-trimpath` builds and
the module cache show; a module version `@v1.2.3` in the profile path is dropped), its path in
the tree (the tail of an absolute build path) and, under vendor/, the vendored import path. A
suffix that names more than one file is ambiguous and maps to nothing."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from linter.parsing import SourceFile

_MODULE = re.compile(rb"^\s*module\s+\"?([^\s\"]+)\"?", re.MULTILINE)
_VERSION = re.compile(r"@v[^/]*$")
_SKIP = frozenset({".git", "node_modules", "testdata"})
MAX_FILES = 200_000


def module_path(gomod: str) -> str | None:
    try:
        with open(gomod, "rb") as fh:
            m = _MODULE.search(fh.read(65536))
    except OSError:
        return None
    return m.group(1).decode("utf-8", "replace") if m else None


@dataclass
class Tree:
    """The .go files under --source, with their import paths."""

    root: str
    shown_root: str  # --source as given (findings' paths start with it)
    modules: dict[str, str] = field(default_factory=dict)  # module directory (absolute) -> module path
    files: list[str] = field(default_factory=list)  # paths as findings show them
    _forms: dict[str, list[str]] = field(default_factory=dict)
    _memo: dict[str, str] = field(default_factory=dict)

    @classmethod
    def scan(cls, source: str) -> Tree:
        t = cls(os.path.abspath(source), source)
        gofiles: list[str] = []
        for dirpath, dirnames, filenames in os.walk(t.root):
            dirnames[:] = sorted(d for d in dirnames if d not in _SKIP and not d.startswith((".", "_")))
            if "go.mod" in filenames:
                mp = module_path(os.path.join(dirpath, "go.mod"))
                if mp:
                    t.modules[dirpath] = mp
            gofiles.extend(os.path.join(dirpath, f) for f in sorted(filenames) if f.endswith(".go"))
            if len(gofiles) > MAX_FILES:
                break
        for ab in gofiles:
            shown = t.shown(ab)
            t.files.append(shown)
            for form in t._forms_of(ab):
                t._forms.setdefault(form, []).append(shown)
        return t

    def shown(self, ab: str) -> str:
        rel = os.path.relpath(ab, self.root)
        return os.path.normpath(os.path.join(self.shown_root, rel))

    def module_of(self, ab: str) -> tuple[str, str] | None:
        """(module directory, module path) of the nearest go.mod in the tree at or above `ab`."""
        d = os.path.dirname(ab)
        while True:
            if d in self.modules:
                return d, self.modules[d]
            if d == self.root or os.path.dirname(d) == d or not d.startswith(self.root):
                return None
            d = os.path.dirname(d)

    def import_path(self, path: str) -> str | None:
        """The import path of the package holding a source file (a finding's path)."""
        ab = os.path.abspath(path)
        mod = self.module_of(ab)
        if mod is None:
            return None
        rel = os.path.relpath(os.path.dirname(ab), mod[0]).replace(os.sep, "/")
        parts = rel.split("/")
        if "vendor" in parts:  # vendor/github.com/x/y -> github.com/x/y
            return "/".join(parts[parts.index("vendor") + 1 :])
        return mod[1] if rel == "." else f"{mod[1]}/{rel}"

    def directory_of(self, import_path: str) -> str | None:
        """The directory (as findings show paths) of a package of the tree, by import path."""
        for shown in self.files:
            if self.import_path(shown) == import_path:
                return os.path.dirname(shown)
        return None

    def _forms_of(self, ab: str) -> list[str]:
        rel = os.path.relpath(ab, self.root).replace(os.sep, "/")
        forms = [rel]
        parts = rel.split("/")
        if "vendor" in parts:
            forms.append("/".join(parts[parts.index("vendor") + 1 :]))
        ip = self.import_path(ab)
        if ip:
            forms.append(f"{ip}/{os.path.basename(ab)}")
        return forms

    def map_path(self, profile_path: str) -> str:
        """The file of the tree a profile's path names ("" if none or ambiguous)."""
        if not profile_path:
            return ""
        hit = self._memo.get(profile_path)
        if hit is not None:
            return hit
        parts = [_VERSION.sub("", p) for p in profile_path.replace("\\", "/").split("/") if p]
        found = ""
        for i in range(len(parts)):
            cands = self._forms.get("/".join(parts[i:]))
            if cands:
                unique = sorted(set(cands))
                found = unique[0] if len(unique) == 1 else ""
                break
        self._memo[profile_path] = found
        return found


# --- a finding's place in the code -----------------------------------------------------------


@dataclass
class Callee:
    """The function or method a call names: `package` is an import path ("" when unknown: any
    package the file imports), `receiver` a type name ("" for a function, "*" for any type),
    `name` the function or method name."""

    package: str
    receiver: str
    name: str
    packages: tuple[str, ...] = ()  # when package is "": the candidates (the file's imports)


@dataclass
class Context:
    function: str = ""  # Go symbol of the enclosing top-level function (`pkg.(*T).M`)
    span: tuple[int, int] = (0, 0)  # its lines, 1-based inclusive
    callee: Callee | None = None
    vector: str = ""  # label findings: the variable or field the vector is read from
    vector_package: str = ""  # ... when read as pkg.Var from another package: its import path
    label_args: tuple[str, ...] = ()  # label findings: the argument texts, in order
    keyed_labels: tuple[tuple[str, str], ...] = ()  # With(prometheus.Labels{"k": v})


@lru_cache(maxsize=256)
def _parsed(path: str) -> SourceFile | None:
    try:
        with open(path, "rb") as fh:
            data = fh.read(10_000_000)
    except OSError:
        return None
    return SourceFile.parse(path, data)


def _text(f: SourceFile, n: Any) -> str:
    return f.data[n.start_byte : n.end_byte].decode("utf-8", "replace")


def _imports(f: SourceFile) -> dict[str, str]:
    """Package name (alias, or the import path's last element without a version suffix or a
    go- prefix) -> import path."""
    out: dict[str, str] = {}
    stack = [f.root]
    while stack:
        n = stack.pop()
        if n.type == "import_spec":
            path_node = n.child_by_field_name("path")
            name_node = n.child_by_field_name("name")
            if path_node is None:
                continue
            ip = _text(f, path_node).strip('"`')
            if name_node is not None:
                out[_text(f, name_node)] = ip
                continue
            parts = ip.split("/")
            last = parts[-1]
            if re.fullmatch(r"v\d+", last) and len(parts) > 1:
                last = parts[-2]
            last = re.sub(r"^go-|[.-]v\d+$|\.go$", "", last).replace("-", "_").replace(".", "_")
            out[last] = ip
        elif n.type in ("source_file", "import_declaration", "import_spec_list"):
            stack.extend(n.children)
    return out


def _receiver(f: SourceFile, decl: Any) -> str:
    recv = decl.child_by_field_name("receiver")
    if recv is None:
        return ""
    for p in recv.named_children:
        t = p.child_by_field_name("type")
        if t is None:
            continue
        text = re.sub(r"\[.*\]", "", _text(f, t)).strip()
        return f"(*{text[1:].strip()})" if text.startswith("*") else text
    return ""


def _enclosing_decl(f: SourceFile, row: int) -> Any:
    for n in f.root.named_children:
        if n.type in ("function_declaration", "method_declaration") and n.start_point[0] <= row <= n.end_point[0]:
            return n
    return None


def _node_at(f: SourceFile, row: int, col: int) -> Any:
    return f.root.named_descendant_for_point_range((row, col), (row, col))


_LABEL_METHODS = frozenset({"WithLabelValues", "GetMetricWithLabelValues", "With", "GetMetricWith", "MustCurryWith", "CurryWith"})


def context(tree: Tree | None, path: str, line: int, column: int, package_name: str | None = None) -> Context:
    """What a finding at `path:line:column` (1-based, column in bytes) is inside and calls."""
    ctx = Context()
    f = _parsed(path)
    if f is None:
        return ctx
    row = line - 1
    decl = _enclosing_decl(f, row)
    pkg_name = _package_clause(f)
    ip = "main" if pkg_name == "main" else ((tree.import_path(path) if tree else None) or pkg_name or "")
    if decl is not None:
        name_node = decl.child_by_field_name("name")
        name = _text(f, name_node) if name_node is not None else ""
        recv = _receiver(f, decl)
        ctx.function = f"{ip}.{recv + '.' if recv else ''}{name}"
        ctx.span = (decl.start_point[0] + 1, decl.end_point[0] + 1)
    call = _call_on_line(f, row, max(column - 1, 0))
    if call is None:
        return ctx
    fn = call.child_by_field_name("function")
    if fn is None or fn.type != "selector_expression":
        if fn is not None and fn.type == "identifier":
            ctx.callee = Callee(ip, "", _text(f, fn))
        return ctx
    operand, field_node = fn.child_by_field_name("operand"), fn.child_by_field_name("field")
    if operand is None or field_node is None:
        return ctx
    sel = _text(f, field_node)
    imports = _imports(f)
    if sel in _LABEL_METHODS:
        ctx.vector = _text(f, operand).split(".")[-1].strip()
        head = operand.child_by_field_name("operand") if operand.type == "selector_expression" else None
        if head is not None and head.type == "identifier" and _text(f, head) in imports:
            ctx.vector_package = imports[_text(f, head)]
        args = call.child_by_field_name("arguments")
        if args is not None:
            ctx.label_args = tuple(_text(f, a) for a in args.named_children)
            ctx.keyed_labels = tuple(_keyed(f, args))
    if operand.type == "identifier" and _text(f, operand) in imports:
        ctx.callee = Callee(imports[_text(f, operand)], "", sel)
    else:
        ctx.callee = _method_callee(f, decl, operand, sel, imports, ip)
    return ctx


def _package_clause(f: SourceFile) -> str | None:
    for n in f.root.named_children:
        if n.type == "package_clause":
            for c in n.named_children:
                return _text(f, c)
    return None


def _call_on_line(f: SourceFile, row: int, col: int) -> Any:
    """The call expression the finding points at: the innermost call around the column, else
    the first call starting on the line."""
    n = _node_at(f, row, col)
    while n is not None and n.type != "call_expression":
        n = n.parent
    if n is not None:
        return n
    stack = [f.root]
    best = None
    while stack:
        x = stack.pop()
        if x.start_point[0] > row or x.end_point[0] < row:
            continue
        if x.type == "call_expression" and x.start_point[0] == row and (best is None or x.start_byte < best.start_byte):
            best = x
        stack.extend(x.named_children)
    return best


def _keyed(f: SourceFile, args: Any) -> list[tuple[str, str]]:
    out = []
    stack = list(args.named_children)
    while stack:
        n = stack.pop(0)
        if n.type == "keyed_element":
            kids = n.named_children
            if len(kids) == 2:
                out.append((_text(f, kids[0]).strip('"` '), _text(f, kids[1])))
        else:
            stack.extend(n.named_children)
    return out


def _method_callee(f: SourceFile, decl: Any, operand: Any, sel: str, imports: dict[str, str], own: str) -> Callee:
    """`x.Sel(...)` on a value: the method's package and receiver type from x's declared type
    in the enclosing function (a parameter, `var x T`, or `x, err := pkg.NewT(...)`), else any
    type of the file's imports or its own package."""
    name = _text(f, operand)
    candidates = (*sorted(set(imports.values())), own)
    if decl is None or operand.type != "identifier":
        return Callee("", "*", sel, candidates)
    typ = _declared_type(f, decl, name)
    if typ:
        m = re.fullmatch(r"(\*?)\s*(?:([A-Za-z_]\w*)\.)?([A-Za-z_]\w*)(?:\[.*\])?", typ.strip())
        if m:
            star, pkg, tname = m.groups()
            pkg_path = imports.get(pkg, "") if pkg else own
            if pkg_path:
                return Callee(pkg_path, f"(*{tname})" if star else tname, sel)
    made = _constructed_by(f, decl, name, imports)
    if made:
        return Callee(made, "*", sel)
    return Callee("", "*", sel, candidates)


def _declared_type(f: SourceFile, decl: Any, name: str) -> str:
    stack = [decl]
    while stack:
        n = stack.pop()
        if n.type in ("parameter_declaration", "var_spec"):
            names = [_text(f, c) for c in n.children_by_field_name("name")]
            t = n.child_by_field_name("type")
            if name in names and t is not None:
                return _text(f, t)
        stack.extend(n.named_children)
    return ""


def _constructed_by(f: SourceFile, decl: Any, name: str, imports: dict[str, str]) -> str:
    """The import path of `pkg` in `name, ... := pkg.F(...)` inside the function."""
    stack = [decl]
    while stack:
        n = stack.pop()
        if n.type in ("short_var_declaration", "assignment_statement"):
            left, right = n.child_by_field_name("left"), n.child_by_field_name("right")
            if left is not None and right is not None and name in [_text(f, c) for c in left.named_children]:
                for r in right.named_children:
                    fn = r.child_by_field_name("function") if r.type == "call_expression" else None
                    op = fn.child_by_field_name("operand") if fn is not None and fn.type == "selector_expression" else None
                    if op is not None and op.type == "identifier" and _text(f, op) in imports:
                        return imports[_text(f, op)]
        stack.extend(n.named_children)
    return ""


# --- metric vectors ----------------------------------------------------------------------------

_VEC_CONSTRUCTOR = re.compile(r"^New(Counter|Gauge|Histogram|Summary)Vec$")


@dataclass(frozen=True)
class Vector:
    name: str  # the full metric name, Namespace_Subsystem_Name
    labels: tuple[str, ...]


def vectors(directory: str) -> dict[str, Vector]:
    """Metric vectors declared in a package directory: the variable or field each is assigned
    to -> its full name and label names, from `prometheus.New*Vec(prometheus.*Opts{Namespace,
    Subsystem, Name}, []string{...})` (also promauto's, and `promauto.With(reg).New*Vec`).
    Opts fields may be string literals or the package's string constants."""
    files = []
    try:
        names = sorted(os.listdir(directory or "."))
    except OSError:
        return {}
    for name in names:
        if name.endswith(".go"):
            f = _parsed(os.path.join(directory, name))
            if f is not None:
                files.append(f)
    consts: dict[str, str] = {}
    for f in files:
        _collect_consts(f, consts)
    out: dict[str, Vector] = {}
    for f in files:
        stack = [f.root]
        while stack:
            n = stack.pop()
            stack.extend(n.named_children)
            if n.type != "call_expression":
                continue
            fn = n.child_by_field_name("function")
            field_node = fn.child_by_field_name("field") if fn is not None and fn.type == "selector_expression" else None
            if field_node is None or not _VEC_CONSTRUCTOR.match(_text(f, field_node)):
                continue
            vec = _vector(f, n, consts)
            target = _assigned_to(f, n)
            if vec and target:
                out.setdefault(target, vec)
    return out


def _collect_consts(f: SourceFile, consts: dict[str, str]) -> None:
    stack = [f.root]
    while stack:
        n = stack.pop()
        if n.type == "const_spec":
            names = [_text(f, c) for c in n.children_by_field_name("name")]
            value = n.child_by_field_name("value")
            vals = value.named_children if value is not None else []
            for nm, v in zip(names, vals, strict=False):
                if v.type in ("interpreted_string_literal", "raw_string_literal"):
                    consts[nm] = _text(f, v)[1:-1]
        elif n.type in ("source_file", "const_declaration"):
            stack.extend(n.named_children)


def _string_value(f: SourceFile, n: Any, consts: dict[str, str]) -> str | None:
    if n.type in ("interpreted_string_literal", "raw_string_literal"):
        return _text(f, n)[1:-1]
    if n.type == "identifier":
        return consts.get(_text(f, n))
    return None


def _vector(f: SourceFile, call: Any, consts: dict[str, str]) -> Vector | None:
    args = call.child_by_field_name("arguments")
    if args is None or len(args.named_children) < 2:
        return None
    opts, labels = args.named_children[0], args.named_children[1]
    if opts.type == "unary_expression":  # &prometheus.CounterOpts{...}
        opts = opts.named_children[-1]
    body = opts.child_by_field_name("body") if opts.type == "composite_literal" else None
    if body is None:
        return None
    parts: dict[str, str] = {}
    for el in body.named_children:
        kids = el.named_children if el.type == "keyed_element" else []
        if len(kids) == 2:
            key = _text(f, kids[0]).strip()
            val_node = kids[1].named_children[0] if kids[1].type == "literal_element" and kids[1].named_children else kids[1]
            v = _string_value(f, val_node, consts)
            if v is not None:
                parts[key] = v
    if not parts.get("Name"):
        return None
    full = "_".join(p for p in (parts.get("Namespace", ""), parts.get("Subsystem", ""), parts["Name"]) if p)
    names: list[str] = []
    lbody = labels.child_by_field_name("body") if labels.type == "composite_literal" else None
    if lbody is not None:
        for el in lbody.named_children:
            node = el.named_children[0] if el.type == "literal_element" and el.named_children else el
            v = _string_value(f, node, consts)
            names.append(v if v is not None else "")
    return Vector(full, tuple(names))


def _assigned_to(f: SourceFile, call: Any) -> str:
    """The variable or field a constructor call's value goes to: `var x = ...`, `x := ...`,
    `s.x = ...`, a `x: ...` field of a composite literal."""
    n = call
    while n.parent is not None and n.parent.type in ("expression_list", "parenthesized_expression", "literal_element"):
        n = n.parent
    p = n.parent
    if p is None:
        return ""
    if p.type == "var_spec":
        names = [_text(f, c) for c in p.children_by_field_name("name")]
        return names[0] if names else ""
    if p.type in ("short_var_declaration", "assignment_statement"):
        left = p.child_by_field_name("left")
        if left is not None and left.named_children:
            return _text(f, left.named_children[0]).split(".")[-1].strip()
    if p.type == "keyed_element":
        kids = p.named_children
        if kids:
            return _text(f, kids[0]).strip()
    return ""
