package tracker_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"carecircle/internal/calendar"
	"carecircle/internal/care"
	"carecircle/internal/notify"
	"carecircle/internal/reminder"
	"carecircle/internal/store"
	"carecircle/internal/store/storetest"
	"carecircle/internal/tracker"
)

// sent is one reminder as a person's inbox got it.
type sent struct {
	day  string
	kind reminder.Kind
	to   string
	text string
}

// TestRemindersOnTheirDays runs the daily job at 09:00 on every day from
// 2026-11-29 to 2027-02-05, twice a day, and checks that each kind of
// reminder reaches the right people on its days and on no other, once.
func TestRemindersOnTheirDays(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := storetest.Seed(t, db)
		setNow := clock(db)
		nov1 := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
		account := func(name string, v *care.Volunteer) care.Actor {
			u := &care.User{Username: name, DisplayName: v.Name, Role: care.RoleVolunteer, StreetID: f.Street.ID, CommunityID: v.CommunityID, VolunteerID: v.ID}
			must(t, db.CreateUser(ctx, f.Admin, u, storetest.Password))
			return care.Actor{UserID: u.ID, Username: name, Role: care.RoleVolunteer, StreetID: f.Street.ID, CommunityID: v.CommunityID, VolunteerID: v.ID}
		}
		// The committee stands behind elder 1 (no account of its own: the
		// community's staff are told); volunteer 2 (social) visits elder 3.
		committee := care.Volunteer{Name: "何主任", Phone: "13700000009", Kind: "committee", CommunityID: f.C1.ID, Capacity: 20}
		must(t, db.CreateVolunteer(ctx, f.Comm1, &committee))
		must(t, db.CreatePairing(ctx, f.Comm1, &store.Pairing{ElderID: f.Elder1.ID, VolunteerID: committee.ID, StartedOn: nov1}))
		account("v2", &f.Vol2)
		must(t, db.CreatePairing(ctx, f.Comm2, &store.Pairing{ElderID: f.Elder3.ID, VolunteerID: f.Vol2.ID, StartedOn: nov1}))
		// Elder 4 keeps a lunar birthday that falls on 2026-12-20 this year;
		// volunteer 3 (social) visits her.
		cal, _ := calendar.New(db.Loc, nil)
		target := calendar.NewDate(2026, 12, 20)
		l, err := cal.LunarOf(target)
		must(t, err)
		born, err := cal.SolarOf(calendar.LunarDate{Year: 1945, Month: l.Month, Day: l.Day})
		must(t, err)
		elder4 := storetest.NewElder("孙桂芳", f.C2.ID, born.String(), care.Female, 4)
		elder4.LunarBirthday = true
		must(t, db.CreateElder(ctx, f.Comm2, &elder4))
		vol3 := care.Volunteer{Name: "周敏", Phone: "13700000003", Kind: "social", CommunityID: f.C2.ID, Capacity: 2}
		must(t, db.CreateVolunteer(ctx, f.Comm2, &vol3))
		account("v3", &vol3)
		must(t, db.CreatePairing(ctx, f.Comm2, &store.Pairing{ElderID: elder4.ID, VolunteerID: vol3.ID, StartedOn: nov1}))
		// A neighbour of elder 3 stopped on 11-25 and nobody has followed.
		vol4 := care.Volunteer{Name: "吴刚", Phone: "13700000004", Kind: "neighbour", CommunityID: f.C2.ID, Capacity: 2}
		must(t, db.CreateVolunteer(ctx, f.Comm2, &vol4))
		leaving := store.Pairing{ElderID: f.Elder3.ID, VolunteerID: vol4.ID, StartedOn: nov1}
		must(t, db.CreatePairing(ctx, f.Comm2, &leaving))
		if _, err := db.EndPairing(ctx, f.Comm2, leaving.ID, store.Ending{On: time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC), Reason: "搬家"}); err != nil {
			t.Fatal(err)
		}
		// The station words the weekly chats its own way.
		if _, err := db.SaveReminderTemplate(ctx, f.Station, reminder.WeeklyChat, "{elder}本周还差{count}次聊天，{date}前完成"); err != nil {
			t.Fatal(err)
		}

		tr, err := tracker.New(db, tracker.DefaultConfig())
		must(t, err)
		users := map[int64]string{f.Station.UserID: "station", f.Comm1.UserID: "c1", f.Comm2.UserID: "c2", f.Volunteer.UserID: "v1", f.ClinicA.UserID: "clinic"}
		us, err := db.Users(ctx, f.Admin)
		must(t, err)
		for _, u := range us {
			users[u.ID] = u.Username
		}
		var got []sent
		seen := map[string]bool{}
		for d := time.Date(2026, 11, 29, 9, 0, 0, 0, db.Loc); d.Before(time.Date(2027, 2, 6, 0, 0, 0, 0, db.Loc)); d = d.AddDate(0, 0, 1) {
			setNow(d)
			n, err := tr.SendDueReminders(ctx, d)
			must(t, err)
			setNow(d.Add(3 * time.Hour))
			if again, err := tr.SendDueReminders(ctx, d.Add(3*time.Hour)); err != nil || again != 0 {
				t.Fatalf("%s: run again the same day: %d new, %v", d.Format(time.DateOnly), again, err)
			}
			msgs, err := db.SentReminders(ctx, d.Add(-time.Minute))
			must(t, err)
			fresh := 0
			for _, m := range msgs {
				if m.Channel != notify.ChannelInbox || seen[m.ID] {
					continue
				}
				seen[m.ID] = true
				fresh++
				got = append(got, sent{day: d.Format(time.DateOnly), kind: kindOf(m.Subject), to: users[m.To.UserID], text: m.Text})
			}
			if fresh < n {
				t.Fatalf("%s: %d reminders but %d inbox messages", d.Format(time.DateOnly), n, fresh)
			}
			// What people did that day, after the 09:00 run.
			switch d.Format(time.DateOnly) {
			case "2026-12-01": // one of the week's two chats
				record(t, db, f.Volunteer, care.ServiceRecord{ElderID: f.Elder1.ID, Kind: "spirit", Type: "chat", At: d.Add(time.Hour)})
			case "2026-12-20": // the clinic's call for the second half of December
				record(t, db, f.ClinicA, care.ServiceRecord{ElderID: f.Elder1.ID, Kind: "health", Type: "health_inquiry", At: d.Add(time.Hour)})
			}
		}
		days := func(kind reminder.Kind, to string) string {
			var out []string
			for _, s := range got {
				if s.kind == kind && s.to == to {
					out = append(out, s.day[5:])
				}
			}
			return strings.Join(out, " ")
		}
		text := func(kind reminder.Kind, to, day string) string {
			for _, s := range got {
				if s.kind == kind && s.to == to && s.day == day {
					return s.text
				}
			}
			return ""
		}
		for _, tc := range []struct {
			kind reminder.Kind
			to   string
			days string
		}{
			{reminder.UnsignedCards, "station", "12-01 01-01 02-01"},
			{reminder.WaitingSuccessor, "c2", "12-03 12-10 12-17 12-24 12-31 01-07 01-14 01-21 01-28 02-04"},
			{reminder.WeeklyChat, "v1", "12-04 12-11 12-18 12-25 01-01 01-08 01-15 01-22 01-29 02-05"},
			{reminder.ClinicCall, "clinic", "12-12 01-12 01-28"}, // 12-28 is not due: called on 12-20
			{reminder.ClinicCheckup, "clinic", "12-17"},
			{reminder.BirthdayVisit, "v3", "12-17"}, // lunar, 3 days before 12-20
			{reminder.BirthdayVisit, "c1", ""},      // birthdays are not the committee's by default
			{reminder.FestivalVisit, "v3", "02-03"}, // 春节 2027-02-06
			{reminder.FestivalVisit, "v2", "02-03"},
			{reminder.FestivalVisit, "c1", "02-03"}, // one message for the community's elders
			{reminder.FestivalVisit, "c2", "02-03"}, // the committee is in every circle
			{reminder.WeeklyChat, "v2", ""},         // a social volunteer owes no chats
		} {
			if d := days(tc.kind, tc.to); d != tc.days {
				t.Errorf("%s to %s on %q, want %q", tc.kind, tc.to, d, tc.days)
			}
		}
		for _, tc := range []struct {
			kind      reminder.Kind
			to, day   string
			want      string
			wantParts []string
		}{
			{kind: reminder.WeeklyChat, to: "v1", day: "2026-12-04", want: "王秀英本周还差1次聊天，12月6日前完成"},
			{kind: reminder.WeeklyChat, to: "v1", day: "2026-12-11", want: "王秀英本周还差2次聊天，12月13日前完成"},
			{kind: reminder.UnsignedCards, to: "station", day: "2026-12-01", want: "【关爱服务圈】2026年11月还有4张服务卡未签字确认：幸福社区2张、安康社区2张。请尽快检查签字。"},
			{kind: reminder.BirthdayVisit, to: "v3", day: "2026-12-17", wantParts: []string{"12月20日（" + reminder.LunarLabel(l.Month, l.Day, false) + "）是孙桂芳老人的生日"}},
			{kind: reminder.FestivalVisit, to: "c1", day: "2027-02-03", wantParts: []string{"2月6日是春节", "王秀英", "陈建国"}},
			{kind: reminder.FestivalVisit, to: "v2", day: "2027-02-03", want: "【关爱服务圈】2月6日是春节，请在节日前后上门看望刘淑珍老人（还有3天）。"},
			{kind: reminder.ClinicCall, to: "clinic", day: "2026-12-12", wantParts: []string{"和平社区卫生服务中心：本半月还有1位老人未做健康问询：王秀英。请在12月15日前完成。"}},
			{kind: reminder.WaitingSuccessor, to: "c2", day: "2026-12-03", wantParts: []string{"安康社区有1位老人的结对等待接替已超过7天：刘淑珍"}},
		} {
			s := text(tc.kind, tc.to, tc.day)
			if tc.want != "" && s != tc.want {
				t.Errorf("%s to %s on %s: %q, want %q", tc.kind, tc.to, tc.day, s, tc.want)
			}
			for _, p := range tc.wantParts {
				if !strings.Contains(s, p) {
					t.Errorf("%s to %s on %s: %q, want it to hold %q", tc.kind, tc.to, tc.day, s, p)
				}
			}
		}
		if t.Failed() || testing.Verbose() {
			for _, s := range got {
				t.Log(s.day, s.kind, s.to, s.text)
			}
		}
	})
}

