package web

import (
	"bytes"
	"io"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/net/html"
)

// Every form marks its errors in one place: after a page with a field
// error is rendered, markFieldErrors walks the HTML and, for each element
// with data-field="name" that holds a message (span.field-error, as the
// "ferr" template writes it),
//
//   - gives the message an id (err-<name>, err-<name>-2, …);
//   - gives the first control inside (input, select or textarea)
//     aria-invalid="true" and aria-describedby naming the message;
//   - gives the first such control in the page autofocus, and opens any
//     <details> around it, so focus moves to the first error after a failed
//     submit without JavaScript (and htmx focuses [autofocus] after a swap).
//
// A field of errs with no message on the page marks the first control of
// that name instead, and when it has none either it is returned, so that
// render names it in the page's error line: no reason is ever invisible.
// Only the element holding a message is marked, so a page with several
// forms with the same fields marks the refused one.
func markFieldErrors(src []byte, errs map[string]string) ([]byte, []string) {
	type container struct {
		field string
		tag   string
		depth int // nested elements of the same tag
		n     int // its ordinal among the page's data-field elements
	}
	// walk tokenizes src, keeping the stack of data-field elements, and
	// calls visit for each start tag; visit may change the token.
	walk := func(visit func(tok *html.Token, stack []container) bool, endDetails func(), seenDetails func(int)) ([][]byte, bool) {
		var out [][]byte
		var stack []container
		ordinal := 0
		z := html.NewTokenizer(bytes.NewReader(src))
		for {
			tt := z.Next()
			if tt == html.ErrorToken {
				return out, z.Err() == io.EOF
			}
			raw := slices.Clone(z.Raw())
			switch tt {
			case html.StartTagToken, html.SelfClosingTagToken:
				tok := z.Token()
				if tt == html.StartTagToken {
					for i := range stack {
						if stack[i].tag == tok.Data {
							stack[i].depth++
						}
					}
					if f := attr(tok, "data-field"); f != "" && !isVoid(tok.Data) {
						stack = append(stack, container{field: f, tag: tok.Data, n: ordinal})
						ordinal++
					}
					if tok.Data == "details" && seenDetails != nil {
						seenDetails(len(out))
					}
				}
				if visit(&tok, stack) {
					raw = []byte(tok.String())
				}
			case html.EndTagToken:
				tok := z.Token()
				if tok.Data == "details" && endDetails != nil {
					endDetails()
				}
				for i := len(stack) - 1; i >= 0; i-- {
					if stack[i].tag != tok.Data {
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
	}
	// First pass: which data-field elements hold a message.
	msgIn := map[int]string{} // ordinal → message id
	used := map[string]bool{}
	shown := map[string]bool{}
	if _, ok := walk(func(tok *html.Token, stack []container) bool {
		if tok.Data == "span" && hasClass(*tok, "field-error") && len(stack) > 0 {
			c := stack[len(stack)-1]
			if _, done := msgIn[c.n]; !done {
				id := "err-" + c.field
				for i := 2; used[id]; i++ {
					id = "err-" + c.field + "-" + strconv.Itoa(i)
				}
				used[id], msgIn[c.n], shown[c.field] = true, id, true
			}
		}
		return false
	}, nil, nil); !ok {
		return src, nil // not HTML we can read: leave it as it is
	}
	if len(msgIn) == 0 && len(errs) == 0 {
		return src, nil
	}
	// Second pass: mark.
	var (
		details  []int
		out      [][]byte
		focused  bool
		marked   = map[int]bool{}
		byName   = map[string]bool{}
		labelled = map[int]bool{}
		opened   = map[int]bool{}
	)
	mark := func(tok *html.Token, describedBy string) {
		setAttr(tok, "aria-invalid", "true")
		if describedBy != "" {
			addAttrWord(tok, "aria-describedby", describedBy)
		}
		if !focused {
			focused = true
			setAttr(tok, "autofocus", "")
			for _, i := range details {
				opened[i] = true
			}
		}
	}
	out, _ = walk(func(tok *html.Token, stack []container) bool {
		if len(stack) > 0 {
			c := stack[len(stack)-1]
			if id, ok := msgIn[c.n]; ok {
				if isControl(*tok) && !marked[c.n] {
					marked[c.n] = true
					mark(tok, id)
					return true
				}
				if tok.Data == "span" && hasClass(*tok, "field-error") && !labelled[c.n] && attr(*tok, "id") == "" {
					labelled[c.n] = true
					setAttr(tok, "id", id)
					return true
				}
				return false
			}
		}
		if isControl(*tok) {
			if n := attr(*tok, "name"); n != "" && !shown[n] && !byName[n] {
				if _, ok := errs[n]; ok {
					byName[n] = true
					mark(tok, "")
					return true
				}
			}
		}
		return false
	}, func() {
		if len(details) > 0 {
			details = details[:len(details)-1]
		}
	}, func(i int) { details = append(details, i) })
	for i := range opened {
		z := html.NewTokenizer(bytes.NewReader(out[i]))
		z.Next()
		d := z.Token()
		setAttr(&d, "open", "")
		out[i] = []byte(d.String())
	}
	var missing []string
	for f := range errs {
		if !shown[f] && !byName[f] {
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
