package care

import "testing"

func TestEvidenceOfARecord(t *testing.T) {
	vol := int64(7)
	for _, c := range []struct {
		name string
		r    ServiceRecord
		want Evidence
	}{
		{"card", ServiceRecord{Kind: "life", Type: "greeting", VolunteerID: &vol, Method: "qr", Verified: true}, EvidenceProof},
		{"PIN", ServiceRecord{Kind: "spirit", Type: "chat", VolunteerID: &vol, Method: "pin", Verified: true}, EvidenceProof},
		{"position near", ServiceRecord{Kind: "life", Type: "greeting", VolunteerID: &vol, Method: "geo", Verified: true, VerifyDetail: "12 m"}, EvidencePosition},
		{"greeting, no proof", ServiceRecord{Kind: "life", Type: "greeting", VolunteerID: &vol, Method: "none", Source: "spot"}, EvidenceNoneGreeting},
		{"greeting, home without coordinates", ServiceRecord{Kind: "life", Type: "greeting", VolunteerID: &vol, Method: "geo", VerifyDetail: DetailNoHomeCoordinates}, EvidenceNoneGreeting},
		{"greeting, position far away", ServiceRecord{Kind: "life", Type: "greeting", VolunteerID: &vol, Method: "geo", VerifyDetail: "2400 m"}, EvidenceNone},
		{"chat, no proof", ServiceRecord{Kind: "spirit", Type: "chat", VolunteerID: &vol, Method: "none", Source: "spot"}, EvidenceNone},
		{"donation, no proof", ServiceRecord{Kind: "festival", Type: "festival_visit", VolunteerID: &vol, Method: "none", AmountCents: 20000}, EvidenceNone},
		{"copied from the paper card", ServiceRecord{Kind: "spirit", Type: "chat", VolunteerID: &vol, Method: "none", Source: "paper"}, EvidenceSource},
		{"the clinic's call", ServiceRecord{Kind: "health", Type: "health_inquiry", Method: "none", Source: "spot"}, EvidenceSource},
	} {
		if got := c.r.Evidence(); got != c.want {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
	if !EvidenceNone.Flagged() || !EvidenceNoneGreeting.Flagged() || EvidenceSource.Flagged() || EvidencePosition.Flagged() {
		t.Error("only records without proof are flagged")
	}
}
