package demo

import (
	"time"

	"carecircle/internal/care"
	"carecircle/internal/store"
)

// cases gives the street an open legal case and an emergency that was
// handled, as community staff would see them.
func (h *historian) cases() error {
	f := h.f
	var withTeam []*elder
	for _, e := range f.eldersByComm[0] {
		if e.status() == "active" && len(e.team) > 0 && e.team[0] != f.v1 {
			withTeam = append(withTeam, e)
		}
	}
	if len(withTeam) < 2 {
		return nil
	}
	complainant, fallen := withTeam[len(withTeam)/3], withTeam[len(withTeam)/2]
	legal := &care.ServiceRecord{ElderID: complainant.ID, Kind: "legal", Type: "complaint", At: h.at(h.now.AddDate(0, 0, -9), 9, 11),
		Note: "反映楼上住户装修噪音扰民、多次协商无果，请求协调"}
	if err := f.addMade(h.volunteerActor(complainant.team[0]), legal, store.Proof{Method: "none"}); err != nil {
		return err
	}
	sos := &care.ServiceRecord{ElderID: fallen.ID, Kind: "emergency", Type: "emergency_help", At: h.at(h.now.AddDate(0, 0, -20), 7, 9),
		Note: "敲门未应，从窗口看到老人摔倒在地，已拨打120并通知子女"}
	if err := f.addMade(h.volunteerActor(fallen.team[0]), sos, store.Proof{Method: "none"}); err != nil {
		return err
	}
	staff := h.communityActor(complainant)
	open, err := f.db.Cases(f.ctx, staff, true)
	if err != nil {
		return err
	}
	for _, c := range open {
		switch c.Kind {
		case "legal":
			if err := f.db.UpdateCase(f.ctx, staff, c.ID, "referred", "街道司法所", "已转交街道司法所人民调解员，约定下周上门调解"); err != nil {
				return err
			}
		case "emergency":
			if err := f.db.UpdateCase(f.ctx, staff, c.ID, "resolved", "", "老人已送医，髋部轻微骨折，出院后增加每日问候频次"); err != nil {
				return err
			}
		}
	}
	return nil
}

// inspections signs the month before last for the whole street (most cards
// pass, those with many unverified visits need improvement), corrects one
// record of that signed month with an amendment, and signs last month's
// clean cards of the first community, so the inspection page shows progress.
func (h *historian) inspections() error {
	f := h.f
	month := time.Date(h.now.Year(), h.now.Month(), 1, 0, 0, 0, 0, f.db.Loc)
	signed := month.AddDate(0, -2, 0).Format("2006-01")
	last := month.AddDate(0, -1, 0).Format("2006-01")
	rows, err := f.db.Inspection(f.ctx, f.station, signed, 0)
	if err != nil {
		return err
	}
	var amended bool
	for _, r := range rows {
		fl := r.Flags()
		result, comment := "pass", "服务记录完整"
		switch {
		case fl.Missing:
			continue
		case r.Unverified > r.Services/4:
			result, comment = "needs_improvement", "未核验记录偏多，请志愿者上门时扫码或开启定位"
		}
		if _, err := f.db.SignCard(f.ctx, f.station, r.ElderID, signed, result, comment); err != nil {
			return err
		}
		if !amended && r.Services > 10 {
			if err := h.amendOne(r.ElderID, signed); err != nil {
				return err
			}
			amended = true
		}
	}
	lastRows, err := f.db.Inspection(f.ctx, f.station, last, f.comms[0].ID)
	if err != nil {
		return err
	}
	var clean []int64
	for i, r := range lastRows {
		if r.Flags().Clean() && i%2 == 0 {
			clean = append(clean, r.ElderID)
		}
	}
	_, err = f.db.SignCleanCards(f.ctx, f.station, clean, last, "")
	return err
}

// amendOne corrects a greeting of a signed month: the volunteer wrote the
// wrong time on the paper card.
func (h *historian) amendOne(elderID int64, month string) error {
	c, err := h.f.db.GetCard(h.f.ctx, h.f.station, elderID, month)
	if err != nil || len(c.Entries) == 0 {
		return err
	}
	orig := c.Entries[len(c.Entries)/2]
	fixed := orig.At.Add(-2 * time.Hour).In(h.f.db.Loc).Format(time.RFC3339)
	_, err = h.f.db.AddAmendment(h.f.ctx, h.communityActor(h.elderByID(elderID)), orig.ID, "志愿者反映服务时间记错，实为上午",
		map[string]any{"at": fixed})
	return err
}

func (h *historian) elderByID(id int64) *elder {
	for _, list := range h.f.eldersByComm {
		for _, e := range list {
			if e.ID == id {
				return e
			}
		}
	}
	return nil
}
