package rollout

import "testing"

// TestAssess: a community's phase is the first phase whose work is open;
// the pilot ends with the approved list, whatever is left of it.
func TestAssess(t *testing.T) {
	for _, c := range []struct {
		name  string
		f     Facts
		phase string
		open  int
	}{
		{"not joined", Facts{}, PhaseNotJoined, 1},
		{"joined, nothing done", Facts{Joined: true, InService: 3}, PhaseLaunch, 5},
		{"plan, surveys under way", Facts{Joined: true, HasPlan: true, InService: 3, Surveyed: 1, PendingProposals: 1}, PhasePilot, 5},
		{"approved with one left", Facts{Joined: true, HasPlan: true, InService: 3, Surveyed: 2, Approved: true}, PhaseSupervision, 3},
		{"supervised", Facts{Joined: true, HasPlan: true, InService: 3, Surveyed: 3, Approved: true, Supervisions: 1}, PhaseExchange, 1},
		{"all done", Facts{Joined: true, HasPlan: true, InService: 3, Surveyed: 3, Approved: true, Supervisions: 2, Meetings: 1}, PhaseRegular, 0},
		{"added since approval", Facts{Joined: true, HasPlan: true, InService: 4, Surveyed: 4, Approved: true, AddedSinceApproval: 1, Supervisions: 1, Meetings: 1}, PhaseRegular, 1},
		{"plan missing but approved", Facts{Joined: true, InService: 1, Surveyed: 1, Approved: true, Supervisions: 1, Meetings: 1}, PhaseLaunch, 1},
	} {
		p := Assess(c.f)
		if p.Phase != c.phase || len(p.Outstanding) != c.open {
			t.Errorf("%s: %s with %d open %v, want %s with %d", c.name, p.Phase, len(p.Outstanding), p.Outstanding, c.phase, c.open)
		}
	}
}
