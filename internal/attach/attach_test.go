package attach

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"strings"
	"testing"

	"carecircle/internal/attach/attachtest"
	"carecircle/internal/care"
)

func fieldReason(t *testing.T, err error) care.Msg {
	t.Helper()
	ce, ok := err.(*care.Error)
	if !ok || ce.Code != care.EInvalid || ce.Fields["file"].ZH == "" {
		t.Fatalf("want a field error on file, got %v", err)
	}
	return ce.Fields["file"]
}

func TestJPEGLosesGPSAndGetsAThumbnail(t *testing.T) {
	in := attachtest.JPEGWithGPS(t, 800, 400)
	if !bytes.Contains(in, []byte("Exif")) || !bytes.Contains(in, []byte{0xEE, 0xFF, 0xC0}) {
		t.Fatal("the input should carry the EXIF GPS bytes")
	}
	f, err := Check("../../DCIM/活动合影.JPG", in)
	if err != nil {
		t.Fatal(err)
	}
	if f.ContentType != JPEG || f.Width != 800 || f.Height != 400 {
		t.Fatalf("got %s %dx%d", f.ContentType, f.Width, f.Height)
	}
	if bytes.Contains(f.Data, []byte("Exif")) || bytes.Contains(f.Data, []byte{0xEE, 0xFF, 0xC0}) {
		t.Fatal("the kept JPEG still holds the EXIF GPS segment")
	}
	if f.Name != "活动合影.JPG" {
		t.Fatalf("name %q", f.Name)
	}
	if f.SHA256 != Sum(f.Data) || len(f.SHA256) != 64 {
		t.Fatal("sha256 is not of the kept bytes")
	}
	cfg, err := jpeg.DecodeConfig(bytes.NewReader(f.Thumb))
	if err != nil || cfg.Width != ThumbSide || cfg.Height != ThumbSide/2 {
		t.Fatalf("thumbnail %v %dx%d", err, cfg.Width, cfg.Height)
	}
}

func TestPNGReencodedAndSmallThumbKeepsSize(t *testing.T) {
	var buf bytes.Buffer
	png.Encode(&buf, attachtest.Picture(50, 120))
	raw := buf.Bytes()
	f, err := Check("plan.png", raw)
	if err != nil {
		t.Fatal(err)
	}
	if f.ContentType != PNG || f.Width != 50 || f.Height != 120 {
		t.Fatalf("got %+v", f.ContentType)
	}
	cfg, err := png.DecodeConfig(bytes.NewReader(f.Thumb))
	if err != nil || cfg.Width != 50 || cfg.Height != 120 {
		t.Fatalf("thumb %v %dx%d", err, cfg.Width, cfg.Height)
	}
}

func TestThumbnailAveragesAndKeepsAspect(t *testing.T) {
	img := image.NewNRGBA(image.Rect(0, 0, 640, 10))
	for x := 0; x < 640; x++ {
		for y := 0; y < 10; y++ {
			c := uint8(0)
			if x%2 == 0 {
				c = 200
			}
			img.SetNRGBA(x, y, color.NRGBA{c, c, c, 255})
		}
	}
	th := Thumbnail(img, 320)
	if b := th.Bounds(); b.Dx() != 320 || b.Dy() != 5 {
		t.Fatalf("bounds %v", b)
	}
	// Alternating 200/0 columns average to about 100.
	if c := th.NRGBAAt(100, 1); c.R < 80 || c.R > 120 {
		t.Fatalf("not averaged: %v", c)
	}
}

func docx(t *testing.T, contentTypes string) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, _ := zw.Create("[Content_Types].xml")
	w.Write([]byte(contentTypes))
	w, _ = zw.Create("word/document.xml")
	w.Write([]byte("<w:document/>"))
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestTypesByContent(t *testing.T) {
	word := docx(t, `<Types><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>`)
	excel := docx(t, `<Types><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>`)
	macro := docx(t, `<Types><Override PartName="/word/document.xml" ContentType="application/vnd.ms-word.document.macroEnabled.main+xml"/></Types>`)
	ok := []struct {
		name string
		data []byte
		ct   string
		out  string
	}{
		{"实施方案.pdf", []byte("%PDF-1.4\n1 0 obj\n<<>>\nendobj\n"), PDF, "实施方案.pdf"},
		{"实施方案", []byte("%PDF-1.7\n"), PDF, "实施方案.pdf"},
		{"纪要.txt", []byte("座谈会纪要：第一条。\n"), Text, "纪要.txt"},
		{"方案.docx", word, DOCX, "方案.docx"},
		{"方案.pdf", word, DOCX, "方案.docx"}, // a wrong known ending is replaced
		{"名单.xlsx", excel, XLSX, "名单.xlsx"},
	}
	for _, c := range ok {
		f, err := Check(c.name, c.data)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if f.ContentType != c.ct || f.Name != c.out || f.Thumb != nil || !bytes.Equal(f.Data, c.data) {
			t.Fatalf("%s: got %s %q", c.name, f.ContentType, f.Name)
		}
	}
	bad := []struct {
		name string
		data []byte
		want care.Msg
	}{
		{"empty.txt", nil, MsgEmpty},
		{"big.txt", bytes.Repeat([]byte("a"), MaxSize+1), MsgTooLarge},
		{"a.exe", []byte("MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00"), MsgType},
		{"page.html", []byte("<html><script>alert(1)</script></html>"), MsgType},
		{"macro.docx", macro, MsgZip},
		{"x.zip", docx(t, "<Types/>"), MsgZip},
		{"pic.webp", append([]byte("RIFF\x10\x00\x00\x00WEBPVP8 "), make([]byte, 20)...), MsgWebP},
		{"broken.jpg", []byte("\xff\xd8\xff\xe0\x00\x10JFIF\x00broken"), MsgBroken},
		{"latin1.txt", []byte("caf\xe9 \xe9t\xe9"), MsgType},
	}
	for _, c := range bad {
		_, err := Check(c.name, c.data)
		if got := fieldReason(t, err); got != c.want {
			t.Fatalf("%s: reason %q, want %q", c.name, got.ZH, c.want.ZH)
		}
	}
}

func TestHugeImageRefusedBeforeDecoding(t *testing.T) {
	// A PNG header claiming 100000×100000 pixels.
	var buf bytes.Buffer
	png.Encode(&buf, attachtest.Picture(1, 1))
	b := buf.Bytes()
	binary.BigEndian.PutUint32(b[16:], 100000)
	binary.BigEndian.PutUint32(b[20:], 100000)
	binary.BigEndian.PutUint32(b[29:], crc32.ChecksumIEEE(b[12:29]))
	_, err := Check("big.png", b)
	if got := fieldReason(t, err); got != MsgHuge {
		t.Fatalf("reason %q", got.ZH)
	}
}

func TestSafeName(t *testing.T) {
	cases := map[string]string{
		`C:\Users\张\照片.jpg`:      "照片.jpg",
		"a\x00b\u202ec.jpg":      "abc.jpg",
		`"x";y<z>.jpeg`:          "_x__y_z_.jpeg",
		"":                       "附件.jpg",
		"...":                    "附件.jpg",
		"photo.png":              "photo.jpg",
		"report.v2":              "report.v2.jpg",
		strings.Repeat("长", 300): strings.Repeat("长", MaxName-4) + ".jpg",
		"  spaced\tname .JPG ":   "spaced name.JPG",
	}
	for in, want := range cases {
		if got := SafeName(in, JPEG); got != want {
			t.Errorf("SafeName(%q) = %q, want %q", in, got, want)
		}
	}
}
