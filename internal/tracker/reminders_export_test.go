package tracker

import "time"

// SetRemindCheckEvery changes how often the reminder loop looks (tests).
func SetRemindCheckEvery(d time.Duration) { remindCheckEvery = d }
