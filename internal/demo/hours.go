package demo

import (
	"carecircle/internal/hours"
)

// timeBank records the demo street's first time bank donations (时间银行,
// README "服务时长 / Hours ledger and time bank"), asked on paper and
// entered by the station: the volunteer1 neighbour gives two hours to the
// next neighbour of their community, and that neighbour stores one hour
// for the future care of the first elder of their care team. Every other
// entry of the ledger is the demo's service history itself: each record
// credits its volunteer as it is written.
func (f *filler) timeBank() error {
	if f.v1 == nil {
		return nil
	}
	var next *volunteer
	for _, v := range f.vols {
		if v != f.v1 && v.comm == f.v1.comm && v.Kind == "neighbour" && len(f.teamOf(v)) > 0 {
			next = v
			break
		}
	}
	if next == nil {
		return nil
	}
	if _, err := f.db.DonateHours(f.ctx, f.station, hours.Donation{From: f.v1.ID, To: hours.Account{VolunteerID: next.ID},
		Minutes: 120, Note: "邻里互助，赠予同楼志愿者"}); err != nil {
		return err
	}
	_, err := f.db.DonateHours(f.ctx, f.station, hours.Donation{From: next.ID, To: hours.Account{ElderID: f.teamOf(next)[0].ID},
		Minutes: 60, Note: "存入结对老人的将来照护"})
	return err
}

// teamOf lists the elders a demo volunteer is paired with, in registration order.
func (f *filler) teamOf(v *volunteer) []*elder {
	var out []*elder
	for _, list := range f.eldersByComm {
		for _, e := range list {
			for _, m := range e.team {
				if m == v {
					out = append(out, e)
				}
			}
		}
	}
	return out
}
