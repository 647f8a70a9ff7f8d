package register

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// An .xlsx is a zip archive of XML parts, and a 1 MB archive can unpack to
// gigabytes. Before excelize opens one, checkXLSX reads the archive's
// directory and then streams every part a register needs through a small
// tokenizer that bounds what excelize will hold in memory: the unpacked
// size, the number of parts, the length of any text or tag, the nesting,
// the number of shared texts and the text of any one row (a row of cells
// that all point at one long shared text multiplies it). Only the parts a
// register needs are passed on; pictures, drawings and the like are
// dropped unread.

const (
	maxZipEntries = 10_000
	// maxRatio is the unpacked/packed ratio no honest part of more than
	// ratioFloor bytes reaches; deflate tops out near 1,030.
	maxRatio   = 250
	ratioFloor = 16 << 20
	// maxSmallPart bounds the parts excelize keeps in memory whole: the
	// workbook, its relationships and the content types.
	maxSmallPart = 8 << 20
	// maxRawText bounds the raw XML of one run of text: ten times the
	// most a cell of MaxCellChars characters takes (3 bytes a character,
	// or 6 for &quot;). A cell between is read and reported by row and
	// column; a text beyond is refused unread.
	maxRawText = 1 << 20
	maxTag     = 64 << 10
	maxDepth   = 64
	// maxSharedTexts bounds the shared string table: excelize keeps an
	// index entry for each.
	maxSharedTexts = 1_000_000
	// maxRowText bounds the text of one row once shared texts are put in.
	maxRowText = 16 << 20
	// xmlInMemory is the largest sheet or shared string table excelize
	// unpacks in memory; larger ones go to a temporary file.
	xmlInMemory = 4 << 20
)

// checkXLSX checks an .xlsx archive and returns it with only the parts a
// register needs. A damaged archive is msgBadXLSX; one over a limit is an
// ETooLarge error.
func checkXLSX(data []byte) ([]byte, error) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, errBadXLSX
	}
	if len(zr.File) > maxZipEntries {
		return nil, errTooLarge(fmt.Sprintf("Excel 文件包含的部件过多（超过 %s 个）", thousands(maxZipEntries)),
			fmt.Sprintf("the Excel file has too many parts (over %s)", thousands(maxZipEntries)))
	}
	var total uint64
	var keep []*zip.File
	var shared *zip.File
	for _, f := range zr.File {
		total += f.UncompressedSize64
		if total > MaxUnzipped {
			return nil, errTooLarge(fmt.Sprintf("Excel 文件解压后超过 %d MB，不能导入", MaxUnzipped>>20),
				fmt.Sprintf("the Excel file unpacks to more than %d MB and cannot be imported", MaxUnzipped>>20))
		}
		if f.UncompressedSize64 > ratioFloor && f.UncompressedSize64 > maxRatio*max(f.CompressedSize64, 1) {
			return nil, errTooLarge("Excel 文件的压缩比异常，不能导入", "the Excel file is compressed beyond any real register and cannot be imported")
		}
		switch part := partOf(f.Name); {
		case part == "":
		case part == "shared":
			shared = f
			keep = append(keep, f)
		case part == "small" && f.UncompressedSize64 > maxSmallPart:
			return nil, errTooLarge("Excel 文件的部件 "+Quote(f.Name)+" 过大", "the Excel file's part "+Quote(f.Name)+" is too large")
		default:
			keep = append(keep, f)
		}
	}
	var s scan
	if shared != nil {
		h := &sharedScan{}
		if err := s.file(shared, h); err != nil {
			return nil, err
		}
		s.shared = h
	}
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	for _, f := range keep {
		if partOf(f.Name) == "sheet" {
			if err := s.file(f, &sheetScan{shared: s.shared}); err != nil {
				return nil, err
			}
		} else if f != shared {
			if err := s.file(f, nopScan{}); err != nil {
				return nil, err
			}
		}
		if err := zw.Copy(f); err != nil {
			return nil, errBadXLSX
		}
	}
	if err := zw.Close(); err != nil {
		return nil, errBadXLSX
	}
	return out.Bytes(), nil
}

