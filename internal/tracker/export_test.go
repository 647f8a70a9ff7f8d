package tracker

import "context"

// SetHook makes every build call hook at its stages ("start", each
// "record", "built", "install"); an error fails the build there.
func SetHook(t *Tracker, hook func(ctx context.Context, stage string) error) { t.hook.Store(&hook) }
