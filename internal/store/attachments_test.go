package store_test

import (
	"bytes"
	"context"
	"image/jpeg"
	"os"
	"path/filepath"
	"testing"

	"carecircle/internal/activity"
	"carecircle/internal/attach"
	"carecircle/internal/attach/attachtest"
	"carecircle/internal/care"
	"carecircle/internal/store"
	"carecircle/internal/store/storetest"
	"carecircle/internal/upward"
)

var samplePDF = []byte("%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\n%%EOF\n")

// TestAttachmentsOfARolloutPlan: community staff upload their plan's
// photo and PDF; the kept JPEG has lost its EXIF GPS block and has a
// thumbnail; the content comes back byte for byte; another community, a
// volunteer and a viewer are refused as their scope says; a bad file is
// refused with its reason and changes nothing; the plan may name only its
// own community's file; a removal is a flag, audited.
func TestAttachmentsOfARolloutPlan(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := storetest.Seed(t, db)
		ctx := context.Background()
		plan1 := store.AttachmentOwner{Kind: store.OwnerRolloutPlan, ID: f.C1.ID}
		plan2 := store.AttachmentOwner{Kind: store.OwnerRolloutPlan, ID: f.C2.ID}
		photo := attachtest.JPEGWithGPS(t, 800, 400)
		if _, err := db.AddAttachment(ctx, f.Comm1, plan1, "方案.jpg", photo); !hasField(err, "owner_id") {
			t.Fatalf("before the community joined: %v", err)
		}
		for _, c := range []int64{f.C1.ID, f.C2.ID} {
			if err := db.JoinRollout(ctx, f.Station, c, storetest.Day("2026-11-01")); err != nil {
				t.Fatal(err)
			}
		}
		at, err := db.AddAttachment(ctx, f.Comm1, plan1, "DCIM/方案照片.jpg", photo)
		if err != nil {
			t.Fatal(err)
		}
		if at.ID == 0 || at.ContentType != attach.JPEG || at.Width != 800 || at.Height != 400 || !at.HasThumb ||
			at.CommunityID != f.C1.ID || at.StreetID != f.Street.ID || at.Name != "方案照片.jpg" || at.CreatedBy != "c1" {
			t.Fatalf("added: %+v", at)
		}
		got, data, err := db.AttachmentContent(ctx, f.Comm1, at.ID, false)
		if err != nil || got.Size != int64(len(data)) || attach.Sum(data) != at.SHA256 {
			t.Fatalf("content: %+v %v", got, err)
		}
		if bytes.Contains(data, []byte("Exif")) || bytes.Contains(data, attachtest.GPSMarker) {
			t.Fatal("the kept photo still carries the EXIF GPS block")
		}
		if img, err := jpeg.Decode(bytes.NewReader(data)); err != nil || img.Bounds().Dx() != 800 {
			t.Fatalf("kept photo: %v", err)
		}
		th, tdata, err := db.AttachmentContent(ctx, f.Station, at.ID, true)
		if err != nil || th.ContentType != attach.JPEG || th.Size != int64(len(tdata)) {
			t.Fatalf("thumb: %+v %v", th, err)
		}
		if cfg, err := jpeg.DecodeConfig(bytes.NewReader(tdata)); err != nil || cfg.Width != 320 || cfg.Height != 160 {
			t.Fatalf("thumb size: %+v %v", cfg, err)
		}
		pdf, err := db.AddAttachment(ctx, f.Station, plan1, "实施方案", samplePDF)
		if err != nil || pdf.ContentType != attach.PDF || pdf.HasThumb || pdf.Name != "实施方案.pdf" {
			t.Fatalf("pdf: %+v %v", pdf, err)
		}
		if _, back, err := db.AttachmentContent(ctx, f.Viewer, pdf.ID, false); err != nil || !bytes.Equal(back, samplePDF) {
			t.Fatalf("pdf round trip: %v", err)
		}
		if _, _, err := db.AttachmentContent(ctx, f.Comm1, pdf.ID, true); care.ErrorCode(err) != care.ENotFound {
			t.Fatalf("a PDF's thumbnail: %v", err)
		}

		// Scope: another community, a volunteer, a clinic, a viewer adding.
		if _, err := db.AddAttachment(ctx, f.Comm2, plan1, "x.pdf", samplePDF); care.ErrorCode(err) != care.ENotFound {
			t.Fatalf("community 2 adds to community 1's plan: %v", err)
		}
		if _, _, err := db.AttachmentContent(ctx, f.Comm2, at.ID, false); care.ErrorCode(err) != care.ENotFound {
			t.Fatalf("community 2 reads community 1's file: %v", err)
		}
		if _, err := db.Attachments(ctx, f.Comm2, plan1); care.ErrorCode(err) != care.ENotFound {
			t.Fatalf("community 2 lists community 1's files: %v", err)
		}
		for _, a := range []care.Actor{f.Volunteer, f.ClinicA, f.Admin} {
			if _, _, err := db.AttachmentContent(ctx, a, at.ID, false); care.ErrorCode(err) != care.EForbidden {
				t.Fatalf("%s reads a plan's file: %v", a.Role, err)
			}
			if _, err := db.AddAttachment(ctx, a, plan1, "x.pdf", samplePDF); care.ErrorCode(err) != care.EForbidden {
				t.Fatalf("%s adds a file: %v", a.Role, err)
			}
		}
		if _, err := db.AddAttachment(ctx, f.Viewer, plan1, "x.pdf", samplePDF); care.ErrorCode(err) != care.EForbidden {
			t.Fatalf("a viewer adds a file: %v", err)
		}
		if _, err := db.AddAttachment(ctx, f.Comm1, store.AttachmentOwner{Kind: "elder", ID: 1}, "x.pdf", samplePDF); !hasField(err, "owner_kind") {
			t.Fatalf("unknown owner kind: %v", err)
		}

		// A bad file is refused with its reason and nothing is kept.
		for _, bad := range [][]byte{nil, []byte("MZ\x90\x00\x03\x00\x00\x00"), []byte("<html><script>alert(1)</script>"), bytes.Repeat([]byte("a"), attach.MaxSize+1)} {
			if _, err := db.AddAttachment(ctx, f.Comm1, plan1, "bad.txt", bad); !hasField(err, "file") {
				t.Fatalf("bad file: %v", err)
			}
		}
		list, err := db.Attachments(ctx, f.Viewer, plan1)
		if err != nil || len(list) != 2 || list[0].ID != at.ID || list[1].ID != pdf.ID {
			t.Fatalf("list: %+v %v", list, err)
		}

		// The plan names its own community's file, not another's.
		other, err := db.AddAttachment(ctx, f.Station, plan2, "二社区.pdf", samplePDF)
		if err != nil {
			t.Fatal(err)
		}
		if other.SHA256 != pdf.SHA256 {
			t.Fatal("the same content has another sum")
		}
		if err := db.SaveRolloutPlan(ctx, f.Comm1, 0, "", other.ID); !hasField(err, "attachment_id") {
			t.Fatalf("the plan names community 2's file: %v", err)
		}
		if err := db.SaveRolloutPlan(ctx, f.Comm1, 0, "", pdf.ID); err != nil {
			t.Fatal(err)
		}
		r, err := db.GetRollout(ctx, f.Comm1)
		if err != nil || r.Communities[0].PlanAttachmentID != pdf.ID || !r.Communities[0].Facts.HasPlan {
			t.Fatalf("plan: %+v %v", r.Communities, err)
		}

		// Removal: community 2 cannot; community 1 flags it, audited.
		if err := db.RemoveAttachment(ctx, f.Comm2, at.ID); care.ErrorCode(err) != care.ENotFound {
			t.Fatalf("community 2 removes: %v", err)
		}
		if err := db.RemoveAttachment(ctx, f.Comm1, at.ID); err != nil {
			t.Fatal(err)
		}
		if _, _, err := db.AttachmentContent(ctx, f.Comm1, at.ID, false); care.ErrorCode(err) != care.ENotFound {
			t.Fatalf("a removed file is served: %v", err)
		}
		if list, _ := db.Attachments(ctx, f.Comm1, plan1); len(list) != 1 {
			t.Fatalf("after removal: %+v", list)
		}
		log, err := db.AuditLog(ctx, f.Station, "attachment", at.ID, 10)
		if err != nil || len(log) != 2 || log[0].Action != "remove" || log[1].Action != "create" || log[1].Username != "c1" {
			t.Fatalf("audit: %+v %v", log, err)
		}
	})
}

