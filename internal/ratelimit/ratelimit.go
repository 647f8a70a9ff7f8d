// Package ratelimit slows down password guessing with growing delays per
// username and per address.
//
// A key (a username or an address) may fail a number of times freely; from
// then on each further attempt must wait a delay after the last one,
// starting at one second and doubling with every attempt, up to a cap. An
// attempt that comes too early is refused with the time left and is not
// counted, so hammering does not lengthen the wait; a successful login
// clears its username and takes one attempt back from its address. A key
// left alone for Forget starts afresh.
//
// Addresses get five times as many free failures and a delay of at most a
// minute: an office of colleagues behind one address, one of whom keeps
// mistyping (or guessing), must not lock the others out for long, while one
// address spraying many usernames is still held to one guess a minute.
//
// An attempt is counted before its password is checked, so a burst of
// concurrent guesses cannot all pass the check before any is counted. With
// a Store the counts live in the database and hold across every server.
package ratelimit

import (
	"context"
	"sync"
	"time"

	"carecircle/internal/care"
)

// Forget is how long a key must be left alone to start afresh.
const Forget = 24 * time.Hour

// FirstDelay is the first wait after the free failures; each further
// attempt doubles it.
const FirstDelay = time.Second

// Rule is the throttling of one key.
type Rule struct {
	Key      string
	Free     int           // attempts before delays start
	MaxDelay time.Duration // the longest wait
}

// Store keeps attempt counts (internal/store implements it in the database).
type Store interface {
	// LoginBegin counts an attempt on every rule's key, unless one of them
	// must still wait: then nothing is counted and it returns the longest
	// wait left.
	LoginBegin(ctx context.Context, rules []Rule, forget time.Duration) (wait time.Duration, err error)
	// LoginForgive takes an attempt back: the first rule's (the username's)
	// count is cleared, the others' lowered by one.
	LoginForgive(ctx context.Context, rules []Rule) error
}

// Limiter throttles logins.
type Limiter struct {
	free     int
	maxDelay time.Duration
	store    Store
}

// New keeps the counts in this process (commands and tests): free failures
// per username, then delays up to maxDelay.
func New(free int, maxDelay time.Duration) *Limiter {
	return NewWithStore(free, maxDelay, newMemory(time.Now))
}

// NewWithStore keeps the counts in s.
func NewWithStore(free int, maxDelay time.Duration, s Store) *Limiter {
	return &Limiter{free: max(free, 1), maxDelay: max(maxDelay, FirstDelay), store: s}
}

// Keys are the limiter's keys of a login: the username as it is looked up
// (care.NormalizeUsername) and the client's address.
func Keys(username, ip string) []string {
	return []string{"u:" + care.NormalizeUsername(username), "ip:" + ip}
}

func (l *Limiter) rules(keys []string) []Rule {
	out := make([]Rule, len(keys))
	for i, k := range keys {
		out[i] = Rule{Key: k, Free: l.free, MaxDelay: l.maxDelay}
		if i > 0 { // an address: an office shares it
			out[i] = Rule{Key: k, Free: 5 * l.free, MaxDelay: min(l.maxDelay, time.Minute)}
		}
	}
	return out
}

// Begin counts an attempt for keys (from Keys) before its password is
// checked. A refused attempt gets a care.ERateLimited error carrying the
// wait; an error of the store refuses the attempt too.
func (l *Limiter) Begin(ctx context.Context, keys []string) error {
	wait, err := l.store.LoginBegin(ctx, l.rules(keys), Forget)
	if err != nil {
		return err
	}
	if wait > 0 {
		return care.ErrRateLimited(wait)
	}
	return nil
}

// Succeeded takes back the attempt of a good login.
func (l *Limiter) Succeeded(ctx context.Context, keys []string) error {
	return l.store.LoginForgive(ctx, l.rules(keys))
}

// NextDelay is the wait after an attempt that brought a key's count to
// count, given the wait before it: none while free, then FirstDelay,
// doubling up to the rule's cap. The store computes the same in SQL.
func (r Rule) NextDelay(count int, prev time.Duration) time.Duration {
	if count < r.Free {
		return 0
	}
	return min(max(2*prev, FirstDelay), r.MaxDelay)
}

// memory is the Store of one process.
type memory struct {
	mu     sync.Mutex
	now    func() time.Time
	counts map[string]*entry
}

type entry struct {
	count int
	last  time.Time
	delay time.Duration
}

func newMemory(now func() time.Time) *memory {
	return &memory{now: now, counts: map[string]*entry{}}
}

func (m *memory) LoginBegin(_ context.Context, rules []Rule, forget time.Duration) (time.Duration, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	if len(m.counts) > 100000 { // bound memory under a flood of random usernames
		m.counts = map[string]*entry{}
	}
	var wait time.Duration
	for _, r := range rules {
		if e, ok := m.counts[r.Key]; ok && now.Sub(e.last) < forget {
			wait = max(wait, e.last.Add(e.delay).Sub(now))
		}
	}
	if wait > 0 {
		return wait, nil
	}
	for _, r := range rules {
		e, ok := m.counts[r.Key]
		if !ok || now.Sub(e.last) >= forget {
			e = &entry{}
			m.counts[r.Key] = e
		}
		e.count++
		e.last = now
		e.delay = r.NextDelay(e.count, e.delay)
	}
	return 0, nil
}

func (m *memory) LoginForgive(_ context.Context, rules []Rule) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for i, r := range rules {
		e, ok := m.counts[r.Key]
		switch {
		case !ok:
		case i == 0:
			delete(m.counts, r.Key)
		case e.count > 0:
			e.count--
			if e.count < r.Free {
				e.delay = 0
			}
		}
	}
	return nil
}