func codeOf(err error) string {
	var ce *care.Error
	if errors.As(err, &ce) {
		return ce.Code
	}
	return ""
}

func asCareError(err error, ce **care.Error) bool { return errors.As(err, ce) }

func kindOf(subject string) reminder.Kind {
	for _, i := range reminder.Kinds {
		if subject == "关爱服务圈："+i.Label.ZH {
			return i.Kind
		}
	}
	return reminder.Kind(fmt.Sprint("?", subject))
}

// TestReminderTemplates: who may read and edit the wording, what is
// refused (naming the field), and that an edit is audited.
func TestReminderTemplates(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := storetest.Seed(t, db)
		list, err := db.GetReminderTemplates(ctx, f.Comm1)
		if err != nil || len(list) != len(reminder.Kinds) || !list[0].Default || list[0].Text != reminder.Kinds[0].Default {
			t.Fatalf("community staff read the defaults: %+v %v", list, err)
		}
		for _, a := range []care.Actor{f.Volunteer, f.ClinicA, f.Viewer, f.Admin} {
			if _, err := db.GetReminderTemplates(ctx, a); codeOf(err) != care.EForbidden {
				t.Errorf("%s reads templates: %v", a.Role, err)
			}
		}
		for _, a := range []care.Actor{f.Comm1, f.Volunteer, f.Admin} {
			if _, err := db.SaveReminderTemplate(ctx, a, reminder.WeeklyChat, "还差{count}次"); codeOf(err) != care.EForbidden {
				t.Errorf("%s edits templates: %v", a.Role, err)
			}
		}
		for _, tc := range []struct {
			kind  reminder.Kind
			text  string
			field string
		}{{reminder.WeeklyChat, " ", "text"}, {reminder.WeeklyChat, "看望{festival}", "text"}, {"nope", "x", "kind"}} {
			_, err := db.SaveReminderTemplate(ctx, f.Station, tc.kind, tc.text)
			var ce *care.Error
			if !asCareError(err, &ce) || ce.Fields[tc.field].ZH == "" {
				t.Errorf("%s %q: %v, want an error naming %s", tc.kind, tc.text, err, tc.field)
			}
		}
		tpl, err := db.SaveReminderTemplate(ctx, f.Station, reminder.WeeklyChat, "  还差{count}次：{elder}\r\n")
		if err != nil || tpl.Text != "还差{count}次：{elder}" || tpl.UpdatedBy != "station" {
			t.Fatalf("%+v %v", tpl, err)
		}
		list, _ = db.GetReminderTemplates(ctx, f.Comm2)
		i := slices.IndexFunc(list, func(x reminder.Template) bool { return x.Kind == reminder.WeeklyChat })
		if list[i].Default || list[i].Text != "还差{count}次：{elder}" || list[i].UpdatedBy != "station" {
			t.Errorf("after the edit: %+v", list[i])
		}
		entries, err := db.AuditLog(ctx, f.Admin, "reminder_template", 0, 10)
		if err != nil || len(entries) != 1 || !strings.Contains(entries[0].After, "还差{count}次") || !strings.Contains(entries[0].Before, "本周还差") {
			t.Errorf("audit: %+v %v", entries, err)
		}
	})
}

