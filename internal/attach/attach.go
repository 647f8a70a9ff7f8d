// Package attach checks and prepares an uploaded file (附件) before the
// store keeps it (issue 15, README "附件 (attachments)"): its type is
// decided by its content, never by its name or the browser's word; it is
// size-limited; images are decoded and encoded again, which drops
// everything that is not pixels (EXIF with the GPS position, comments,
// colour profiles), and get a thumbnail; names are made safe. It is pure:
// no SQL, no HTTP, no files.
package attach

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"image"
	"image/color"
	"image/draw"
	"image/gif"
	"image/jpeg"
	"image/png"
	"io"
	"net/http"
	"path"
	"strings"
	"unicode"
	"unicode/utf8"

	"carecircle/internal/care"
)

const (
	// MaxSize is the largest file kept (10 MiB), before re-encoding.
	MaxSize = 10 << 20
	// MaxPixels bounds an image's width × height (40 megapixels), so a
	// small file that claims a huge picture is refused before decoding.
	MaxPixels = 40_000_000
	// ThumbSide is the longest side of a thumbnail, in pixels.
	ThumbSide = 320
	// MaxName is the longest kept name, in characters.
	MaxName = 120
)

// Types kept, by content.
const (
	JPEG = "image/jpeg"
	PNG  = "image/png"
	GIF  = "image/gif"
	PDF  = "application/pdf"
	Text = "text/plain; charset=utf-8"
	DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
	XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
)

// extension is the name ending of each type, put on a name that lacks it.
var extension = map[string]string{JPEG: ".jpg", PNG: ".png", GIF: ".gif", PDF: ".pdf", Text: ".txt", DOCX: ".docx", XLSX: ".xlsx"}

// also are other endings accepted as they are.
var also = map[string]string{".jpeg": JPEG, ".jpe": JPEG}

// File is a checked file ready to keep.
type File struct {
	Name        string // made safe, with the type's ending
	ContentType string
	Data        []byte // the bytes to keep: an image as encoded again
	SHA256      string // of Data, hex
	Width       int    // images only
	Height      int
	Thumb       []byte // images only: longest side at most ThumbSide
	ThumbSHA256 string
}

// IsImage reports whether a content type is one of the kept image types.
func IsImage(contentType string) bool {
	return contentType == JPEG || contentType == PNG || contentType == GIF
}

// Reasons a file is refused; the field is "file".
var (
	MsgEmpty    = care.Msg{ZH: "请选择文件（文件为空）", EN: "choose a file (the file is empty)"}
	MsgTooLarge = care.Msg{ZH: "文件超过 10 MB，请压缩后再上传", EN: "the file is over 10 MB; make it smaller and upload again"}
	MsgType     = care.Msg{ZH: "不支持此文件类型；可上传 JPEG、PNG、GIF 图片，PDF，纯文本，Word（.docx）或 Excel（.xlsx）", EN: "this kind of file is not accepted: JPEG, PNG or GIF pictures, PDF, plain text, Word (.docx) or Excel (.xlsx)"}
	MsgWebP     = care.Msg{ZH: "暂不支持 WebP 图片，请另存为 JPEG 或 PNG 后上传", EN: "WebP pictures are not accepted yet; save it as JPEG or PNG"}
	MsgBroken   = care.Msg{ZH: "图片已损坏或无法读取", EN: "the picture is damaged or cannot be read"}
	MsgHuge     = care.Msg{ZH: "图片像素过多（最多 4000 万像素）", EN: "the picture has too many pixels (40 megapixels at most)"}
	MsgZip      = care.Msg{ZH: "压缩包只接受 Word（.docx）或 Excel（.xlsx）文件", EN: "of zip files only Word (.docx) and Excel (.xlsx) are accepted"}
)

func refuse(m care.Msg) error { return care.FieldErrors{"file": m}.Err() }

