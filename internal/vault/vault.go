// Package vault encrypts sensitive personal fields at rest (AES-256-GCM) and
// gives them a keyed hash so that lookups by ID number still work without
// storing the number in the clear.
package vault

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
)

// Vault holds the data key. The zero value is unusable; use New or Load.
type Vault struct {
	aead    cipher.AEAD
	hashKey []byte
	// Fingerprint identifies the key without revealing it, so a server
	// started with the wrong key refuses to run instead of writing garbage.
	Fingerprint string
	purposes    sync.Map // derived MAC key per purpose
}

// New returns a vault for a 32-byte key.
func New(key []byte) (*Vault, error) {
	if len(key) != 32 {
		return nil, fmt.Errorf("vault: key must be 32 bytes, got %d", len(key))
	}
	block, err := aes.NewCipher(derive(key, "carecircle/encrypt"))
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	fp := derive(key, "carecircle/fingerprint")
	return &Vault{aead: aead, hashKey: derive(key, "carecircle/lookup"), Fingerprint: hex.EncodeToString(fp[:8])}, nil
}

// derive separates the one master key into independent keys per purpose.
func derive(key []byte, purpose string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(purpose))
	return m.Sum(nil)
}

// Seal encrypts plain text; each call uses a fresh random nonce.
func (v *Vault) Seal(plain string) []byte {
	nonce := make([]byte, v.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		panic("vault: no randomness: " + err.Error())
	}
	return v.aead.Seal(nonce, nonce, []byte(plain), nil)
}

// Open decrypts what Seal produced.
func (v *Vault) Open(sealed []byte) (string, error) {
	n := v.aead.NonceSize()
	if len(sealed) < n {
		return "", errors.New("vault: sealed value too short")
	}
	plain, err := v.aead.Open(nil, sealed[:n], sealed[n:], nil)
	if err != nil {
		return "", errors.New("vault: cannot decrypt (wrong key or damaged value)")
	}
	return string(plain), nil
}

// TextPrefix marks a text column's value as sealed by SealText, so that a
// value already sealed is never sealed twice and a plain value written
// before encryption at rest is recognised.
const TextPrefix = "enc1:"

// SealText encrypts plain text for a text column: TextPrefix followed by
// the base64 of Seal's output. The empty string stays empty (nothing to
// hide, and "no notes" stays cheap to test).
func (v *Vault) SealText(plain string) string {
	if plain == "" {
		return ""
	}
	return TextPrefix + base64.StdEncoding.EncodeToString(v.Seal(plain))
}

// OpenText decrypts what SealText produced. A value without the prefix is
// returned as it is (a plain value not yet converted).
func (v *Vault) OpenText(stored string) (string, error) {
	rest, ok := strings.CutPrefix(stored, TextPrefix)
	if !ok {
		return stored, nil
	}
	sealed, err := base64.StdEncoding.DecodeString(rest)
	if err != nil {
		return "", errors.New("vault: sealed text is damaged")
	}
	return v.Open(sealed)
}

// IsSealedText reports whether stored is a value SealText made with this
// key: a plain text that merely starts with the prefix is not.
func (v *Vault) IsSealedText(stored string) bool {
	if !strings.HasPrefix(stored, TextPrefix) {
		return false
	}
	_, err := v.OpenText(stored)
	return err == nil
}

// Hash is a keyed hash for exact-match lookups and uniqueness.
func (v *Vault) Hash(plain string) string {
	m := hmac.New(sha256.New, v.hashKey)
	m.Write([]byte(plain))
	return hex.EncodeToString(m.Sum(nil))
}

// ErrNoKeyFile is returned by LoadExisting when the key file is missing.
var ErrNoKeyFile = errors.New("vault: the data key file does not exist")

// LoadExisting reads the key from CARECIRCLE_KEY (base64) when set,
// otherwise from path, and never creates one: a missing file is
// ErrNoKeyFile, naming the path.
func LoadExisting(envKey, path string) (*Vault, error) {
	if envKey == "" {
		if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("%w: %s", ErrNoKeyFile, path)
		}
	}
	v, _, err := Load(envKey, path)
	return v, err
}

// Load reads the key from CARECIRCLE_KEY (base64) when set, otherwise from
// path; when neither exists it creates path with a new random key and 0600
// permissions. created reports whether a new key was written. Callers that
// open a database holding data use LoadExisting instead.
func Load(envKey, path string) (v *Vault, created bool, err error) {
	if envKey != "" {
		key, err := base64.StdEncoding.DecodeString(strings.TrimSpace(envKey))
		if err != nil {
			return nil, false, fmt.Errorf("vault: CARECIRCLE_KEY is not base64: %w", err)
		}
		v, err := New(key)
		return v, false, err
	}
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		key := make([]byte, 32)
		if _, err := rand.Read(key); err != nil {
			return nil, false, err
		}
		enc := base64.StdEncoding.EncodeToString(key) + "\n"
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			return nil, false, fmt.Errorf("vault: create key file: %w", err)
		}
		if _, err := f.WriteString(enc); err != nil {
			f.Close()
			return nil, false, err
		}
		if err := f.Sync(); err != nil {
			f.Close()
			return nil, false, err
		}
		if err := f.Close(); err != nil {
			return nil, false, err
		}
		v, err := New(key)
		return v, true, err
	}
	if err != nil {
		return nil, false, fmt.Errorf("vault: read key file: %w", err)
	}
	key, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(data)))
	if err != nil {
		return nil, false, fmt.Errorf("vault: key file %s is not base64: %w", path, err)
	}
	v, err = New(key)
	return v, false, err
}

// MAC is a keyed hash for one purpose (the service-record chain, signed card
// codes). Without the data key nobody can compute a valid one, so history
// rewritten in the database behind the application's back is detectable.
func (v *Vault) MAC(purpose string, parts ...string) string {
	key, ok := v.purposes.Load(purpose)
	if !ok {
		key, _ = v.purposes.LoadOrStore(purpose, derive(v.hashKey, purpose))
	}
	m := hmac.New(sha256.New, key.([]byte))
	for _, p := range parts {
		m.Write([]byte(p))
		m.Write([]byte{0})
	}
	return hex.EncodeToString(m.Sum(nil))
}
