package care

import (
	"strings"
	"time"
)

// gb11643Weights are the weights of the first 17 digits of a resident ID
// number; the check character is "10X98765432"[sum mod 11].
var gb11643Weights = [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}

const gb11643Check = "10X98765432"

// IDCheckChar computes the GB 11643 check character for the first 17 digits.
func IDCheckChar(first17 string) byte {
	sum := 0
	for i := 0; i < 17; i++ {
		sum += int(first17[i]-'0') * gb11643Weights[i]
	}
	return gb11643Check[sum%11]
}

// NormalizeIDNumber trims spaces and upper-cases a final x, as people type it.
func NormalizeIDNumber(s string) string {
	return strings.ToUpper(strings.TrimSpace(s))
}

// IDNumberInfo is what an ID number says about its holder.
type IDNumberInfo struct {
	BirthDate time.Time
	Gender    Gender
}

// ParseIDNumber validates an 18-digit resident ID number (居民身份证号) and
// returns the birth date and gender it encodes.
func ParseIDNumber(s string) (IDNumberInfo, *Msg) {
	if len(s) != 18 {
		return IDNumberInfo{}, &Msg{"身份证号应为18位", "must have 18 characters"}
	}
	for i := 0; i < 17; i++ {
		if s[i] < '0' || s[i] > '9' {
			return IDNumberInfo{}, &Msg{"身份证号前17位应为数字", "the first 17 characters must be digits"}
		}
	}
	last := s[17]
	if !(last >= '0' && last <= '9') && last != 'X' {
		return IDNumberInfo{}, &Msg{"身份证号最后一位应为数字或X", "the last character must be a digit or X"}
	}
	if s[0] < '1' || s[0] > '9' {
		return IDNumberInfo{}, &Msg{"身份证号地址码无效", "the region code is invalid"}
	}
	birth, err := time.Parse("20060102", s[6:14])
	if err != nil || birth.Year() < 1880 {
		return IDNumberInfo{}, &Msg{"身份证号中的出生日期无效", "the birth date in the ID number is invalid"}
	}
	if c := IDCheckChar(s[:17]); c != last {
		return IDNumberInfo{}, &Msg{"身份证号校验码错误（最后一位应为 " + string(c) + "），请核对", "wrong check digit (the last character should be " + string(c) + "); please check the number"}
	}
	g := Female
	if (s[16]-'0')%2 == 1 {
		g = Male
	}
	return IDNumberInfo{BirthDate: birth, Gender: g}, nil
}

// MaskIDNumber shows the region prefix and the last four characters only,
// e.g. 1101**********1234, enough for staff to tell two people apart.
func MaskIDNumber(s string) string {
	if len(s) < 8 {
		return strings.Repeat("*", len(s))
	}
	return s[:4] + strings.Repeat("*", len(s)-8) + s[len(s)-4:]
}

// MakeIDNumber builds a valid ID number from a 6-digit region code, a birth
// date and a sequence number; the gender digit and check character follow.
// Numbers are distinct for seq 0–499 with the same region, birth date and
// gender (seq/5 is the 2-digit order code, seq%5 picks the gender digit).
// The demo street and tests use it; real numbers come from people's cards.
func MakeIDNumber(region string, birth time.Time, seq int, g Gender) string {
	d := seq % 5 * 2 // even: female
	if g == Male {
		d++
	}
	first17 := region + birth.Format("20060102") + twoDigits(seq/5%100) + string(rune('0'+d))
	return first17 + string(IDCheckChar(first17))
}

func twoDigits(n int) string {
	return string(rune('0'+n/10)) + string(rune('0'+n%10))
}