// Check decides whether data may be kept and prepares it: the type by
// content against the allow-list, the size limit, images encoded again
// (dropping metadata such as the GPS position) with a thumbnail, and a
// safe name with the type's ending. A refusal is a field error on "file".
func Check(name string, data []byte) (*File, error) {
	if len(data) == 0 {
		return nil, refuse(MsgEmpty)
	}
	if len(data) > MaxSize {
		return nil, refuse(MsgTooLarge)
	}
	f := &File{}
	switch ct := http.DetectContentType(data); {
	case ct == JPEG || ct == PNG || ct == GIF:
		if err := f.image(ct, data); err != nil {
			return nil, err
		}
	case ct == "image/webp":
		return nil, refuse(MsgWebP)
	case ct == PDF:
		f.ContentType, f.Data = PDF, data
	case ct == "application/zip":
		t, err := officeType(data)
		if err != nil {
			return nil, err
		}
		f.ContentType, f.Data = t, data
	case strings.HasPrefix(ct, "text/plain") && utf8.Valid(data):
		f.ContentType, f.Data = Text, data
	default:
		return nil, refuse(MsgType)
	}
	f.SHA256 = Sum(f.Data)
	if f.Thumb != nil {
		f.ThumbSHA256 = Sum(f.Thumb)
	}
	f.Name = SafeName(name, f.ContentType)
	return f, nil
}

// Sum is the hex SHA-256 of data, the key content is kept under.
func Sum(data []byte) string {
	h := sha256.Sum256(data)
	return hex.EncodeToString(h[:])
}

// image decodes an image, checks its size and encodes it again in its own
// format, with a thumbnail. Only the pixels survive.
func (f *File) image(ct string, data []byte) error {
	cfg, _, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return refuse(MsgBroken)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 {
		return refuse(MsgBroken)
	}
	if int64(cfg.Width)*int64(cfg.Height) > MaxPixels {
		return refuse(MsgHuge)
	}
	var buf bytes.Buffer
	var img image.Image
	switch ct {
	case JPEG:
		if img, err = jpeg.Decode(bytes.NewReader(data)); err == nil {
			err = jpeg.Encode(&buf, img, &jpeg.Options{Quality: 90})
		}
	case PNG:
		if img, err = png.Decode(bytes.NewReader(data)); err == nil {
			err = (&png.Encoder{CompressionLevel: png.BestCompression}).Encode(&buf, img)
		}
	case GIF:
		var g *gif.GIF
		if g, err = gif.DecodeAll(bytes.NewReader(data)); err == nil && len(g.Image) > 0 {
			img = g.Image[0]
			// Frames, delays and the palette stay; comments and
			// application blocks other than the loop count do not.
			err = gif.EncodeAll(&buf, &gif.GIF{Image: g.Image, Delay: g.Delay, LoopCount: g.LoopCount, Disposal: g.Disposal, Config: g.Config, BackgroundIndex: g.BackgroundIndex})
		} else if err == nil {
			err = io.ErrUnexpectedEOF
		}
	}
	if err != nil {
		return refuse(MsgBroken)
	}
	b := img.Bounds()
	f.ContentType, f.Data, f.Width, f.Height = ct, buf.Bytes(), b.Dx(), b.Dy()
	th := Thumbnail(img, ThumbSide)
	var tb bytes.Buffer
	if ct == JPEG {
		err = jpeg.Encode(&tb, th, &jpeg.Options{Quality: 80})
	} else {
		err = png.Encode(&tb, th)
	}
	if err != nil {
		return refuse(MsgBroken)
	}
	f.Thumb = tb.Bytes()
	return nil
}

// ThumbType is the content type of an image's thumbnail: JPEG for a JPEG,
// PNG otherwise.
func ThumbType(contentType string) string {
	if contentType == JPEG {
		return JPEG
	}
	return PNG
}

