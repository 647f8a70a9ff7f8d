package store

// SetBulkSpan makes the rebuild's read ranges n ids wide until the
// returned function restores them (tests of the range reading).
func SetBulkSpan(n int64) (restore func()) {
	old := bulkSpan
	bulkSpan = n
	return func() { bulkSpan = old }
}
