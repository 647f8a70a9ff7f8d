package vault

import (
	"os"
	"path/filepath"
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
