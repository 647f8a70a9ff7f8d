// Package ratelimit slows down password guessing: after a number of login
// attempts for a username or from an address without success, further
// attempts are refused for a while.
//
// An attempt is counted before its password is checked, so a burst of
// concurrent guesses cannot all pass the check before any is counted; a
// successful login takes its attempt back. With a Store the counts live in
// the database and hold across every server of a deployment.
package ratelimit

import (
	"context"
	"strings"
	"sync"
	"time"
)

// Store keeps attempt counts (internal/store implements it in the database).
type Store interface {
	// LoginHit counts one attempt for each key within window and returns
	// the highest count among them after it.
	LoginHit(ctx context.Context, keys []string, window time.Duration) (int, error)
	// LoginForgive takes an attempt back: the user key's count is cleared,
	// the others are lowered by one (an office behind one address).
	LoginForgive(ctx context.Context, userKey string, others []string) error
}

// Limiter allows max attempts without success per key within window.
type Limiter struct {
	max    int
	window time.Duration
	store  Store
}

// New keeps the counts in this process (commands and tests).
func New(max int, window time.Duration) *Limiter {
	return &Limiter{max: max, window: window, store: newMemory(time.Now)}
}

// NewWithStore keeps the counts in s.
func NewWithStore(max int, window time.Duration, s Store) *Limiter {
	return &Limiter{max: max, window: window, store: s}
}

// Keys are the limiter's keys of a login: the username as it will be
// looked up (trimmed, case folded) and the client's address.
func Keys(username, ip string) []string {
	return []string{"u:" + strings.ToLower(strings.TrimSpace(username)), "ip:" + ip}
}

// Begin counts an attempt for keys (from Keys) and reports whether it may
// go on to the password check. An error of the store refuses the attempt.
func (l *Limiter) Begin(ctx context.Context, keys []string) (bool, error) {
	n, err := l.store.LoginHit(ctx, keys, l.window)
	if err != nil {
		return false, err
	}
	return n <= l.max, nil
}

// Succeeded takes back the attempt of a good login.
func (l *Limiter) Succeeded(ctx context.Context, keys []string) error {
	return l.store.LoginForgive(ctx, keys[0], keys[1:])
}

// memory is the Store of one process.
type memory struct {
	mu     sync.Mutex
	now    func() time.Time
	counts map[string]*entry
}

type entry struct {
	count int
	since time.Time
}

func newMemory(now func() time.Time) *memory {
	return &memory{now: now, counts: map[string]*entry{}}
}

func (m *memory) LoginHit(_ context.Context, keys []string, window time.Duration) (int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	if len(m.counts) > 100000 { // bound memory under a flood of random usernames
		m.counts = map[string]*entry{}
	}
	top := 0
	for _, k := range keys {
		e, ok := m.counts[k]
		if !ok || now.Sub(e.since) > window {
			e = &entry{since: now}
			m.counts[k] = e
		}
		e.count++
		top = max(top, e.count)
	}
	return top, nil
}

func (m *memory) LoginForgive(_ context.Context, userKey string, others []string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.counts, userKey)
	for _, k := range others {
		if e, ok := m.counts[k]; ok && e.count > 0 {
			e.count--
		}
	}
	return nil
}
