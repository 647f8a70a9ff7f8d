package web

import (
	"net/url"
	"strings"
	"testing"
)

// TestMarkFieldErrorsFillsAndMarksTheRefusedForm checks the one place that
// marks errors on a page of two forms with the same fields: only the form
// holding a message is marked and filled with what was typed (text, select,
// ticks, text area; never hidden fields or passwords), focus goes to its
// first error inside a closed <details>, which opens, and a reason with no
// place on the page is returned.
func TestMarkFieldErrorsFillsAndMarksTheRefusedForm(t *testing.T) {
	page := `<html><body>
<form id="a"><label data-field="name">A<input name="name" value=""></label></form>
<details><summary>b</summary><form id="b"><input type="hidden" name="key" value="k2"><input type="password" name="pw">
<label data-field="name">B<input name="name" value="">` + `<span class="field-error" role="alert">必填</span></label>
<label data-field="kind"><select name="kind"><option value="x" selected>x</option><option value="y">y</option></select></label>
<input type="checkbox" name="tick" value="1" checked><input type="checkbox" name="tick" value="2">
<label data-field="note"><textarea name="note">old</textarea><span class="field-error">太长</span></label>
</form></details></body></html>`
	posted := url.Values{"name": {"王 <b>"}, "kind": {"y"}, "tick": {"2"}, "note": {"新的 & 备注"}, "key": {"k1"}, "pw": {"secret"}}
	out, missing := markFieldErrors([]byte(page), map[string]string{"name": "必填", "note": "太长", "elsewhere": "别处"}, posted, "")
	got := string(out)
	formA := got[:strings.Index(got, `<details`)]
	formB := got[strings.Index(got, `<details`):]
	for _, want := range []string{`<details open="">`, `name="name" value="王 &lt;b&gt;" aria-invalid="true" aria-describedby="err-name" autofocus=""`,
		`<span class="field-error" role="alert" id="err-name">`, `<option value="x">`, `<option value="y" selected="">`,
		`<input type="checkbox" name="tick" value="1">`, `<input type="checkbox" name="tick" value="2" checked="">`,
		`<textarea name="note" aria-invalid="true" aria-describedby="err-note">新的 &amp; 备注</textarea>`, `value="k2"`, `<input type="password" name="pw">`} {
		if !strings.Contains(formB, want) {
			t.Errorf("the refused form lacks %s:\n%s", want, formB)
		}
	}
	if strings.Contains(formA, "aria-invalid") || strings.Contains(formA, "王") {
		t.Errorf("the other form is left as it was: %s", formA)
	}
	if len(missing) != 1 || missing[0] != "elsewhere" {
		t.Errorf("missing = %v", missing)
	}
}
