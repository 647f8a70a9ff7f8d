package vault

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSealOpenAndHash(t *testing.T) {
	key := make([]byte, 32)
	v, err := New(key)
	if err != nil {
		t.Fatal(err)
	}
	a, b := v.Seal("110101194503081234"), v.Seal("110101194503081234")
	if string(a) == string(b) {
		t.Fatal("two seals of the same value must differ (fresh nonce)")
	}
	got, err := v.Open(a)
	if err != nil || got != "110101194503081234" {
		t.Fatalf("Open = %q, %v", got, err)
	}
	again, _ := New(key)
	if v.Hash("x") != again.Hash("x") || v.Hash("x") == v.Hash("y") {
		t.Fatal("hash must be deterministic and distinguish values")
	}
	other, _ := New(append([]byte{1}, key[1:]...))
	if _, err := other.Open(a); err == nil {
		t.Fatal("a different key must not decrypt")
	}
	if other.Fingerprint == v.Fingerprint {
		t.Fatal("fingerprints of different keys must differ")
	}
}

func TestLoadCreatesKeyFileWithPrivatePermissions(t *testing.T) {
	path := filepath.Join(t.TempDir(), "k.key")
	v1, created, err := Load("", path)
	if err != nil || !created {
		t.Fatalf("Load = %v, created %v", err, created)
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode %v, want 0600", st.Mode().Perm())
	}
	v2, created, err := Load("", path)
	if err != nil || created {
		t.Fatalf("second Load = %v, created %v", err, created)
	}
	if v1.Fingerprint != v2.Fingerprint {
		t.Fatal("reloading the key file must give the same key")
	}
}

func TestSealTextIsRecognisedAndOpened(t *testing.T) {
	v, _ := New(make([]byte, 32))
	s := v.SealText("糖尿病，需定期测血糖")
	if !strings.HasPrefix(s, TextPrefix) || strings.Contains(s, "糖尿病") || !v.IsSealedText(s) {
		t.Fatalf("sealed text %q", s)
	}
	if got, err := v.OpenText(s); err != nil || got != "糖尿病，需定期测血糖" {
		t.Fatalf("OpenText = %q, %v", got, err)
	}
	if got, err := v.OpenText("血压平稳"); err != nil || got != "血压平稳" {
		t.Fatalf("a plain value reads as itself: %q, %v", got, err)
	}
	if v.IsSealedText("enc1:not really") || v.IsSealedText("血压平稳") || v.SealText("") != "" {
		t.Fatal("only values sealed with the key are sealed")
	}
	other, _ := New(append([]byte{1}, make([]byte, 31)...))
	if other.IsSealedText(s) {
		t.Fatal("another key does not open it")
	}
}

func TestLoadExistingNeverCreatesAKey(t *testing.T) {
	path := filepath.Join(t.TempDir(), "missing.key")
	if _, err := LoadExisting("", path); !errors.Is(err, ErrNoKeyFile) || !strings.Contains(err.Error(), path) {
		t.Fatalf("LoadExisting = %v, want ErrNoKeyFile naming the path", err)
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Fatal("no key file may be created")
	}
}
