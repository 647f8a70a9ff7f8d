// Package attachtest makes sample files for attachment tests: a JPEG as
// a phone camera writes it, with its GPS position in EXIF.
package attachtest

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"testing"
)

// GPSMarker is a byte sequence found only in the EXIF GPS block of JPEGWithGPS.
var GPSMarker = []byte{0xEE, 0xFF, 0xC0}

// Picture is a w×h gradient.
func Picture(w, h int) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.SetNRGBA(x, y, color.NRGBA{uint8(x), uint8(y), 128, 255})
		}
	}
	return img
}

// JPEGWithGPS is a JPEG of w×h carrying an EXIF APP1 segment whose GPS
// IFD holds a position (latitude 31° 58' 48" N), as a phone camera writes.
func JPEGWithGPS(t testing.TB, w, h int) []byte {
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, Picture(w, h), nil); err != nil {
		t.Fatal(err)
	}
	// TIFF header (little endian), IFD0 with one entry: GPSInfo (0x8825)
	// pointing at a GPS IFD with GPSLatitudeRef "N" and GPSLatitude.
	var tiff bytes.Buffer
	le := binary.LittleEndian
	tiff.WriteString("II")
	binary.Write(&tiff, le, uint16(42))
	binary.Write(&tiff, le, uint32(8))
	binary.Write(&tiff, le, uint16(1))                                  // IFD0 entries
	binary.Write(&tiff, le, []uint16{0x8825, 4})                        // GPSInfo, LONG
	binary.Write(&tiff, le, []uint32{1, 26})                            // count, offset of GPS IFD
	binary.Write(&tiff, le, uint32(0))                                  // next IFD
	binary.Write(&tiff, le, uint16(2))                                  // GPS IFD entries
	binary.Write(&tiff, le, []uint16{1, 2})                             // GPSLatitudeRef, ASCII
	binary.Write(&tiff, le, uint32(2))                                  // count
	tiff.WriteString("N\x00\x00\x00")                                   // value
	binary.Write(&tiff, le, []uint16{2, 5})                             // GPSLatitude, RATIONAL
	binary.Write(&tiff, le, []uint32{3, 56})                            // count, offset
	binary.Write(&tiff, le, uint32(0))                                  // next IFD
	binary.Write(&tiff, le, []uint32{31, 1, 58, 1, 48, 1, 0xC0FFEE, 7}) // 31/1 58/1 48/1 + marker
	app1 := append([]byte("Exif\x00\x00"), tiff.Bytes()...)
	seg := []byte{0xFF, 0xE1, byte((len(app1) + 2) >> 8), byte(len(app1) + 2)}
	b := buf.Bytes()
	out := append([]byte{}, b[:2]...) // SOI
	out = append(out, seg...)
	out = append(out, app1...)
	return append(out, b[2:]...)
}

// PNG is a w×h PNG.
func PNG(t testing.TB, w, h int) []byte {
	var buf bytes.Buffer
	if err := png.Encode(&buf, Picture(w, h)); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