// partOf sorts an archive's part: "sheet", "shared" (the shared string
// table), "small" (parts excelize needs and keeps whole) or "" (dropped).
func partOf(name string) string {
	n := strings.ToLower(strings.ReplaceAll(name, `\`, "/"))
	switch {
	case n == "xl/sharedstrings.xml":
		return "shared"
	case strings.HasPrefix(n, "xl/worksheets/sheet") && strings.HasSuffix(n, ".xml") && !strings.Contains(n[len("xl/worksheets/"):], "/"):
		return "sheet"
	case n == "[content_types].xml", n == "_rels/.rels", n == "xl/workbook.xml",
		strings.HasPrefix(n, "xl/_rels/") && strings.HasSuffix(n, ".rels"):
		return "small"
	}
	return ""
}

// errBadXLSX marks an archive that cannot be read; readXLSX reports it as
// msgBadXLSX.
var errBadXLSX = fmt.Errorf("register: unreadable .xlsx")

// scan streams XML parts through a tokenizer, one part at a time.
type scan struct {
	shared *sharedScan
	buf    []byte
}

// xmlHandler is told of the tokens of a part.
type xmlHandler interface {
	start(name, tag []byte) error
	end(name []byte) error
	text(n int, head []byte) error
}

func (s *scan) file(f *zip.File, h xmlHandler) error {
	rc, err := f.Open()
	if err != nil {
		return errBadXLSX
	}
	defer rc.Close()
	if s.buf == nil {
		s.buf = make([]byte, 256<<10)
	}
	t := tokenizer{h: h, tag: make([]byte, 0, 256)}
	for {
		n, err := rc.Read(s.buf)
		if n > 0 {
			if err := t.feed(s.buf[:n]); err != nil {
				return err
			}
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return errBadXLSX // also a part longer than its directory says
		}
	}
}

// tokenizer splits XML into tags and the text between them, without
// building anything: enough to bound what a real XML parser will hold.
type tokenizer struct {
	h       xmlHandler
	inTag   bool
	tag     []byte
	textLen int
	head    [24]byte
	headLen int
	depth   int
}

func (t *tokenizer) feed(p []byte) error {
	for len(p) > 0 {
		if !t.inTag {
			i := bytes.IndexByte(p, '<')
			seg := p
			if i >= 0 {
				seg = p[:i]
			}
			t.headLen += copy(t.head[t.headLen:], seg)
			t.textLen += len(seg)
			if t.textLen > maxRawText {
				return t.h.text(t.textLen, nil)
			}
			if i < 0 {
				return nil
			}
			if t.textLen > 0 {
				if err := t.h.text(t.textLen, t.head[:t.headLen]); err != nil {
					return err
				}
			}
			t.textLen, t.headLen, t.inTag, t.tag = 0, 0, true, t.tag[:0]
			p = p[i+1:]
			continue
		}
		i := bytes.IndexByte(p, '>')
		seg := p
		if i >= 0 {
			seg = p[:i]
		}
		if len(t.tag)+len(seg) > maxTag {
			return errTooLarge("Excel 文件中有异常的超长标记，不能导入", "the Excel file holds an absurdly long XML tag and cannot be imported")
		}
		t.tag = append(t.tag, seg...)
		if i < 0 {
			return nil
		}
		t.inTag = false
		p = p[i+1:]
		if err := t.tagDone(); err != nil {
			return err
		}
	}
	return nil
}

func (t *tokenizer) tagDone() error {
	tag := t.tag
	if len(tag) == 0 || tag[0] == '?' || tag[0] == '!' {
		return nil // declaration, comment
	}
	if tag[0] == '/' {
		t.depth--
		return t.h.end(localName(tag[1:]))
	}
	name := localName(tag)
	if tag[len(tag)-1] == '/' {
		if err := t.h.start(name, tag); err != nil {
			return err
		}
		return t.h.end(name)
	}
	if t.depth++; t.depth > maxDepth {
		return errTooLarge("Excel 文件的结构嵌套过深，不能导入", "the Excel file nests its XML absurdly deep and cannot be imported")
	}
	return t.h.start(name, tag)
}

// localName is a tag's element name without its namespace prefix.
func localName(tag []byte) []byte {
	end := bytes.IndexAny(tag, " \t\r\n/")
	if end < 0 {
		end = len(tag)
	}
	name := tag[:end]
	if i := bytes.LastIndexByte(name, ':'); i >= 0 {
		name = name[i+1:]
	}
	return name
}

// attrValue is the value of a start tag's attribute name (with or
// without a namespace prefix), entities left as they are.
func attrValue(tag []byte, name string) ([]byte, bool) {
	for i := 1; i+len(name) < len(tag); i++ {
		if c := tag[i-1]; c != ' ' && c != '\t' && c != '\r' && c != '\n' && c != ':' {
			continue
		}
		if string(tag[i:i+len(name)]) != name {
			continue
		}
		rest := bytes.TrimLeft(tag[i+len(name):], " \t\r\n")
		if len(rest) == 0 || rest[0] != '=' {
			continue
		}
		rest = bytes.TrimLeft(rest[1:], " \t\r\n")
		if len(rest) < 2 || (rest[0] != '"' && rest[0] != '\'') {
			continue
		}
		if end := bytes.IndexByte(rest[1:], rest[0]); end >= 0 {
			return rest[1 : 1+end], true
		}
	}
	return nil, false
}

type nopScan struct{}

func (nopScan) start(name, tag []byte) error { return nil }
func (nopScan) end(name []byte) error        { return nil }
func (nopScan) text(n int, head []byte) error {
	if n > maxRawText {
		return errLongText(0)
	}
	return nil
}

// errLongText refuses a run of text far over MaxCellChars; row is 0 when
// it is not in a sheet.
func errLongText(row int) error {
	if row == 0 {
		return errTooLarge(fmt.Sprintf("Excel 文件中有一段文字远超 %s 个字符，不能导入", thousands(MaxCellChars)),
			fmt.Sprintf("the Excel file holds a text far over %s characters and cannot be imported", thousands(MaxCellChars)))
	}
	return errTooLarge(fmt.Sprintf("第 %d 行有单元格远超 %s 个字符，不能导入", row, thousands(MaxCellChars)),
		fmt.Sprintf("row %d holds a cell far over %s characters; the file cannot be imported", row, thousands(MaxCellChars)))
}

// sharedScan records the raw length of each shared text.
type sharedScan struct {
	lens    []int32
	longest int32
	in      bool
	cur     int
}

func (s *sharedScan) start(name, tag []byte) error {
	if string(name) == "si" {
		s.in, s.cur = true, 0
	}
	return nil
}

func (s *sharedScan) end(name []byte) error {
	if string(name) != "si" || !s.in {
		return nil
	}
	if len(s.lens) == maxSharedTexts {
		return errTooLarge(fmt.Sprintf("Excel 文件中不同的文字超过 %s 项，不能导入", thousands(maxSharedTexts)),
			fmt.Sprintf("the Excel file holds over %s different texts and cannot be imported", thousands(maxSharedTexts)))
	}
	s.lens = append(s.lens, int32(s.cur))
	s.longest = max(s.longest, int32(s.cur))
	s.in = false
	return nil
}

func (s *sharedScan) text(n int, head []byte) error {
	if n > maxRawText {
		return errLongText(0)
	}
	if s.in {
		s.cur += n
	}
	return nil
}

// length is the raw length of the shared text a cell's value points at;
// the longest when the value is not a plain index.
func (s *sharedScan) length(v []byte) int {
	if s == nil {
		return 0
	}
	i, err := strconv.Atoi(strings.TrimSpace(string(v)))
	if err != nil || i < 0 || i >= len(s.lens) {
		return int(s.longest)
	}
	return int(s.lens[i])
}

// sheetScan bounds the text of each row of a worksheet, shared texts
// put in.
type sheetScan struct {
	shared  *sharedScan
	row     int
	rowText int
	inValue bool
}

func (s *sheetScan) start(name, tag []byte) error {
	switch string(name) {
	case "row":
		s.row++
		if v, ok := attrValue(tag, "r"); ok {
			if r, err := strconv.Atoi(string(v)); err == nil && r > 0 {
				s.row = r
			}
		}
		s.rowText = 0
	case "v":
		s.inValue = true
	}
	return nil
}

func (s *sheetScan) end(name []byte) error {
	switch string(name) {
	case "v":
		s.inValue = false
	}
	return nil
}

func (s *sheetScan) text(n int, head []byte) error {
	if n > maxRawText {
		return errLongText(max(s.row, 1))
	}
	if s.inValue && s.shared != nil {
		// Any value may be an index into the shared texts (the cell's
		// type says, in ways a tokenizer cannot be sure of); counting it
		// as one errs on the safe side.
		if n > len("1000000000") {
			n = max(n, int(s.shared.longest))
		} else {
			n = max(n, s.shared.length(head))
		}
	}
	if s.rowText += n; s.rowText > maxRowText {
		return errTooLarge(fmt.Sprintf("第 %d 行的文字超过 %d MB，不能导入", max(s.row, 1), maxRowText>>20),
			fmt.Sprintf("row %d holds over %d MB of text; the file cannot be imported", max(s.row, 1), maxRowText>>20))
	}
	return nil
}
