"""Go 1.26 syntax that tree-sitter-go 0.25 does not know: `new(expr)`. Such files are valid Go
and must be checked fully, not reported as syntax errors and half-analysed."""

from __future__ import annotations

from pathlib import Path

from linter.engine import Options, check_paths, prepare_rules
from linter.parsing import SourceFile

LEAKY = b"""package svc

import (
	"context"
	"net/http"

	"cloud.google.com/go/secretmanager/apiv1"
)

type Outputs struct{ Result *string; Code *int64 }

func handle(w http.ResponseWriter, r *http.Request) {
	out := Outputs{Result: new(string(r.URL.Path)), Code: new(int64(400))}
	_ = out
	client, err := secretmanager.NewClient(context.Background())
	if err != nil {
		return
	}
	_ = client
}
"""


def test_new_with_an_expression_parses_cleanly() -> None:
    src = b"package p\n\nfunc f(b []byte) (*string, *int, *T) {\n\treturn new(string(b)), new(1 + 2), new(T)\n}\n"
    f = SourceFile.parse("p.go", src)
    assert not f.has_syntax_errors
    call = f.root.descendant_for_byte_range(src.index(b"new(string"), src.index(b"new(string") + 3)
    assert call is not None and f.text(call) == "new"  # reports quote the file, not the re-spelling


def test_type_arguments_and_real_errors_are_left_alone() -> None:
    ok = b"package p\n\nvar a, b = new([]int), new(map[string]int)\n"
    assert not SourceFile.parse("p.go", ok).has_syntax_errors
    broken = b"package p\n\nfunc f() { x := new(string(b)) + }\n"
    assert SourceFile.parse("p.go", broken).has_syntax_errors


def test_findings_after_a_new_expression_are_kept(tmp_path: Path) -> None:
    (tmp_path / "svc.go").write_bytes(LEAKY)
    result = check_paths([str(tmp_path)], prepare_rules(Options()), Options())
    assert [(f.rule_id, f.line) for f in result.findings] == [("unclosed-client", 15)]
    assert not [e for e in result.errors if e.kind == "syntax"]