// TestAttachmentsOfAnExperienceReport: photos are uploaded for a saved
// draft and named by the report; the station reads them once it is
// submitted, not before; a submitted report takes no more files; a PDF
// or another report's picture is no photo.
func TestAttachmentsOfAnExperienceReport(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := storetest.Seed(t, db)
		ctx := context.Background()
		e := &upward.Experience{Title: "结对", Body: "每日问候。", Month: "2026-11"}
		if err := db.SaveExperience(ctx, f.Comm1, e); err != nil {
			t.Fatal(err)
		}
		e2 := &upward.Experience{Title: "另一篇", Body: "正文。", Month: "2026-11"}
		if err := db.SaveExperience(ctx, f.Comm1, e2); err != nil {
			t.Fatal(err)
		}
		owner := store.AttachmentOwner{Kind: store.OwnerExperience, ID: e.ID}
		pic, err := db.AddAttachment(ctx, f.Comm1, owner, "合影.png", attachtest.PNG(t, 40, 30))
		if err != nil || pic.ContentType != attach.PNG {
			t.Fatalf("photo: %+v %v", pic, err)
		}
		pdf, err := db.AddAttachment(ctx, f.Comm1, owner, "材料.pdf", samplePDF)
		if err != nil {
			t.Fatal(err)
		}
		otherPic, err := db.AddAttachment(ctx, f.Comm1, store.AttachmentOwner{Kind: store.OwnerExperience, ID: e2.ID}, "b.png", attachtest.PNG(t, 10, 10))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.AddAttachment(ctx, f.Comm2, owner, "x.png", attachtest.PNG(t, 10, 10)); care.ErrorCode(err) != care.ENotFound {
			t.Fatalf("community 2 adds to community 1's report: %v", err)
		}
		if _, _, err := db.AttachmentContent(ctx, f.Station, pic.ID, false); care.ErrorCode(err) != care.ENotFound {
			t.Fatalf("the station reads a draft's photo: %v", err)
		}
		for _, ids := range [][]int64{{pdf.ID}, {otherPic.ID}, {pic.ID, pic.ID}, {9999}} {
			e.PhotoIDs = ids
			if err := db.SaveExperience(ctx, f.Comm1, e); !hasField(err, "photo_ids") {
				t.Fatalf("photos %v: %v", ids, err)
			}
		}
		if err := db.SaveExperience(ctx, f.Comm1, &upward.Experience{Title: "新", Body: "新。", Month: "2026-11", PhotoIDs: []int64{pic.ID}}); !hasField(err, "photo_ids") {
			t.Fatalf("a new report names a photo: %v", err)
		}
		e.PhotoIDs = []int64{pic.ID}
		if err := db.SaveExperience(ctx, f.Comm1, e); err != nil {
			t.Fatal(err)
		}
		if _, err := db.MoveExperience(ctx, f.Comm1, e.ID, upward.Submitted, ""); err != nil {
			t.Fatal(err)
		}
		if _, err := db.AddAttachment(ctx, f.Comm1, owner, "迟到.png", attachtest.PNG(t, 10, 10)); !hasField(err, "owner_id") {
			t.Fatalf("a file added to a submitted report: %v", err)
		}
		got, err := db.Experience(ctx, f.Station, e.ID)
		if err != nil || len(got.PhotoIDs) != 1 || got.PhotoIDs[0] != pic.ID {
			t.Fatalf("report: %+v %v", got, err)
		}
		if _, data, err := db.AttachmentContent(ctx, f.Station, pic.ID, false); err != nil || attach.Sum(data) != pic.SHA256 {
			t.Fatalf("the station reads a submitted report's photo: %v", err)
		}
		for _, a := range []care.Actor{f.Viewer, f.Volunteer} {
			if _, _, err := db.AttachmentContent(ctx, a, pic.ID, false); care.ErrorCode(err) == "" {
				t.Fatalf("%s reads a report's photo", a.Role)
			}
		}
	})
}