// TestReminderLoopWaitsForItsTime: the daily loop sends nothing before
// the configured time and the day's reminders once it has come; two
// servers on one database send each once.
func TestReminderLoopWaitsForItsTime(t *testing.T) {
	tracker.SetRemindCheckEvery(5 * time.Millisecond)
	defer tracker.SetRemindCheckEvery(30 * time.Second)
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := storetest.Seed(t, db)
		setNow := clock(db)
		setNow(time.Date(2026, 12, 1, 8, 59, 0, 0, db.Loc)) // November's cards are unsigned
		for range 2 {
			tr := start(t, db)
			tr.StartReminders(t.Context(), 9*time.Hour)
		}
		time.Sleep(100 * time.Millisecond)
		if items, _, err := db.Inbox(ctx, f.Station, 10); err != nil || len(items) != 0 {
			t.Fatalf("before 09:00: %d %v", len(items), err)
		}
		setNow(time.Date(2026, 12, 1, 9, 0, 0, 0, db.Loc))
		deadline := time.Now().Add(10 * time.Second)
		for {
			items, _, err := db.Inbox(ctx, f.Station, 10)
			must(t, err)
			if len(items) == 1 && strings.Contains(items[0].Text, "2026年11月还有3张服务卡未签字确认") {
				break
			}
			if time.Now().After(deadline) || len(items) > 1 {
				t.Fatalf("at 09:00: %+v", items)
			}
			time.Sleep(10 * time.Millisecond)
		}
		time.Sleep(50 * time.Millisecond)
		if items, _, _ := db.Inbox(ctx, f.Station, 10); len(items) != 1 {
			t.Fatalf("sent once: %+v", items)
		}
	})
}
