// Package ratelimit slows down password guessing: after a number of failed
// logins for a username or from an address, further attempts are refused for
// a while.
package ratelimit

import (
	"sync"
	"time"
)

// Limiter counts failures per key in a fixed window.
type Limiter struct {
	mu     sync.Mutex
	max    int
	window time.Duration
	now    func() time.Time
	fails  map[string]*entry
}

type entry struct {
	count int
	since time.Time
}

// New allows max failures per key within window.
func New(max int, window time.Duration) *Limiter {
	return &Limiter{max: max, window: window, now: time.Now, fails: map[string]*entry{}}
}

// Allowed reports whether every key may try again now.
func (l *Limiter) Allowed(keys ...string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	for _, k := range keys {
		if e, ok := l.fails[k]; ok {
			if now.Sub(e.since) > l.window {
				delete(l.fails, k)
				continue
			}
			if e.count >= l.max {
				return false
			}
		}
	}
	return true
}

// Fail records a failed attempt for every key.
func (l *Limiter) Fail(keys ...string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	if len(l.fails) > 100000 { // bound memory under a flood of random usernames
		l.fails = map[string]*entry{}
	}
	for _, k := range keys {
		e, ok := l.fails[k]
		if !ok || now.Sub(e.since) > l.window {
			e = &entry{since: now}
			l.fails[k] = e
		}
		e.count++
	}
}

// Succeed forgets the failures of a key after a good login.
func (l *Limiter) Succeed(key string) {
	l.mu.Lock()
	delete(l.fails, key)
	l.mu.Unlock()
}
