package demo

import (
	"fmt"
	"slices"
	"strings"

	"carecircle/internal/care"
)

// usernames are the demo logins, one for every role of SPEC §1, in the
// order Fill returns them.
var usernames = []string{"admin", "station", "community1", "community2", "community3", "volunteer1", "clinic1", "viewer"}

type accountPlan struct {
	user care.User
	desc string
}

// accounts creates the demo logins, all with the same password.
func (f *filler) accounts(password string) ([]Account, error) {
	var out []Account
	for _, p := range f.accountPlans() {
		u := p.user
		if err := f.db.CreateUser(f.ctx, f.admin, &u, password); err != nil {
			return nil, fmt.Errorf("%s: %w", u.Username, err)
		}
		out = append(out, Account{Username: u.Username, Role: u.Role, Description: p.desc})
	}
	return out, nil
}

func (f *filler) accountPlans() []accountPlan {
	s := f.street
	plans := []accountPlan{
		{care.User{Username: "admin", DisplayName: "系统管理员", Role: care.RoleAdmin},
			"系统管理员：账号、街道、密钥与备份"},
		{care.User{Username: "station", DisplayName: s.Name + "志愿站", Role: care.RoleStation, StreetID: s.ID},
			s.Name + "志愿站：全街道的社区、老人、志愿者、结对与每月检查签字"},
	}
	for i, c := range f.comms {
		plans = append(plans, accountPlan{
			care.User{Username: fmt.Sprintf("community%d", i+1), DisplayName: c.plan.office, Role: care.RoleCommunity, CommunityID: c.ID},
			c.plan.office + "：只看本" + kindOf(c) + "的老人、志愿者与结对"})
	}
	k := f.clinics[0]
	var served []string
	for _, c := range f.comms {
		if slices.Contains(k.CommunityIDs, c.ID) {
			served = append(served, c.Name)
		}
	}
	plans = append(plans,
		accountPlan{care.User{Username: "volunteer1", DisplayName: f.v1.Name, Role: care.RoleVolunteer, VolunteerID: f.v1.ID},
			fmt.Sprintf("邻里志愿者%s（%s）：只看与其结对的%d位独居老人", f.v1.Name, f.v1.comm.Name, f.v1.load)},
		accountPlan{care.User{Username: "clinic1", DisplayName: k.Name, Role: care.RoleClinic, ClinicID: k.ID},
			k.Name + "：只看分配到本机构的老人（" + strings.Join(served, "、") + "）"},
		accountPlan{care.User{Username: "viewer", DisplayName: s.District + "民政局", Role: care.RoleViewer, StreetID: s.ID},
			s.District + "民政局：只看" + s.Name + "的统计汇总，不含个人信息"},
	)
	return plans
}

// kindOf says whether c is a 社区 or a 村, for the descriptions.
func kindOf(c *community) string {
	if c.plan.village {
		return "村"
	}
	return "社区"
}
