package register

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
)

// ProblemJSON is a problem on the wire, its reason in one language.
type ProblemJSON struct {
	Row    int    `json:"row"`
	Column string `json:"column"`
	Value  string `json:"value"`
	Reason string `json:"reason"`
}

// ReportJSON is the report as the API answers it.
type ReportJSON struct {
	Kind      Kind          `json:"kind"`
	File      string        `json:"file,omitempty"`
	Rows      int           `json:"rows"`
	Created   int           `json:"created"`
	Updated   int           `json:"updated"`
	Committed bool          `json:"committed"`
	Errors    []ProblemJSON `json:"errors"`
	// BadRows and Problems count every bad row and problem; errors lists
	// those of the first MaxListedRows bad rows.
	BadRows  int      `json:"bad_rows"`
	Problems int      `json:"problems"`
	Ignored  []string `json:"ignored_columns"`
	// PossibleDuplicates are the rows that look like a registered elder
	// or an earlier row under another ID number (可能重复): each is
	// imported only when listed in confirm_rows.
	PossibleDuplicates []int `json:"possible_duplicates"`
}

// JSON is the report with reasons in lang.
func (r *Report) JSON(lang string) ReportJSON {
	out := ReportJSON{Kind: r.Kind, File: r.File, Rows: r.Rows, Created: r.Created, Updated: r.Updated,
		Committed: r.Committed, Errors: []ProblemJSON{}, BadRows: r.BadRows(), Problems: max(r.Problems, len(r.Errors)),
		Ignored: append([]string{}, r.Ignored...), PossibleDuplicates: append([]int{}, r.Lookalikes...)}
	for _, p := range r.Errors {
		out.Errors = append(out.Errors, ProblemJSON{Row: p.Row, Column: p.Column, Value: p.Value, Reason: p.Reason.In(lang)})
	}
	return out
}

// Summary is one line saying what happened or would happen.
func (r *Report) Summary(dryRun bool, lang string) string {
	zh := lang != "en"
	if n := r.unconfirmed(); n > 0 && !r.Committed {
		if zh {
			return fmt.Sprintf("共 %d 行，其中 %d 行有问题（%d 行可能重复：确认是另一位老人后勾选这些行，再确认导入）：未导入任何数据（其余的行可新建 %d 人，更新 %d 人）。",
				r.Rows, r.BadRows(), n, r.Created, r.Updated)
		}
		return fmt.Sprintf("%d rows, %d with problems (%d possible duplicates: tick them once sure they are other people, then confirm the import): nothing was imported (the other rows would create %d and update %d).",
			r.Rows, r.BadRows(), n, r.Created, r.Updated)
	}
	switch {
	case !r.OK() && zh:
		return fmt.Sprintf("共 %d 行，其中 %d 行有问题：未导入任何数据（其余的行可新建 %d 人，更新 %d 人）。请改正下列问题后重新导入。",
			r.Rows, r.BadRows(), r.Created, r.Updated)
	case !r.OK():
		return fmt.Sprintf("%d rows, %d with errors: nothing was imported (the other rows would create %d and update %d). Correct the problems below and import again.",
			r.Rows, r.BadRows(), r.Created, r.Updated)
	case r.Committed && zh:
		return fmt.Sprintf("已导入 %d 行：新建 %d 人，更新 %d 人。", r.Rows, r.Created, r.Updated)
	case r.Committed:
		return fmt.Sprintf("Imported %d rows: %d created, %d updated.", r.Rows, r.Created, r.Updated)
	case zh:
		return fmt.Sprintf("试导入：共 %d 行，全部可以导入——将新建 %d 人，更新 %d 人。", r.Rows, r.Created, r.Updated)
	}
	return fmt.Sprintf("Dry run: all %d rows can be imported — %d to create, %d to update.", r.Rows, r.Created, r.Updated)
}

// WriteText prints the report for the command line: the summary, then one
// line per problem.
func (r *Report) WriteText(w io.Writer, dryRun bool, lang string) error {
	title := map[bool]string{true: "导入", false: "import"}[lang != "en"]
	if dryRun {
		title = map[bool]string{true: "试导入", false: "dry run"}[lang != "en"]
	}
	fmt.Fprintf(w, "%s %s: %s\n%s\n", r.Kind.Label(lang), title, r.File, r.Summary(dryRun, lang))
	if len(r.Ignored) > 0 {
		fmt.Fprintf(w, "%s %v\n", map[bool]string{true: "未识别、已忽略的列：", false: "columns not recognised, ignored:"}[lang != "en"], r.Ignored)
	}
	if r.OK() {
		return nil
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	if lang == "en" {
		fmt.Fprintln(tw, "row\tcolumn\tvalue\treason")
	} else {
		fmt.Fprintln(tw, "行号\t列\t值\t原因")
	}
	for _, p := range r.Errors {
		row := strconv.Itoa(p.Row)
		if p.Row == 0 {
			row = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", row, p.Column, p.Value, p.Reason.In(lang))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if n := r.Unlisted(); n > 0 {
		_, err := fmt.Fprintln(w, r.unlistedLine(lang))
		return err
	}
	return nil
}

// unlistedLine says how many problems a report counts but does not list.
func (r *Report) unlistedLine(lang string) string {
	if lang == "en" {
		return fmt.Sprintf("… and %d more problems after row %d, not listed: correct the rows above and check the file again.",
			r.Unlisted(), r.lastListed())
	}
	return fmt.Sprintf("……第 %d 行之后还有 %d 个问题未列出：请先改正以上各行，再检查一次。", r.lastListed(), r.Unlisted())
}

// UnlistedText is unlistedLine for screens; empty when everything is listed.
func (r *Report) UnlistedText(lang string) string {
	if r.Unlisted() == 0 {
		return ""
	}
	return r.unlistedLine(lang)
}

func (r *Report) lastListed() int {
	last := 0
	for _, p := range r.Errors {
		last = max(last, p.Row)
	}
	return last
}

// unconfirmed counts the possible duplicates that stop the import: the
// look-alike rows among the bad ones.
func (r *Report) unconfirmed() int {
	bad := map[int]bool{}
	for _, p := range r.Errors {
		if strings.HasPrefix(p.Reason.ZH, "可能重复") {
			bad[p.Row] = true
		}
	}
	return len(bad)
}