// Thumbnail scales img down so its longest side is at most side pixels,
// averaging each target pixel's source area (a box filter, good for
// downscaling); a smaller image is copied as it is.
func Thumbnail(img image.Image, side int) *image.NRGBA {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	tw, th := w, h
	if w > side || h > side {
		if w >= h {
			tw, th = side, max(1, h*side/w)
		} else {
			tw, th = max(1, w*side/h), side
		}
	}
	src := image.NewNRGBA(image.Rect(0, 0, w, h))
	draw.Draw(src, src.Bounds(), img, b.Min, draw.Src)
	if tw == w && th == h {
		return src
	}
	dst := image.NewNRGBA(image.Rect(0, 0, tw, th))
	for y := 0; y < th; y++ {
		y0, y1 := y*h/th, max((y+1)*h/th, y*h/th+1)
		for x := 0; x < tw; x++ {
			x0, x1 := x*w/tw, max((x+1)*w/tw, x*w/tw+1)
			var r, g, bl, a, n uint64
			for sy := y0; sy < y1; sy++ {
				row := src.Pix[sy*src.Stride:]
				for sx := x0; sx < x1; sx++ {
					p := row[sx*4 : sx*4+4]
					// Weight colour by alpha so transparent pixels do not darken edges.
					pa := uint64(p[3])
					r, g, bl, a, n = r+uint64(p[0])*pa, g+uint64(p[1])*pa, bl+uint64(p[2])*pa, a+pa, n+1
				}
			}
			c := color.NRGBA{A: uint8(a / n)}
			if a > 0 {
				c.R, c.G, c.B = uint8(r/a), uint8(g/a), uint8(bl/a)
			}
			dst.SetNRGBA(x, y, c)
		}
	}
	return dst
}

// officeType tells a Word or Excel file (a zip whose [Content_Types].xml
// names the main part) from any other zip, which is refused.
func officeType(data []byte) (string, error) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return "", refuse(MsgZip)
	}
	for _, zf := range zr.File {
		if zf.Name != "[Content_Types].xml" {
			continue
		}
		if zf.UncompressedSize64 > 1<<20 {
			return "", refuse(MsgZip)
		}
		rc, err := zf.Open()
		if err != nil {
			return "", refuse(MsgZip)
		}
		ct, err := io.ReadAll(io.LimitReader(rc, 1<<20))
		rc.Close()
		if err != nil {
			return "", refuse(MsgZip)
		}
		s := string(ct)
		// Macro-enabled documents (docm, xlsm) name other main parts and are refused.
		switch {
		case strings.Contains(s, "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"):
			return DOCX, nil
		case strings.Contains(s, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"):
			return XLSX, nil
		}
		return "", refuse(MsgZip)
	}
	return "", refuse(MsgZip)
}

// SafeName makes an uploaded name safe to keep and to offer as a download:
// only the last path element, no control or format characters, none of
// the characters a file system or a header reserves, at most MaxName
// characters, and ending in the type's extension (added or replacing a
// wrong one). An empty name becomes 附件.
func SafeName(name, contentType string) string {
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	name = strings.Map(func(r rune) rune {
		switch {
		case unicode.IsSpace(r):
			return ' '
		case r == utf8.RuneError, unicode.IsControl(r), unicode.Is(unicode.Cf, r):
			return -1
		case strings.ContainsRune(`<>:"|?*;%`, r):
			return '_'
		}
		return r
	}, name)
	name = strings.Trim(strings.TrimSpace(name), ". ")
	ext := strings.ToLower(path.Ext(name))
	want := extension[contentType]
	base := name
	if ext != "" && (ext == want || also[ext] == contentType) {
		base, want = strings.TrimSuffix(name, path.Ext(name)), path.Ext(name)
	} else if _, known := extension[mimeOf(ext)]; known || also[ext] != "" {
		base = strings.TrimSuffix(name, path.Ext(name)) // a wrong known ending is replaced
	}
	base = strings.Trim(base, ". ")
	if base == "" {
		base = "附件"
	}
	if r := []rune(base); len(r) > MaxName-len(want) {
		base = string(r[:MaxName-len(want)])
	}
	return base + want
}

func mimeOf(ext string) string {
	for t, e := range extension {
		if e == ext {
			return t
		}
	}
	return ""
}
