package web

import (
	"bytes"
	"io"
	"slices"
	"strings"

	"golang.org/x/net/html"
)

// Every form marks its errors in one place: after a page with field errors
// (page.Errors) is rendered, markFieldErrors walks the HTML once and, for
// each field with an error,
//
//   - gives its control (the first input, select or textarea inside the
//     element with data-field="name", or else the control named so)
//     aria-invalid="true" and aria-describedby pointing at the message;
//   - gives the message (the span.field-error inside that element) the id
//     err-<field>;
//   - gives the first such control in the page autofocus, and opens any
//     <details> around it, so focus moves to the first error after a failed
//     submit without JavaScript (and htmx focuses [autofocus] after a swap).
//
// It returns the fields that had no control on the page, so that render can
// name them in the page's error line: no error is ever invisible.
func markFieldErrors(src []byte, errs map[string]string) ([]byte, []string) {
	if len(errs) == 0 {
		return src, nil
	}
	type container struct {
		field string
		tag   string
		depth int // nested elements of the same tag
	}
	var (
		out       [][]byte
		stack     []container
		details   []int // indexes in out of the open <details> start tags
		marked    = map[string]bool{}
		labelled  = map[string]bool{}
		focused   bool
		z         = html.NewTokenizer(bytes.NewReader(src))
		detailTok = map[int]html.Token{}
	)
	current := func() string {
		for i := len(stack) - 1; i >= 0; i-- {
			if _, ok := errs[stack[i].field]; ok {
				return stack[i].field
			}
		}
		return ""
	}
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			if z.Err() != io.EOF {
				return src, nil // not HTML we can read: leave it as it is
			}
			break
		}
		raw := slices.Clone(z.Raw())
		switch tt {
		case html.StartTagToken, html.SelfClosingTagToken:
			tok := z.Token()
			name := tok.Data
			for i := range stack {
				if stack[i].tag == name && tt == html.StartTagToken {
					stack[i].depth++
				}
			}
			if f := attr(tok, "data-field"); f != "" && tt == html.StartTagToken && !isVoid(name) {
				stack = append(stack, container{field: f, tag: name})
			}
			if name == "details" && tt == html.StartTagToken {
				details = append(details, len(out))
				detailTok[len(out)] = tok
			}
			changed := false
			if isControl(tok) {
				field := current()
				if field == "" {
					if n := attr(tok, "name"); n != "" {
						if _, ok := errs[n]; ok {
							field = n
						}
					}
				}
				if field != "" && !marked[field] {
					marked[field] = true
					setAttr(&tok, "aria-invalid", "true")
					addAttrWord(&tok, "aria-describedby", "err-"+field)
					if !focused {
						focused = true
						setAttr(&tok, "autofocus", "")
						for _, i := range details {
							d := detailTok[i]
							setAttr(&d, "open", "")
							out[i] = []byte(d.String())
						}
					}
					changed = true
				}
			}
			if name == "span" && hasClass(tok, "field-error") {
				if field := current(); field != "" && !labelled[field] && attr(tok, "id") == "" {
					labelled[field] = true
					setAttr(&tok, "id", "err-"+field)
					changed = true
				}
			}
			if changed {
				raw = []byte(tok.String())
			}
		case html.EndTagToken:
			tok := z.Token()
			name := tok.Data
			if name == "details" && len(details) > 0 {
				details = details[:len(details)-1]
			}
			for i := len(stack) - 1; i >= 0; i-- {
				if stack[i].tag != name {
					continue
				}
				if stack[i].depth > 0 {
					stack[i].depth--
					continue
				}
				stack = append(stack[:i], stack[i+1:]...)
				break
			}
		}
		out = append(out, raw)
	}
	var missing []string
	for f := range errs {
		if !marked[f] && !labelled[f] {
			missing = append(missing, f)
		}
	}
	slices.Sort(missing)
	return bytes.Join(out, nil), missing
}

func isVoid(tag string) bool {
	switch tag {
	case "input", "br", "img", "hr", "meta", "link", "area", "base", "col", "embed", "source", "track", "wbr":
		return true
	}
	return false
}

func isControl(t html.Token) bool {
	switch t.Data {
	case "select", "textarea":
		return true
	case "input":
		switch attr(t, "type") {
		case "hidden", "submit", "button", "reset", "image":
			return false
		}
		return true
	}
	return false
}

func attr(t html.Token, key string) string {
	for _, a := range t.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func hasClass(t html.Token, c string) bool {
	return slices.Contains(strings.Fields(attr(t, "class")), c)
}

func setAttr(t *html.Token, key, val string) {
	for i, a := range t.Attr {
		if a.Key == key {
			t.Attr[i].Val = val
			return
		}
	}
	t.Attr = append(t.Attr, html.Attribute{Key: key, Val: val})
}

func addAttrWord(t *html.Token, key, word string) {
	v := attr(*t, key)
	if slices.Contains(strings.Fields(v), word) {
		return
	}
	setAttr(t, key, strings.TrimSpace(v+" "+word))
}