// TestAttachmentContentSurvivesReopeningSQLite: on SQLite the content sits
// in a folder beside the database file, encrypted, and is read back after
// the store is closed and opened again.
func TestAttachmentContentSurvivesReopeningSQLite(t *testing.T) {
	path := filepath.Join(t.TempDir(), "care.db")
	db := storetest.Open(t, path)
	f := storetest.Seed(t, db)
	ctx := context.Background()
	if err := db.JoinRollout(ctx, f.Station, f.C1.ID, storetest.Day("2026-11-01")); err != nil {
		t.Fatal(err)
	}
	at, err := db.AddAttachment(ctx, f.Comm1, store.AttachmentOwner{Kind: store.OwnerRolloutPlan, ID: f.C1.ID}, "plan.pdf", samplePDF)
	if err != nil {
		t.Fatal(err)
	}
	kept, err := os.ReadFile(filepath.Join(path+".attachments", at.SHA256[:2], at.SHA256))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(kept, []byte("%PDF")) {
		t.Fatal("the kept file is not encrypted")
	}
	if st, _ := os.Stat(path + ".attachments"); st.Mode().Perm()&0o077 != 0 {
		t.Fatalf("the folder is readable by others: %v", st.Mode())
	}
	db.Close()
	db = storetest.Open(t, path)
	if _, data, err := db.AttachmentContent(ctx, f.Comm1, at.ID, false); err != nil || !bytes.Equal(data, samplePDF) {
		t.Fatalf("after reopening: %v", err)
	}
}

