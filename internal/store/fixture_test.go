package store

import (
	"context"
	"testing"
	"time"

	"carecircle/internal/care"
)

// fixture is a small street: two communities, a clinic serving the first,
// volunteers and elders in each, and an actor for every role.
type fixture struct {
	street             care.Street
	c1, c2             care.Community
	clinic             care.Clinic
	vol1, vol2         care.Volunteer
	elder1, elder2     care.Elder // community 1; elder1 paired with vol1, both at the clinic
	elder3             care.Elder // community 2
	admin, station     care.Actor
	comm1, comm2       care.Actor
	volunteer, clinicA care.Actor
	viewer             care.Actor
}

func day(s string) time.Time {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return t
}

func newElder(name string, community int64, birth string, g care.Gender, seq int) care.Elder {
	b := day(birth)
	return care.Elder{Name: name, Gender: g, BirthDate: b, IDNumber: care.MakeIDNumber("320102", b, seq, g),
		CommunityID: community, Building: "1栋", Unit: "2单元", Room: "301", Phone: "13800000000",
		LivingSituation: "alone", SelfCare: "independent", Categories: []string{"empty_nest"}, Needs: []string{"life"},
		EmergencyContacts: []care.Contact{{Name: "张伟", Relation: "son", Phone: "13900000000", Lives: "上海"}}}
}

func seed(t *testing.T, db *DB) *fixture {
	t.Helper()
	ctx := context.Background()
	f := &fixture{admin: care.Actor{Role: care.RoleAdmin, Username: "admin"}}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	f.street = care.Street{Name: "和平街道", District: "鼓楼区", City: "南京市"}
	must(db.CreateStreet(ctx, f.admin, &f.street))
	f.station = care.Actor{Role: care.RoleStation, StreetID: f.street.ID, Username: "station"}
	f.c1 = care.Community{Name: "幸福社区", Buildings: []string{"1栋", "2栋"}}
	must(db.SaveCommunity(ctx, f.station, &f.c1))
	f.c2 = care.Community{Name: "安康社区"}
	must(db.SaveCommunity(ctx, f.station, &f.c2))
	f.clinic = care.Clinic{Name: "和平社区卫生服务中心", CommunityIDs: []int64{f.c1.ID}}
	must(db.SaveClinic(ctx, f.station, &f.clinic))
	f.comm1 = care.Actor{Role: care.RoleCommunity, StreetID: f.street.ID, CommunityID: f.c1.ID, Username: "c1"}
	f.comm2 = care.Actor{Role: care.RoleCommunity, StreetID: f.street.ID, CommunityID: f.c2.ID, Username: "c2"}
	f.vol1 = care.Volunteer{Name: "李桂兰", Phone: "13700000001", Kind: "neighbour", CommunityID: f.c1.ID, Capacity: 2}
	must(db.CreateVolunteer(ctx, f.comm1, &f.vol1))
	f.vol2 = care.Volunteer{Name: "赵强", Phone: "13700000002", Kind: "social", CommunityID: f.c2.ID, Capacity: 1}
	must(db.CreateVolunteer(ctx, f.comm2, &f.vol2))
	f.elder1 = newElder("王秀英", f.c1.ID, "1938-02-03", care.Female, 1)
	f.elder1.ClinicID = &f.clinic.ID
	must(db.CreateElder(ctx, f.comm1, &f.elder1))
	f.elder2 = newElder("陈建国", f.c1.ID, "1950-07-21", care.Male, 2)
	f.elder2.Phone = "13811112222"
	f.elder2.SelfCare = "dependent"
	must(db.CreateElder(ctx, f.comm1, &f.elder2))
	f.elder3 = newElder("刘淑珍", f.c2.ID, "1944-11-30", care.Female, 3)
	must(db.CreateElder(ctx, f.comm2, &f.elder3))
	must(db.CreatePairing(ctx, f.comm1, &Pairing{ElderID: f.elder1.ID, VolunteerID: f.vol1.ID, Responsible: true}))
	f.volunteer = care.Actor{Role: care.RoleVolunteer, StreetID: f.street.ID, CommunityID: f.c1.ID, VolunteerID: f.vol1.ID, Username: "v1"}
	f.clinicA = care.Actor{Role: care.RoleClinic, StreetID: f.street.ID, ClinicID: f.clinic.ID, Username: "clinic"}
	f.viewer = care.Actor{Role: care.RoleViewer, StreetID: f.street.ID, Username: "viewer"}
	return f
}
