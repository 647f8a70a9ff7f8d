package demo

import (
	"math/rand/v2"
	"slices"
	"time"

	"carecircle/internal/care"
	"carecircle/internal/store"
)

// committee is the community committee's part in the circle of an elder
// no committee member is paired with (issue 15 point 4): most months a
// visit the committee organises — recorded by the staff as the committee,
// or by the elder's neighbour volunteer marked 居委会组织 — and a visit at
// most festivals, sometimes with a gift. It draws from a source of its
// own, seeded by the elder, so the rest of the demo stays as it was.
func (h *historian) committee(e *elder) {
	if slices.ContainsFunc(e.team, func(v *volunteer) bool { return v.Kind == "committee" }) {
		return
	}
	rng := rand.New(rand.NewPCG(uint64(e.ID), 0x63c))
	staff := h.communityActor(e)
	var neighbour *volunteer
	for _, v := range e.team {
		if v.Kind == "neighbour" {
			neighbour = v
			break
		}
	}
	// The committee's days start with the elder's service: the first
	// member's (the record of registration is the demo's own day).
	from := h.now
	for _, j := range e.joined {
		if j.Before(from) {
			from = j
		}
	}
	for m := time.Date(h.start.Year(), h.start.Month(), 1, 0, 0, 0, 0, h.f.db.Loc); !m.After(h.now); m = m.AddDate(0, 1, 0) {
		if rng.Float64() >= 0.88 {
			continue
		}
		day := m.AddDate(0, 0, 2+rng.IntN(24))
		if day.Before(from) {
			day = from
		}
		at := day.Add(time.Duration(9*60+rng.IntN(8*60)) * time.Minute)
		r := &care.ServiceRecord{ElderID: e.ID, Kind: "spirit", Type: "chat", At: at, Note: "居委会组织上门探访，了解近况", ByCommittee: true}
		h.lasted(r, 40)
		if neighbour != nil && rng.IntN(2) == 0 {
			h.add(h.volunteerActor(neighbour), r, store.Proof{Method: "qr", Code: h.f.cardCode(e, at)})
			continue
		}
		r.Source = "spot"
		h.add(staff, r, store.Proof{Method: "none"})
	}
	for _, fd := range h.festivals {
		if fd.Before(from) || rng.Float64() >= 0.85 {
			continue
		}
		at := fd.AddDate(0, 0, rng.IntN(6)-5).Add(time.Duration(9*60+rng.IntN(8*60)) * time.Minute)
		r := &care.ServiceRecord{ElderID: e.ID, Kind: "festival", Type: "festival_visit", At: at, Note: "居委会节日慰问", Source: "spot"}
		if rng.IntN(3) == 0 {
			r.AmountCents = int64(10+rng.IntN(20)) * 1000
			r.Note = "居委会节日慰问，送慰问品和慰问金"
		}
		h.add(staff, r, store.Proof{Method: "none"})
	}
}
