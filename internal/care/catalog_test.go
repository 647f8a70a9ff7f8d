package care_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"unicode"
)

// TestEveryMessageHasBothLanguages reads the source of every package and
// checks each message written for users: a Msg literal has a Chinese and
// an English text (the Chinese one in Chinese), and an error message
// written as one string ("中文 / English", as care.Errorf and care.Error
// take them) has both halves, so that a page can show the half of its
// language (care.MessageIn).
func TestEveryMessageHasBothLanguages(t *testing.T) {
	root := filepath.Join("..", "..")
	fset := token.NewFileSet()
	checked := 0
	err := filepath.WalkDir(filepath.Join(root, "internal"), func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.CompositeLit:
				if !isType(n.Type, "Msg") {
					if isType(n.Type, "Error") {
						for _, el := range n.Elts {
							if kv, ok := el.(*ast.KeyValueExpr); ok && ident(kv.Key) == "Message" {
								checkOneString(t, fset, kv.Value)
								checked++
							}
						}
					}
					return true
				}
				zh, en := msgParts(n)
				checked++
				if len(n.Elts) == 0 {
					return true // the zero Msg: no message
				}
				if zh == nil || en == nil {
					t.Errorf("%s: a Msg without both languages", fset.Position(n.Pos()))
					return true
				}
				if s, ok := literal(zh); ok && (s == "" || !hasHan(s)) && s != "" {
					t.Errorf("%s: the Chinese text %q is not Chinese", fset.Position(n.Pos()), s)
				}
				if s, ok := literal(en); ok && s != "" && !hasLatin(s) {
					t.Errorf("%s: the English text %q is not English", fset.Position(n.Pos()), s)
				}
				if zs, ok1 := literal(zh); ok1 {
					if es, ok2 := literal(en); ok2 && (zs == "") != (es == "") {
						t.Errorf("%s: a Msg with one language empty: %q / %q", fset.Position(n.Pos()), zs, es)
					}
				}
			case *ast.CallExpr:
				if sel, ok := n.Fun.(*ast.SelectorExpr); ok && sel.Sel.Name == "Errorf" && ident(sel.X) == "care" && len(n.Args) >= 2 {
					checkOneString(t, fset, n.Args[1])
					checked++
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if checked < 200 {
		t.Fatalf("only %d messages found: is the source where the test looks?", checked)
	}
}

// checkOneString checks a message in one string: Chinese text must be
// followed by " / " and its English.
func checkOneString(t *testing.T, fset *token.FileSet, e ast.Expr) {
	t.Helper()
	s, ok := literal(e)
	if !ok || !hasHan(s) {
		return // built at run time, or no Chinese (a code, a format)
	}
	zh, en, found := strings.Cut(s, " / ")
	if !found || !hasHan(zh) || !hasLatin(en) {
		t.Errorf("%s: %q is not written as \"中文 / English\"", fset.Position(e.Pos()), s)
	}
}

func msgParts(n *ast.CompositeLit) (zh, en ast.Expr) {
	for i, el := range n.Elts {
		if kv, ok := el.(*ast.KeyValueExpr); ok {
			switch ident(kv.Key) {
			case "ZH":
				zh = kv.Value
			case "EN":
				en = kv.Value
			}
			continue
		}
		if i == 0 {
			zh = el
		} else if i == 1 {
			en = el
		}
	}
	return zh, en
}

func isType(e ast.Expr, name string) bool {
	switch e := e.(type) {
	case *ast.Ident:
		return e.Name == name
	case *ast.SelectorExpr:
		return e.Sel.Name == name && ident(e.X) == "care"
	}
	return false
}

func ident(e ast.Expr) string {
	if id, ok := e.(*ast.Ident); ok {
		return id.Name
	}
	return ""
}

// literal is the text of a string literal, or of a + of literals' first part.
func literal(e ast.Expr) (string, bool) {
	switch e := e.(type) {
	case *ast.BasicLit:
		if e.Kind == token.STRING {
			s, err := strconv.Unquote(e.Value)
			return s, err == nil
		}
	case *ast.BinaryExpr:
		if e.Op == token.ADD {
			l, ok1 := literal(e.X)
			r, ok2 := literal(e.Y)
			if ok1 && ok2 {
				return l + r, true
			}
		}
	}
	return "", false
}

func hasHan(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Han, r) {
			return true
		}
	}
	return false
}

func hasLatin(s string) bool {
	for _, r := range s {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' {
			return true
		}
	}
	return false
}