// TestAttachmentsSharedAcrossServers: on PostgreSQL a file uploaded
// through one server is read through another.
func TestAttachmentsSharedAcrossServers(t *testing.T) {
	dsn := storetest.FreshSchema(t, storetest.PostgresDSN(t))
	one := storetest.Open(t, dsn)
	two := storetest.Open(t, dsn)
	f := storetest.Seed(t, one)
	ctx := context.Background()
	if err := one.JoinRollout(ctx, f.Station, f.C1.ID, storetest.Day("2026-11-01")); err != nil {
		t.Fatal(err)
	}
	photo := attachtest.JPEGWithGPS(t, 64, 48)
	at, err := one.AddAttachment(ctx, f.Comm1, store.AttachmentOwner{Kind: store.OwnerRolloutPlan, ID: f.C1.ID}, "p.jpg", photo)
	if err != nil {
		t.Fatal(err)
	}
	got, data, err := two.AttachmentContent(ctx, f.Station, at.ID, false)
	if err != nil || got.Name != "p.jpg" || attach.Sum(data) != at.SHA256 {
		t.Fatalf("read on the second server: %+v %v", got, err)
	}
	if _, th, err := two.AttachmentContent(ctx, f.Station, at.ID, true); err != nil || len(th) == 0 {
		t.Fatalf("thumbnail on the second server: %v", err)
	}
}

