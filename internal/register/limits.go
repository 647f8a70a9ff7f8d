package register

import (
	"fmt"
	"strconv"
	"unicode/utf8"

	"carecircle/internal/care"
)

// The limits of what an import reads, so that no file, however crafted,
// takes more than a few seconds or a few hundred megabytes: a register
// file is at most MaxFileSize, and an .xlsx, a zip archive, may unpack to
// at most MaxUnzipped.
const (
	// MaxUnzipped bounds the unpacked size of an .xlsx: a 20,000-row
	// register unpacks to about 15 MB.
	MaxUnzipped = 200 << 20
	// MaxCellChars is the most characters a cell may hold, Excel's own limit.
	MaxCellChars = 32767
	// MaxRows is the most data rows a register may have.
	MaxRows = 100_000
	// QuoteChars is the most characters of a value an error message quotes.
	QuoteChars = 100
	// maxTextBytes bounds the text all the kept cells may hold together.
	maxTextBytes = 128 << 20
	// maxCellProblems bounds how many over-long cells a report names.
	maxCellProblems = 100
)

// Quote shortens a value quoted in an error message to QuoteChars
// characters, ending with … when something was cut: a report repeats the
// values it complains about, and must not repeat a 512 MB cell.
func Quote(s string) string {
	if len(s) <= QuoteChars {
		return s
	}
	n := 0
	for i := range s {
		if n == QuoteChars {
			return s[:i] + "…"
		}
		n++
	}
	return s
}

var (
	msgTooManyRows = care.Msg{
		ZH: fmt.Sprintf("文件超过 %s 行数据，不能导入；请分成几个文件", thousands(MaxRows)),
		EN: fmt.Sprintf("the file has more than %s data rows and cannot be imported; split it into several files", thousands(MaxRows))}
)

// msgLongCell says that a cell holds n characters, over Excel's limit.
func msgLongCell(n int) care.Msg {
	return care.Msg{
		ZH: fmt.Sprintf("单元格有 %s 个字符，超过 Excel 的上限 %s 个字符", thousands(n), thousands(MaxCellChars)),
		EN: fmt.Sprintf("the cell has %s characters, over Excel's limit of %s", thousands(n), thousands(MaxCellChars))}
}

// errTooLarge refuses a file the server will not unpack (413).
func errTooLarge(zh, en string) error {
	return &care.Error{Code: care.ETooLarge, Message: zh + " / " + en}
}

// longCell reports a cell over MaxCellChars, counting no further than
// needed; n is its length in characters when it is.
func longCell(s string) (n int, long bool) {
	if len(s) <= MaxCellChars {
		return 0, false
	}
	n = utf8.RuneCountInString(s)
	return n, n > MaxCellChars
}

// columnLetter is a column as Excel labels it: 0 is A, 26 is AA.
func columnLetter(i int) string {
	s := ""
	for i++; i > 0; i = (i - 1) / 26 {
		s = string(rune('A'+(i-1)%26)) + s
	}
	return s
}

func thousands(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
