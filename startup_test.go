package main

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestNoRegexpAtInit checks that no package of the binary compiles a
// regular expression into a package-level variable. Go initializes every
// linked package before main runs, so such work is paid by every run,
// `linkbrief version` too, whether or not the run uses the pattern: it is
// compiled on first use instead (sync.OnceValue). Compiling them at init
// cost each run 0.8 MB of heap and ~12 ms of CPU. Fakes for tests (bot/discordtest,
// summarize/llm/llmtest...) are not linked into the binary and are skipped.
func TestNoRegexpAtInit(t *testing.T) {
	fset := token.NewFileSet()
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if name := d.Name(); path != "." && (name == "testdata" || strings.HasSuffix(name, "test") || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_")) {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		for _, decl := range f.Decls {
			gd, ok := decl.(*ast.GenDecl)
			if !ok || gd.Tok != token.VAR {
				continue
			}
			for _, spec := range gd.Specs {
				for _, v := range spec.(*ast.ValueSpec).Values {
					if compilesRegexp(v) {
						t.Errorf("%s: a package-level variable compiles a regular expression at start-up; compile it on first use (sync.OnceValue)", fset.Position(v.Pos()))
					}
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// compilesRegexp reports whether evaluating e compiles a regular
// expression; a function literal in e runs only when called.
func compilesRegexp(e ast.Expr) bool {
	found := false
	ast.Inspect(e, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.CallExpr:
			if sel, ok := n.Fun.(*ast.SelectorExpr); ok {
				if pkg, ok := sel.X.(*ast.Ident); ok && pkg.Name == "regexp" && strings.HasSuffix(sel.Sel.Name, "Compile") {
					found = true
				}
			}
		}
		return !found
	})
	return found
}

// TestNoIdleDependencies checks that the binary links none of the
// packages whose initialization every run paid for work it rarely or
// never does: go-trafilatura and go-dateparser (about 0.3 s and 78 MB at
// every start, even `linkbrief version`; they stay in the extraction
// benchmark only), and the Prometheus client (with protobuf, expvar and
// runtime/metrics: about 2 MB for each run, `linkbrief summarize` too,
// for the bot's sake only; observe writes the metrics itself).
func TestNoIdleDependencies(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go list")
	}
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	if err != nil {
		t.Skipf("go list: %v", err)
	}
	for _, dep := range strings.Fields(string(out)) {
		for _, idle := range []string{
			"github.com/markusmobius/go-trafilatura", "github.com/markusmobius/go-dateparser",
			"github.com/prometheus/", "google.golang.org/protobuf/", "expvar",
		} {
			if strings.HasPrefix(dep, idle) {
				t.Errorf("the binary links %s, whose initialization every run pays", dep)
			}
		}
	}
}
