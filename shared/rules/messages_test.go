package rules

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"testing"
)

// TestEveryMessageHasBokmal finds every message format passed to add, ve
// and newMsg in this package's source and checks that nbFormats has it.
func TestEveryMessageHasBokmal(t *testing.T) {
	files, _ := filepath.Glob("*.go")
	fset := token.NewFileSet()
	n := 0
	for _, f := range files {
		if filepath.Ext(f) != ".go" || len(f) > 8 && f[len(f)-8:] == "_test.go" {
			continue
		}
		file, err := parser.ParseFile(fset, f, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(file, func(node ast.Node) bool {
			call, ok := node.(*ast.CallExpr)
			if !ok {
				return true
			}
			id, ok := call.Fun.(*ast.Ident)
			if !ok || (id.Name != "add" && id.Name != "ve" && id.Name != "newMsg") {
				return true
			}
			var format string
			for _, a := range call.Args {
				if lit, ok := a.(*ast.BasicLit); ok && lit.Kind == token.STRING {
					format, _ = strconv.Unquote(lit.Value)
				}
			}
			if format == "" {
				return true
			}
			n++
			if _, ok := nbFormats[format]; !ok {
				t.Errorf("%s: message %q has no bokmål form in nbFormats", fset.Position(call.Pos()), format)
			}
			return true
		})
	}
	if n < 30 {
		t.Fatalf("found only %d message formats; the scan is broken", n)
	}
}

func TestValidationErrorsCarryBokmal(t *testing.T) {
	_, err := Parse([]byte(`{"version":"1","org":{"name":"x","own_domains":["ikke et domene"]},"rules":[{"id":"a.b","category":"a","severity":"fatal","enabled":true,"message":{"nb":"a"},"suggestion":{"nb":"a","nn":"a","en":"a"},"source":"s","kind":"phrase","phrase":{"words":["a*b"],"patterns":["(?<=x)"]}}]}`))
	ves, ok := err.(ValidationErrors)
	if !ok || len(ves) < 4 {
		t.Fatalf("err %v, want several validation errors", err)
	}
	for _, e := range ves {
		if e.NB == "" || e.NB == e.Msg {
			t.Errorf("%s: bokmål %q, want a translation of %q", e.Path, e.NB, e.Msg)
		}
	}
}
