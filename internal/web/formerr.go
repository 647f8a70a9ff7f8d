package web

import (
	"bytes"
	"io"
	"net/url"
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
// With the refused request's form values (posted), every control of the
// form that holds an error shows what was typed (text, dates, numbers,
// choices, ticks, text areas; never a password, a file or a hidden field,
// whose values the page sets itself), so no form loses its input, however
// its template fills the values.
//
// A form whose action is the refused request's path (action) is the
// refused form too, so a form that shows a reason only in the page's error
// line is still filled and marked. A field of errs with no message on the
// page marks the first control of that name (in the refused form, when
// there is one) instead, and when it has none either it is returned, so that
// render names it in the page's error line: no reason is ever invisible.
// Only the element holding a message is marked, so a page with several
// forms with the same fields marks (and fills) the refused one.
func markFieldErrors(src []byte, errs map[string]string, posted url.Values, action string) ([]byte, []string) {
	type container struct {
		field string
		tag   string
		depth int // nested elements of the same tag
		n     int // its ordinal among the page's data-field elements
	}
	type state struct {
		stack []container
		form  int // the ordinal of the form the token is in, or -1
	}
	// walk tokenizes src, keeping the stack of data-field elements and the
	// form, and calls visit for each token; visit returns the token's new
	// bytes, or nil to keep them.
	walk := func(visit func(tt html.TokenType, tok *html.Token, st *state, at int) []byte) ([][]byte, bool) {
		var out [][]byte
		st := &state{form: -1}
		ordinal, forms := 0, 0
		z := html.NewTokenizer(bytes.NewReader(src))
		for {
			tt := z.Next()
			if tt == html.ErrorToken {
				return out, z.Err() == io.EOF
			}
			raw := slices.Clone(z.Raw())
			tok := z.Token()
			switch tt {
			case html.StartTagToken:
				for i := range st.stack {
					if st.stack[i].tag == tok.Data {
						st.stack[i].depth++
					}
				}
				if f := attr(tok, "data-field"); f != "" && !isVoid(tok.Data) {
					st.stack = append(st.stack, container{field: f, tag: tok.Data, n: ordinal})
					ordinal++
				}
				if tok.Data == "form" {
					st.form, forms = forms, forms+1
				}
			}
			if b := visit(tt, &tok, st, len(out)); b != nil {
				raw = b
			}
			if tt == html.EndTagToken {
				if tok.Data == "form" {
					st.form = -1
				}
				for i := len(st.stack) - 1; i >= 0; i-- {
					if st.stack[i].tag != tok.Data {
						continue
					}
					if st.stack[i].depth > 0 {
						st.stack[i].depth--
						continue
					}
					st.stack = append(st.stack[:i], st.stack[i+1:]...)
					break
				}
			}
			out = append(out, raw)
		}
	}
	// First pass: which data-field elements hold a message, in which forms.
	msgIn := map[int]string{} // ordinal → message id
	used := map[string]bool{}
	shown := map[string]bool{}
	refused := map[int]bool{} // forms holding an error
	byAction := false
	if _, ok := walk(func(tt html.TokenType, tok *html.Token, st *state, _ int) []byte {
		if tt == html.StartTagToken && tok.Data == "form" && action != "" && attr(*tok, "action") == action {
			refused[st.form], byAction = true, true
		}
		if tt != html.StartTagToken || tok.Data != "span" || !hasClass(*tok, "field-error") || len(st.stack) == 0 {
			return nil
		}
		c := st.stack[len(st.stack)-1]
		if _, done := msgIn[c.n]; !done {
			base := "err-" + idSafe(c.field)
			id := base
			for i := 2; used[id]; i++ {
				id = base + "-" + strconv.Itoa(i)
			}
			used[id], msgIn[c.n], shown[c.field] = true, id, true
		}
		if st.form >= 0 {
			refused[st.form] = true
		}
		return nil
	}); !ok {
		return src, nil // not HTML we can read: leave it as it is
	}
	if len(msgIn) == 0 && len(errs) == 0 {
		return src, nil
	}
	// Second pass: mark, and fill the refused forms with what was typed.
	var (
		details  []int
		focused  bool
		marked   = map[int]bool{}
		byName   = map[string]bool{}
		labelled = map[int]bool{}
		opened   = map[int]bool{}
		seen     = map[string]int{} // occurrences of a name in the form
		selectV  *string            // the typed value of the open <select>
		areaV    *string            // the typed text of the open <textarea>
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
	// typed is the value typed into the k-th control of a name.
	typed := func(name string) (string, bool) {
		vals, ok := posted[name]
		k := seen[name]
		seen[name]++
		if !ok || k >= len(vals) {
			return "", false
		}
		return vals[k], true
	}
	out, _ := walk(func(tt html.TokenType, tok *html.Token, st *state, at int) []byte {
		fill := posted != nil && st.form >= 0 && refused[st.form]
		switch tt {
		case html.EndTagToken:
			switch tok.Data {
			case "details":
				if len(details) > 0 {
					details = details[:len(details)-1]
				}
			case "select":
				selectV = nil
			case "textarea":
				if areaV != nil {
					v := *areaV
					areaV = nil
					return []byte(html.EscapeString(v) + "</textarea>")
				}
			case "form":
				clear(seen)
			}
			return nil
		case html.TextToken:
			if areaV != nil {
				return []byte{} // replaced by the typed text at </textarea>
			}
			return nil
		case html.StartTagToken, html.SelfClosingTagToken:
		default:
			return nil
		}
		changed := false
		if tok.Data == "details" && tt == html.StartTagToken {
			details = append(details, at)
		}
		if fill {
			changed = fillTyped(tok, typed, &selectV, &areaV, posted) || changed
		}
		if len(st.stack) > 0 {
			c := st.stack[len(st.stack)-1]
			if id, ok := msgIn[c.n]; ok {
				if isControl(*tok) && !marked[c.n] {
					marked[c.n] = true
					mark(tok, id)
					changed = true
				} else if tok.Data == "span" && hasClass(*tok, "field-error") && !labelled[c.n] && attr(*tok, "id") == "" {
					labelled[c.n] = true
					setAttr(tok, "id", id)
					changed = true
				}
				if changed {
					return []byte(tok.String())
				}
				return nil
			}
		}
		if tok.Data == "p" && hasClass(*tok, "error-line") && attr(*tok, "id") == "" {
			setAttr(tok, "id", pageErrorID)
			return []byte(tok.String())
		}
		if isControl(*tok) && (!byAction || st.form >= 0 && refused[st.form]) {
			if n := attr(*tok, "name"); n != "" && !shown[n] && !byName[n] {
				if _, ok := errs[n]; ok {
					// Its reason is in the page's error line.
					byName[n] = true
					mark(tok, pageErrorID)
					changed = true
				}
			}
		}
		if changed {
			return []byte(tok.String())
		}
		return nil
	})
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

// fillTyped sets a control of a refused form to what was typed: an
// input's value, a tick, a select's option (selectV holds the typed value
// while its options go by), a text area's text (areaV, written at its end
// tag). It tells whether tok changed.
func fillTyped(tok *html.Token, typed func(string) (string, bool), selectV, areaV **string, posted url.Values) bool {
	name := attr(*tok, "name")
	switch tok.Data {
	case "input":
		if name == "" {
			return false
		}
		switch attr(*tok, "type") {
		case "hidden", "password", "file", "submit", "button", "reset", "image":
			return false
		case "checkbox", "radio":
			_, isChecked := attrOK(*tok, "checked")
			on := slices.Contains(posted[name], valueOr(*tok, "on"))
			if on == isChecked {
				return false
			}
			if on {
				setAttr(tok, "checked", "")
			} else {
				removeAttr(tok, "checked")
			}
			return true
		}
		v, ok := typed(name)
		if !ok || v == attr(*tok, "value") {
			return false
		}
		setAttr(tok, "value", v)
		return true
	case "select":
		if v, ok := typed(name); ok && name != "" {
			*selectV = &v
		}
	case "option":
		if *selectV == nil {
			return false
		}
		val, hasValue := attrOK(*tok, "value")
		if !hasValue {
			return false
		}
		_, isSel := attrOK(*tok, "selected")
		on := val == **selectV
		if on == isSel {
			return false
		}
		if on {
			setAttr(tok, "selected", "")
		} else {
			removeAttr(tok, "selected")
		}
		return true
	case "textarea":
		if v, ok := typed(name); ok && name != "" {
			*areaV = &v
		}
	}
	return false
}

func attrOK(t html.Token, key string) (string, bool) {
	for _, a := range t.Attr {
		if a.Key == key {
			return a.Val, true
		}
	}
	return "", false
}

func valueOr(t html.Token, def string) string {
	if v, ok := attrOK(t, "value"); ok {
		return v
	}
	return def
}

func removeAttr(t *html.Token, key string) {
	t.Attr = slices.DeleteFunc(t.Attr, func(a html.Attribute) bool { return a.Key == key })
}

// idSafe turns a field name ("shifts[0].from") into a part of an id that
// any selector can name ("shifts-0--from").
func idSafe(name string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-' {
			return r
		}
		return '-'
	}, name)
}

// pageErrorID names the page's error line, which describes a field whose
// reason has no place beside it.
const pageErrorID = "page-error"

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
