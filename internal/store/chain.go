package store

import (
	"encoding/json"
	"strconv"

	"carecircle/internal/care"
)

// chainContent is the canonical content of a record as hashed into its
// elder's chain: every stored field except the hashes themselves.
func chainContent(r *care.ServiceRecord) string {
	c := struct {
		Elder     int64          `json:"elder"`
		Seq       int64          `json:"seq"`
		Month     string         `json:"month"`
		Kind      string         `json:"kind"`
		Type      string         `json:"type"`
		At        string         `json:"at"`
		EndAt     string         `json:"end_at"`
		Volunteer int64          `json:"volunteer"`
		ServedBy  string         `json:"served_by"`
		Note      string         `json:"note"`
		Amount    int64          `json:"amount_cents"`
		Method    string         `json:"method"`
		Verified  bool           `json:"verified"`
		Detail    string         `json:"detail"`
		Source    string         `json:"source"`
		EnteredBy string         `json:"entered_by"`
		EnteredAt string         `json:"entered_at"`
		Amends    int64          `json:"amends"`
		Reason    string         `json:"amend_reason"`
		Changes   map[string]any `json:"changes"`
		// Omitted when false, so records made before the field keep their hash.
		ByCommittee bool `json:"by_committee,omitempty"`
		// Omitted when empty, for the same reason.
		HouseholdVisit string `json:"household_visit,omitempty"`
	}{ByCommittee: r.ByCommittee, HouseholdVisit: r.HouseholdVisitID, Elder: r.ElderID, Seq: r.Seq, Month: r.Month, Kind: r.Kind, Type: r.Type, At: stamp(r.At), ServedBy: r.ServedBy,
		Note: r.Note, Amount: r.AmountCents, Method: r.Method, Verified: r.Verified, Detail: r.VerifyDetail, Source: r.Source,
		EnteredBy: r.EnteredBy, EnteredAt: stamp(r.EnteredAt), Reason: r.AmendReason, Changes: r.Changes}
	if r.EndAt != nil {
		c.EndAt = stamp(*r.EndAt)
	}
	if r.VolunteerID != nil {
		c.Volunteer = *r.VolunteerID
	}
	if r.Amends != nil {
		c.Amends = *r.Amends
	}
	b, _ := json.Marshal(c) // struct fields marshal in a fixed order; map keys sorted
	return string(b)
}

// recordHash chains a record to the one before it.
func (db *DB) recordHash(prev string, r *care.ServiceRecord) string {
	return db.vault.MAC("carecircle/chain", prev, chainContent(r))
}

// signatureMAC seals a card signature together with the chain head it
// covers, so neither the signature nor the history before it can change.
func (db *DB) signatureMAC(s *CardSignature) string {
	return db.vault.MAC("carecircle/signature", strconv.FormatInt(s.ElderID, 10), s.Month, s.Result, s.Comment,
		s.SignedBy, stamp(s.SignedAt), strconv.FormatInt(s.ChainLen, 10), s.ChainHead)
}

// chainSeal seals the end of an elder's chain (its length and last hash).
func (db *DB) chainSeal(n int64, last string) string {
	return db.vault.MAC("carecircle/chain-end", strconv.FormatInt(n, 10), last)
}

// sigSeal extends the seal over an elder's signatures by one signature.
func (db *DB) sigSeal(prev string, n int64, sigMAC string) string {
	return db.vault.MAC("carecircle/signatures", prev, strconv.FormatInt(n, 10), sigMAC)
}
