package care

// Evidence is what stands behind a record when the station inspects a
// month. Verification (the card's code, the PIN, the phone's position) is
// how a volunteer shows a visit happened; an organisation's own record
// (the clinic's call, the committee's service) and a record copied from
// the paper card rest on who wrote them, so counting them "unverified"
// flagged every card of every month and made the flag mean nothing.
type Evidence int

const (
	// EvidenceProof: verified by the card's QR code or the elder's PIN.
	EvidenceProof Evidence = iota
	// EvidencePosition: verified by the position the phone reported.
	EvidencePosition
	// EvidenceSource: copied from the paper card by staff, or recorded by
	// the organisation that served (no volunteer): its source is its proof.
	EvidenceSource
	// EvidenceNoneGreeting: a daily greeting (敲门问候) without proof: a
	// knock at the door, the lightest claim, bulk-signable after a look at
	// the summary.
	EvidenceNoneGreeting
	// EvidenceNone: a volunteer's service without proof, or any service
	// whose reported position was too far from the home: the inspector
	// opens the card.
	EvidenceNone
)

// DetailNoHomeCoordinates is a position record's detail when the elder's
// home has no coordinates to compare with: no proof, and no sign against.
const DetailNoHomeCoordinates = "老人住址无坐标 / no coordinates for the home"

// Evidence classifies the record for inspection (see Evidence).
func (r *ServiceRecord) Evidence() Evidence {
	switch {
	case r.Verified && (r.Method == "qr" || r.Method == "pin"):
		return EvidenceProof
	case r.Verified:
		return EvidencePosition
	case r.Source == "paper" || r.VolunteerID == nil:
		return EvidenceSource
	case r.Method == "geo" && r.VerifyDetail != DetailNoHomeCoordinates:
		return EvidenceNone // the phone said it was far from the home
	case r.Kind == "life" && r.Type == "greeting":
		return EvidenceNoneGreeting
	}
	return EvidenceNone
}

// Flagged reports whether the record is flagged 未核验 on the card: a
// volunteer's claim without proof (a greeting's flag is the lighter one).
func (e Evidence) Flagged() bool { return e == EvidenceNone || e == EvidenceNoneGreeting }