// TestAttachmentsOfAnActivity: staff of the activity's community add its
// photos; the station adds to any of its street; a volunteer of the
// community sees them but adds none; another community's staff and
// volunteers neither see nor add.
func TestAttachmentsOfAnActivity(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := storetest.Seed(t, db)
		ctx := context.Background()
		_, id, err := db.CreateFromTemplate(ctx, f.Comm1, activity.TemplateNursingHome, f.C1.ID, storetest.Day("2026-12-05"))
		if err != nil {
			t.Fatal(err)
		}
		owner := store.AttachmentOwner{Kind: store.OwnerActivity, ID: id}
		photo, err := db.AddAttachment(ctx, f.Comm1, owner, "合影.jpg", attachtest.JPEGWithGPS(t, 400, 300))
		if err != nil || photo.CommunityID != f.C1.ID || photo.StreetID != f.Street.ID {
			t.Fatalf("community 1 adds: %+v %v", photo, err)
		}
		if _, err := db.AddAttachment(ctx, f.Station, owner, "签到表.pdf", samplePDF); err != nil {
			t.Fatalf("the station adds: %v", err)
		}
		if _, err := db.AddAttachment(ctx, f.Comm2, owner, "x.pdf", samplePDF); care.ErrorCode(err) != care.ENotFound {
			t.Fatalf("community 2 adds: %v", err)
		}
		if _, err := db.AddAttachment(ctx, f.Volunteer, owner, "x.pdf", samplePDF); care.ErrorCode(err) != care.EForbidden {
			t.Fatalf("a volunteer adds: %v", err)
		}
		if list, err := db.Attachments(ctx, f.Volunteer, owner); err != nil || len(list) != 2 || !list[0].IsImage() || list[1].IsImage() {
			t.Fatalf("the volunteer's list: %+v %v", list, err)
		}
		if _, data, err := db.AttachmentContent(ctx, f.Volunteer, photo.ID, true); err != nil || len(data) == 0 {
			t.Fatalf("the volunteer's thumbnail: %v", err)
		}
		if _, _, err := db.AttachmentContent(ctx, f.Comm2, photo.ID, false); care.ErrorCode(err) != care.ENotFound {
			t.Fatalf("community 2 reads: %v", err)
		}
		// A volunteer of community 2 does not see community 1's activity.
		v2 := care.Actor{Role: care.RoleVolunteer, Username: "v2", VolunteerID: f.Vol2.ID}
		if _, err := db.Attachments(ctx, v2, owner); care.ErrorCode(err) != care.ENotFound {
			t.Fatalf("volunteer of community 2 lists: %v", err)
		}
		if _, err := db.Attachments(ctx, f.Comm1, store.AttachmentOwner{Kind: store.OwnerActivity, ID: id + 100}); care.ErrorCode(err) != care.ENotFound {
			t.Fatalf("a missing activity: %v", err)
		}
	})
}

// TestAttachmentsInBackupAndRestore: a backup holds the files (from the
// SQLite folder or the PostgreSQL table) and a database restored from it,
// of either kind, serves them.
func TestAttachmentsInBackupAndRestore(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, src *store.DB) {
		f := storetest.Seed(t, src)
		ctx := context.Background()
		if err := src.JoinRollout(ctx, f.Station, f.C1.ID, storetest.Day("2026-11-01")); err != nil {
			t.Fatal(err)
		}
		at, err := src.AddAttachment(ctx, f.Comm1, store.AttachmentOwner{Kind: store.OwnerRolloutPlan, ID: f.C1.ID}, "p.jpg", attachtest.JPEGWithGPS(t, 400, 100))
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(t.TempDir(), "backup.db")
		if err := src.Backup(ctx, path); err != nil {
			t.Fatal(err)
		}
		storetest.ForEach(t, func(t *testing.T, dst *store.DB) {
			if err := dst.Restore(ctx, path); err != nil {
				t.Fatal(err)
			}
			if _, data, err := dst.AttachmentContent(ctx, f.Comm1, at.ID, false); err != nil || attach.Sum(data) != at.SHA256 {
				t.Fatalf("restored file: %v", err)
			}
			if _, data, err := dst.AttachmentContent(ctx, f.Station, at.ID, true); err != nil || len(data) == 0 {
				t.Fatalf("restored thumbnail: %v", err)
			}
		})
	})
}
