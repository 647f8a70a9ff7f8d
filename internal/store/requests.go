package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"carecircle/internal/care"
	"carecircle/internal/notify"
	"carecircle/internal/request"
)

// Requests for help (按需服务, issue 16 point 1; README "按需服务
// (requests)"). Community staff record a request (from a phone call, or the
// family through them), or the elder's volunteer does; the community
// dispatches it to a volunteer, who accepts or declines on the phone; done
// links it to the service record that fulfilled it. A request is never
// deleted: every status change is a request_events row and an audit entry
// of the same transaction. The rules (what a request must say, which
// changes are allowed, when it is overdue, how volunteers are ranked) are
// in internal/request.

// Request is a request for help as its readers see it.
type Request struct {
	ID            int64
	CommunityID   int64
	CommunityName string
	ElderID       int64
	ElderName     string
	ElderAddress  string
	ElderPhone    string
	Kind          string
	Type          string
	Urgency       string
	WantedBy      time.Time
	Note          string
	Channel       string
	Status        string
	AssigneeID    int64 // 0 when nobody has it
	AssigneeName  string
	DispatchedAt  time.Time // zero until dispatched
	AcceptedAt    time.Time
	DoneAt        time.Time
	ServiceID     int64 // the fulfilling service record once done
	Escalated     string
	CreatedAt     time.Time
	CreatedBy     string
	// Overdue is request.Overdue at the time it was read: "", "not_accepted"
	// or "not_done" (shown as 超时).
	Overdue string
	Events  []RequestEvent // GetRequest only, oldest first
}

// RequestEvent is one line of a request's history.
type RequestEvent struct {
	ID            int64
	Status        string // a status, or "overdue" when the pass escalated it
	VolunteerID   int64
	VolunteerName string
	Reason        string
	At            time.Time
	Actor         string
}

// RequestFilter selects requests; zero values do not filter. Status may
// also be "overdue" (any request overdue now) or "active" (not done nor
// cancelled).
type RequestFilter struct {
	Status      string
	CommunityID int64
	ElderID     int64
	Limit       int
}

// RequestCandidate is a volunteer suggested for a request, with why.
type RequestCandidate struct {
	VolunteerID int64
	Name        string
	Kind        string // the volunteer's kind (neighbour, social, ...)
	InCircle    bool
	Metres      float64 // <0 when unknown
	Skills      []string
	Fits        []string // the skills that suit the request's kind
	Load        int      // requests dispatched to or accepted by them, not done
	Declined    bool     // declined this request before
}

var (
	msgRequestElderGone = care.Msg{ZH: "老人已迁出或去世，不能登记求助", EN: "the elder has moved away or died"}
	msgWantedPast       = care.Msg{ZH: "需要时间不能早于现在", EN: "the wanted time cannot be in the past"}
	msgVolunteerChannel = care.Msg{ZH: "志愿者登记的求助，渠道为“结对志愿者”", EN: "a request recorded by a volunteer comes through the volunteer"}
	msgNotCandidate     = care.Msg{ZH: "该志愿者不在本社区，也不在老人的服务圈中", EN: "this volunteer is neither of the community nor in the elder's circle"}
	msgVolunteerInact   = care.Msg{ZH: "该志愿者当前不在岗（暂停或已退出）", EN: "this volunteer is not active"}
	msgAlreadyAssigned  = care.Msg{ZH: "已派给这位志愿者，等待其接单", EN: "already dispatched to this volunteer"}
	msgRecordUnknown    = care.Msg{ZH: "服务记录不存在", EN: "no such service record"}
	msgRecordOtherElder = care.Msg{ZH: "服务记录不是这位老人的", EN: "the service record is of another elder"}
	msgRecordNotYours   = care.Msg{ZH: "须为你本人记录的服务", EN: "it must be a service you recorded"}
	msgRecordBefore     = care.Msg{ZH: "服务记录早于求助登记，不能作为完成", EN: "the service was before the request was made"}
	msgRecordTaken      = care.Msg{ZH: "该服务记录已用于另一条求助", EN: "this service record completes another request"}
)

// statusMsg says a request's status does not allow the change.
func statusMsg(status string) care.FieldErrors {
	l := request.Label(request.Statuses, status)
	return care.FieldErrors{"status": {ZH: "该求助当前为“" + l.ZH + "”，不能进行此操作", EN: "the request is " + l.EN + "; this is not possible now"}}
}

// requestScope limits requests (alias r, its elder e): the station its
// street, community staff their community, a volunteer those assigned to
// them and those of the elders of their circle. Other roles are refused.
func requestScope(a care.Actor) (string, []any, error) {
	switch a.Role {
	case care.RoleStation:
		return "e.street_id = ?", []any{a.StreetID}, nil
	case care.RoleCommunity:
		return "r.community_id = ?", []any{a.CommunityID}, nil
	case care.RoleVolunteer:
		return "(r.assignee_id = ? OR r.elder_id IN (SELECT elder_id FROM pairings WHERE volunteer_id = ? AND ended_on IS NULL))",
			[]any{a.VolunteerID, a.VolunteerID}, nil
	}
	return "", nil, care.ErrForbidden()
}

const requestColumns = `r.id, r.community_id, c.name, r.elder_id, e.name, e.building, e.unit, e.room, e.phone, r.kind, r.type, r.urgency,
 r.wanted_by, r.note, r.channel, r.status, COALESCE(r.assignee_id, 0), COALESCE(v.name, ''), COALESCE(r.dispatched_at, ''),
 COALESCE(r.accepted_at, ''), COALESCE(r.done_at, ''), COALESCE(r.service_id, 0), r.escalated, r.created_at, r.created_by`

const requestFrom = ` FROM requests r JOIN elders e ON e.id = r.elder_id JOIN communities c ON c.id = r.community_id
 LEFT JOIN volunteers v ON v.id = r.assignee_id`

func (db *DB) queryRequests(ctx context.Context, q queryer, where string, args []any, limit int) ([]Request, error) {
	query := `SELECT ` + requestColumns + requestFrom + ` WHERE ` + where + ` ORDER BY r.id DESC`
	if limit > 0 {
		query += " LIMIT " + strconv.Itoa(limit)
	}
	rows, err := q.QueryContext(ctx, db.q(query), args...)
	if err != nil {
		return nil, fmt.Errorf("requests: %w", err)
	}
	defer rows.Close()
	now := db.Now()
	var out []Request
	for rows.Next() {
		var r Request
		var building, unit, room, wanted, dispatched, accepted, done, created string
		if err := rows.Scan(&r.ID, &r.CommunityID, &r.CommunityName, &r.ElderID, &r.ElderName, &building, &unit, &room, &r.ElderPhone,
			&r.Kind, &r.Type, &r.Urgency, &wanted, &r.Note, &r.Channel, &r.Status, &r.AssigneeID, &r.AssigneeName, &dispatched,
			&accepted, &done, &r.ServiceID, &r.Escalated, &created, &r.CreatedBy); err != nil {
			return nil, err
		}
		r.ElderAddress = strings.Join(nonEmpty(r.CommunityName, strings.Join(nonEmpty(building, unit, room), "-")), " ")
		r.WantedBy, r.DispatchedAt, r.AcceptedAt = parseStamp(wanted), parseStamp(dispatched), parseStamp(accepted)
		r.DoneAt, r.CreatedAt = parseStamp(done), parseStamp(created)
		r.Overdue = request.Overdue(r.rule(), now)
		out = append(out, r)
	}
	return out, rows.Err()
}

// rule is the request as internal/request sees it.
func (r *Request) rule() *request.Request {
	return &request.Request{ID: strconv.FormatInt(r.ID, 10), Elder: strconv.FormatInt(r.ElderID, 10), Kind: r.Kind, Type: r.Type,
		Urgency: r.Urgency, WantedBy: r.WantedBy, Note: r.Note, Channel: r.Channel, Status: r.Status,
		Assignee: strconv.FormatInt(r.AssigneeID, 10), Dispatched: r.DispatchedAt, ServiceID: strconv.FormatInt(r.ServiceID, 10),
		Created: r.CreatedAt}
}

// Requests lists the requests the actor may see, newest first.
func (db *DB) Requests(ctx context.Context, a care.Actor, f RequestFilter) ([]Request, error) {
	scope, args, err := requestScope(a)
	if err != nil {
		return nil, err
	}
	switch {
	case f.Status == "" || f.Status == "overdue":
	case f.Status == "active":
		scope += " AND r.status NOT IN ('done', 'cancelled')"
	case slices.ContainsFunc(request.Statuses, func(c care.Choice) bool { return c.Code == f.Status }):
		scope, args = scope+" AND r.status = ?", append(args, f.Status)
	default:
		return nil, care.FieldErrors{"status": care.MsgBadChoice}.Err()
	}
	if f.Status == "overdue" {
		scope += " AND r.status NOT IN ('done', 'cancelled')"
	}
	if f.CommunityID > 0 {
		scope, args = scope+" AND r.community_id = ?", append(args, f.CommunityID)
	}
	if f.ElderID > 0 {
		scope, args = scope+" AND r.elder_id = ?", append(args, f.ElderID)
	}
	limit := f.Limit
	if limit <= 0 || limit > 500 {
		limit = 200
	}
	if f.Status == "overdue" {
		limit = 0
	}
	out, err := db.queryRequests(ctx, db.read, scope, args, limit)
	if err != nil || f.Status != "overdue" {
		return out, err
	}
	over := out[:0]
	for _, r := range out {
		if r.Overdue != "" {
			over = append(over, r)
		}
	}
	return over, nil
}

// GetRequest returns a request the actor may see, with its history.
func (db *DB) GetRequest(ctx context.Context, a care.Actor, id int64) (*Request, error) {
	r, err := db.getRequest(ctx, db.read, a, id)
	if err != nil {
		return nil, err
	}
	rows, err := db.read.QueryContext(ctx, db.q(`SELECT x.id, x.status, COALESCE(x.volunteer_id, 0), COALESCE(v.name, ''), x.reason, x.at, x.actor
 FROM request_events x LEFT JOIN volunteers v ON v.id = x.volunteer_id WHERE x.request_id = ? ORDER BY x.id`), id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var ev RequestEvent
		var at string
		if err := rows.Scan(&ev.ID, &ev.Status, &ev.VolunteerID, &ev.VolunteerName, &ev.Reason, &at, &ev.Actor); err != nil {
			return nil, err
		}
		ev.At = parseStamp(at)
		r.Events = append(r.Events, ev)
	}
	return r, rows.Err()
}

func (db *DB) getRequest(ctx context.Context, q queryer, a care.Actor, id int64) (*Request, error) {
	scope, args, err := requestScope(a)
	if err != nil {
		return nil, err
	}
	rs, err := db.queryRequests(ctx, q, "r.id = ? AND "+scope, append([]any{id}, args...), 0)
	if err != nil {
		return nil, err
	}
	if len(rs) == 0 {
		return nil, care.ErrNotFound("求助 / request")
	}
	return &rs[0], nil
}

// lockedRequest reads a request the actor may see inside tx, its row
// locked on PostgreSQL so that two changes of it take turns.
func (db *DB) lockedRequest(ctx context.Context, tx *sql.Tx, a care.Actor, id int64) (*Request, error) {
	if _, err := db.getRequest(ctx, tx, a, id); err != nil {
		return nil, err
	}
	if err := db.lockRow(ctx, tx, "requests", id); err != nil {
		return nil, err
	}
	return db.getRequest(ctx, tx, a, id) // as it is now that it is ours
}

// requestEvent writes a line of a request's history.
func (db *DB) requestEvent(ctx context.Context, tx *sql.Tx, id int64, status string, volunteer int64, reason, actor string) error {
	_, err := tx.ExecContext(ctx, db.q(`INSERT INTO request_events (request_id, status, volunteer_id, reason, at, actor) VALUES (?,?,?,?,?,?)`),
		id, status, nullID(volunteer), reason, db.now(), actor)
	return err
}

// CreateRequest records a request for help: community staff (or the
// station) for an elder of theirs, by any channel; the elder's volunteer
// for an elder of their circle (channel "volunteer"). r.ID, CreatedAt and
// Status are set on success.
func (db *DB) CreateRequest(ctx context.Context, a care.Actor, r *Request) error {
	if !a.EditsRegistry() && a.Role != care.RoleVolunteer {
		return care.ErrForbidden()
	}
	r.Note = strings.TrimSpace(r.Note)
	if a.Role == care.RoleVolunteer && r.Channel == "" {
		r.Channel = "volunteer"
	}
	if r.Urgency == "" {
		r.Urgency = "normal"
	}
	rule := &request.Request{Kind: r.Kind, Type: r.Type, Urgency: r.Urgency, WantedBy: r.WantedBy, Note: r.Note, Channel: r.Channel}
	if r.ElderID > 0 {
		rule.Elder = strconv.FormatInt(r.ElderID, 10)
	}
	f := request.Validate(rule)
	if a.Role == care.RoleVolunteer && r.Channel != "volunteer" && f["channel"] == (care.Msg{}) {
		f.Add("channel", msgVolunteerChannel)
	}
	now := db.Now()
	if !r.WantedBy.IsZero() && r.WantedBy.Before(now.Add(-10*time.Minute)) {
		f.Add("wanted_by", msgWantedPast)
	}
	return db.tx(ctx, func(tx *sql.Tx) error {
		if r.ElderID > 0 {
			e, err := db.getElder(ctx, tx, a, r.ElderID)
			switch {
			case care.ErrorCode(err) == care.ENotFound:
				f.Add("elder_id", msgElderUnknown)
			case err != nil:
				return err
			case e.Status == "moved" || e.Status == "deceased":
				f.Add("elder_id", msgRequestElderGone)
			default:
				r.CommunityID = e.CommunityID
			}
		}
		if err := f.Err(); err != nil {
			return err
		}
		r.Status, r.CreatedAt, r.CreatedBy = request.Open, now, a.Username
		if err := tx.QueryRowContext(ctx, db.q(`INSERT INTO requests (community_id, elder_id, kind, type, urgency, wanted_by, note, channel,
 status, created_at, created_by) VALUES (?,?,?,?,?,?,?,?,?,?,?) RETURNING id`), r.CommunityID, r.ElderID, r.Kind, r.Type, r.Urgency,
			stamp(r.WantedBy), r.Note, r.Channel, r.Status, stamp(now), a.Username).Scan(&r.ID); err != nil {
			return err
		}
		if err := db.requestEvent(ctx, tx, r.ID, request.Open, 0, "", a.Username); err != nil {
			return err
		}
		return db.audit(ctx, tx, a, "create", "request", r.ID, nil, map[string]any{"elder_id": r.ElderID, "kind": r.Kind, "type": r.Type,
			"urgency": r.Urgency, "wanted_by": stamp(r.WantedBy), "channel": r.Channel, "note": r.Note})
	})
}

// Dispatch gives a request to a volunteer (community staff or the
// station): one of the community's active volunteers or of the elder's
// circle. The volunteer is told in the app in the same transaction.
func (db *DB) Dispatch(ctx context.Context, a care.Actor, id, volunteerID int64) error {
	if !a.EditsRegistry() {
		return care.ErrForbidden()
	}
	return db.tx(ctx, func(tx *sql.Tx) error {
		r, err := db.lockedRequest(ctx, tx, a, id)
		if err != nil {
			return err
		}
		if !request.CanMove(r.Status, request.Dispatched) {
			return statusMsg(r.Status).Err()
		}
		f := care.FieldErrors{}
		var community int64
		var status, name string
		err = tx.QueryRowContext(ctx, db.q(`SELECT community_id, status, name FROM volunteers WHERE id = ?`), volunteerID).Scan(&community, &status, &name)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			f.Add("volunteer_id", care.Msg{ZH: "志愿者不存在", EN: "no such volunteer"})
		case err != nil:
			return err
		case r.Status == request.Dispatched && r.AssigneeID == volunteerID:
			f.Add("volunteer_id", msgAlreadyAssigned)
		case status != "active":
			f.Add("volunteer_id", msgVolunteerInact)
		case community != r.CommunityID:
			ids, err := queryIDs(ctx, tx, db.q(`SELECT id FROM pairings WHERE elder_id = ? AND volunteer_id = ? AND ended_on IS NULL`), r.ElderID, volunteerID)
			if err != nil {
				return err
			}
			if len(ids) == 0 {
				f.Add("volunteer_id", msgNotCandidate)
			}
		}
		if err := f.Err(); err != nil {
			return err
		}
		now := db.Now()
		if _, err := tx.ExecContext(ctx, db.q(`UPDATE requests SET status = ?, assignee_id = ?, dispatched_at = ?, accepted_at = NULL WHERE id = ?`),
			request.Dispatched, volunteerID, stamp(now), id); err != nil {
			return err
		}
		if err := db.requestEvent(ctx, tx, id, request.Dispatched, volunteerID, "", a.Username); err != nil {
			return err
		}
		if err := db.audit(ctx, tx, a, "dispatch", "request", id, map[string]any{"status": r.Status, "assignee_id": r.AssigneeID},
			map[string]any{"status": request.Dispatched, "assignee_id": volunteerID}); err != nil {
			return err
		}
		users, err := db.queryUsers(ctx, tx, `role = ? AND volunteer_id = ? AND disabled = ?`, care.RoleVolunteer, volunteerID, false)
		if err != nil {
			return err
		}
		text := fmt.Sprintf("新的求助派给你：%s（%s）需要%s，需要时间 %s。请在2小时内接单或婉拒。", r.ElderName, r.ElderAddress,
			requestWhat(r), r.WantedBy.In(db.Loc).Format("01-02 15:04"))
		if r.Note != "" {
			text += "说明：" + r.Note
		}
		var msgs []notify.Message
		for _, u := range users {
			msgs = append(msgs, notify.Message{ID: notify.EventID("request", id, "dispatch", stamp(now), "user", u.ID), Kind: notify.KindNotice,
				Channel: notify.ChannelInbox, To: notify.Recipient{UserID: u.ID, Name: userName(u)}, Text: text, ElderID: r.ElderID, CreatedAt: now})
		}
		return db.enqueueTx(ctx, tx, msgs...)
	})
}

func userName(u care.User) string {
	if u.DisplayName != "" {
		return u.DisplayName
	}
	return u.Username
}

// requestWhat names the help asked for: the type's label, else the kind's.
func requestWhat(r *Request) string {
	if t, ok := care.FindServiceType(r.Kind, r.Type); ok {
		return t.Label.ZH
	}
	return request.Label(care.ServiceKinds, r.Kind).ZH
}

// assigned reads a request assigned to the acting volunteer.
func (db *DB) assigned(ctx context.Context, tx *sql.Tx, a care.Actor, id int64) (*Request, error) {
	if a.Role != care.RoleVolunteer {
		return nil, care.ErrForbidden()
	}
	r, err := db.lockedRequest(ctx, tx, a, id)
	if err != nil {
		return nil, err
	}
	if r.AssigneeID != a.VolunteerID {
		return nil, care.ErrForbidden()
	}
	return r, nil
}

// AcceptRequest: the volunteer a request was dispatched to takes it.
func (db *DB) AcceptRequest(ctx context.Context, a care.Actor, id int64) error {
	return db.tx(ctx, func(tx *sql.Tx) error {
		r, err := db.assigned(ctx, tx, a, id)
		if err != nil {
			return err
		}
		if !request.CanMove(r.Status, request.Accepted) {
			return statusMsg(r.Status).Err()
		}
		if _, err := tx.ExecContext(ctx, db.q(`UPDATE requests SET status = ?, accepted_at = ? WHERE id = ?`), request.Accepted, db.now(), id); err != nil {
			return err
		}
		if err := db.requestEvent(ctx, tx, id, request.Accepted, a.VolunteerID, "", a.Username); err != nil {
			return err
		}
		return db.audit(ctx, tx, a, "accept", "request", id, map[string]any{"status": r.Status}, map[string]any{"status": request.Accepted})
	})
}

// DeclineRequest: the volunteer a request was dispatched to gives it back,
// with a reason; it goes back to the community (the staff on duty are told
// in the app) to dispatch again.
func (db *DB) DeclineRequest(ctx context.Context, a care.Actor, id int64, reason string) error {
	f := care.FieldErrors{}
	reason = trimmed(f, "reason", reason, true, 200)
	return db.tx(ctx, func(tx *sql.Tx) error {
		r, err := db.assigned(ctx, tx, a, id)
		if err != nil {
			return err
		}
		if !request.CanMove(r.Status, request.Declined) {
			return statusMsg(r.Status).Err()
		}
		if err := f.Err(); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, db.q(`UPDATE requests SET status = ?, assignee_id = NULL WHERE id = ?`), request.Declined, id); err != nil {
			return err
		}
		if err := db.requestEvent(ctx, tx, id, request.Declined, a.VolunteerID, reason, a.Username); err != nil {
			return err
		}
		if err := db.audit(ctx, tx, a, "decline", "request", id, map[string]any{"status": r.Status, "assignee_id": r.AssigneeID},
			map[string]any{"status": request.Declined, "reason": reason}); err != nil {
			return err
		}
		now := db.Now()
		staff, _, err := db.onDuty(ctx, tx, r.CommunityID, now)
		if err != nil {
			return err
		}
		text := fmt.Sprintf("%s 婉拒了 %s 的求助（%s），原因：%s。请改派其他志愿者。", r.AssigneeName, r.ElderName, requestWhat(r), reason)
		var msgs []notify.Message
		for _, u := range staff {
			msgs = append(msgs, notify.Message{ID: notify.EventID("request", id, "declined", stamp(now), "user", u.ID), Kind: notify.KindNotice,
				Channel: notify.ChannelInbox, To: notify.Recipient{UserID: u.ID, Name: userName(u)}, Text: text, ElderID: r.ElderID, CreatedAt: now})
		}
		return db.enqueueTx(ctx, tx, msgs...)
	})
}

// DoneRequest marks an accepted request done with the service record that
// fulfilled it: a record of the same elder, made no earlier than the day
// the request was made, not completing another request; the assigned
// volunteer gives one of their own records, staff any. The hours come
// from that record's credit.
func (db *DB) DoneRequest(ctx context.Context, a care.Actor, id, serviceID int64) error {
	if !a.EditsRegistry() && a.Role != care.RoleVolunteer {
		return care.ErrForbidden()
	}
	return db.tx(ctx, func(tx *sql.Tx) error {
		var r *Request
		var err error
		if a.Role == care.RoleVolunteer {
			r, err = db.assigned(ctx, tx, a, id)
		} else {
			r, err = db.lockedRequest(ctx, tx, a, id)
		}
		if err != nil {
			return err
		}
		if !request.CanMove(r.Status, request.Done) {
			return statusMsg(r.Status).Err()
		}
		f := care.FieldErrors{}
		var elder, volunteer int64
		var at string
		err = tx.QueryRowContext(ctx, db.q(`SELECT elder_id, COALESCE(volunteer_id, 0), at FROM service_records WHERE id = ? AND amends IS NULL`),
			serviceID).Scan(&elder, &volunteer, &at)
		day := r.CreatedAt.In(db.Loc)
		day = time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, db.Loc)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			f.Add("service_id", msgRecordUnknown)
		case err != nil:
			return err
		case elder != r.ElderID:
			f.Add("service_id", msgRecordOtherElder)
		case a.Role == care.RoleVolunteer && volunteer != a.VolunteerID:
			f.Add("service_id", msgRecordNotYours)
		case parseStamp(at).Before(day):
			f.Add("service_id", msgRecordBefore)
		default:
			taken, err := queryIDs(ctx, tx, db.q(`SELECT id FROM requests WHERE service_id = ? AND id <> ?`), serviceID, id)
			if err != nil {
				return err
			}
			if len(taken) > 0 {
				f.Add("service_id", msgRecordTaken)
			}
		}
		if err := f.Err(); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, db.q(`UPDATE requests SET status = ?, done_at = ?, service_id = ? WHERE id = ?`),
			request.Done, db.now(), serviceID, id); err != nil {
			return err
		}
		if err := db.requestEvent(ctx, tx, id, request.Done, r.AssigneeID, "", a.Username); err != nil {
			return err
		}
		return db.audit(ctx, tx, a, "done", "request", id, map[string]any{"status": r.Status}, map[string]any{"status": request.Done, "service_id": serviceID})
	})
}

// CancelRequest cancels a request that is not done (community staff or
// the station), with a reason.
func (db *DB) CancelRequest(ctx context.Context, a care.Actor, id int64, reason string) error {
	if !a.EditsRegistry() {
		return care.ErrForbidden()
	}
	f := care.FieldErrors{}
	reason = trimmed(f, "reason", reason, true, 200)
	return db.tx(ctx, func(tx *sql.Tx) error {
		r, err := db.lockedRequest(ctx, tx, a, id)
		if err != nil {
			return err
		}
		if !request.CanMove(r.Status, request.Cancelled) {
			return statusMsg(r.Status).Err()
		}
		if err := f.Err(); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, db.q(`UPDATE requests SET status = ? WHERE id = ?`), request.Cancelled, id); err != nil {
			return err
		}
		if err := db.requestEvent(ctx, tx, id, request.Cancelled, r.AssigneeID, reason, a.Username); err != nil {
			return err
		}
		return db.audit(ctx, tx, a, "cancel", "request", id, map[string]any{"status": r.Status}, map[string]any{"status": request.Cancelled, "reason": reason})
	})
}

// RequestCandidates suggests volunteers for a request (community staff or
// the station), best first (request.Rank): the elder's circle, then the
// community's active volunteers whose skills suit the kind, the lightest
// load, the nearest. At most limit (20 when 0).
func (db *DB) RequestCandidates(ctx context.Context, a care.Actor, id int64, limit int) ([]RequestCandidate, error) {
	if !a.EditsRegistry() {
		return nil, care.ErrForbidden()
	}
	r, err := db.getRequest(ctx, db.read, a, id)
	if err != nil {
		return nil, err
	}
	if limit <= 0 {
		limit = 20
	}
	var elat, elon sql.NullFloat64
	if err := db.read.QueryRowContext(ctx, db.q(`SELECT lat, lon FROM elders WHERE id = ?`), r.ElderID).Scan(&elat, &elon); err != nil {
		return nil, err
	}
	circle, err := queryIDs(ctx, db.read, db.q(`SELECT volunteer_id FROM pairings WHERE elder_id = ? AND ended_on IS NULL`), r.ElderID)
	if err != nil {
		return nil, err
	}
	declined, err := queryIDs(ctx, db.read, db.q(`SELECT volunteer_id FROM request_events WHERE request_id = ? AND status = ? AND volunteer_id IS NOT NULL`),
		id, request.Declined)
	if err != nil {
		return nil, err
	}
	load := map[int64]int{}
	rows, err := db.read.QueryContext(ctx, db.q(`SELECT assignee_id, COUNT(*) FROM requests WHERE assignee_id IS NOT NULL AND status IN (?, ?)
 AND community_id IN (SELECT id FROM communities WHERE street_id = (SELECT street_id FROM communities WHERE id = ?)) GROUP BY assignee_id`),
		request.Dispatched, request.Accepted, r.CommunityID)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var v int64
		var n int
		if err := rows.Scan(&v, &n); err != nil {
			rows.Close()
			return nil, err
		}
		load[v] = n
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	where, args := "v.status = 'active' AND v.community_id = ?", []any{r.CommunityID}
	if len(circle) > 0 {
		where = "v.status = 'active' AND (v.community_id = ? OR v.id IN (SELECT volunteer_id FROM pairings WHERE elder_id = ? AND ended_on IS NULL))"
		args = append(args, r.ElderID)
	}
	vrows, err := db.read.QueryContext(ctx, db.q(`SELECT `+volunteerColumns+` FROM volunteers v WHERE `+where+` ORDER BY v.id`), args...)
	if err != nil {
		return nil, err
	}
	byID := map[string]*RequestCandidate{}
	var cs []request.Candidate
	for vrows.Next() {
		v, err := scanVolunteer(vrows)
		if err != nil {
			vrows.Close()
			return nil, err
		}
		c := &RequestCandidate{VolunteerID: v.ID, Name: v.Name, Kind: v.Kind, InCircle: slices.Contains(circle, v.ID), Metres: -1,
			Skills: v.Skills, Load: load[v.ID], Declined: slices.Contains(declined, v.ID)}
		if elat.Valid && elon.Valid && v.Lat != nil && v.Lon != nil {
			c.Metres = distanceM(elat.Float64, elon.Float64, *v.Lat, *v.Lon)
		}
		for _, s := range v.Skills {
			if request.SkillFits(r.Kind, r.Type, s) {
				c.Fits = append(c.Fits, s)
			}
		}
		rc := request.Candidate{ID: fmt.Sprintf("%020d", v.ID), InCircle: c.InCircle, Metres: c.Metres, Load: c.Load}
		if len(c.Fits) > 0 {
			rc.Skills = []string{r.Kind}
		}
		byID[rc.ID] = c
		cs = append(cs, rc)
	}
	vrows.Close()
	if err := vrows.Err(); err != nil {
		return nil, err
	}
	var out []RequestCandidate
	for _, rc := range request.Rank(r.Kind, cs) {
		if len(out) == limit {
			break
		}
		out = append(out, *byID[rc.ID])
	}
	return out, nil
}

// EscalateOverdueRequests flags the requests overdue at now
// (request.Overdue: not accepted within 2 hours of being made or
// dispatched, not done by the wanted time) and tells the community's staff
// on duty, once per request and reason: each escalation is claimed by a
// conditional update of requests.escalated, and its messages are named by
// the event, so two servers running it at once tell everyone once. It
// reports how many requests it escalated.
func (db *DB) EscalateOverdueRequests(ctx context.Context, now time.Time) (int, error) {
	all, err := db.queryRequests(ctx, db.read, "r.status NOT IN ('done', 'cancelled')", nil, 0)
	if err != nil {
		return 0, err
	}
	n := 0
	for i := range all {
		r := &all[i]
		whys := []string{request.Overdue(r.rule(), now)}
		if whys[0] == "not_accepted" && now.After(r.WantedBy) {
			whys = append(whys, "not_done") // both at once: each is told
		}
		for _, why := range whys {
			if why == "" {
				continue
			}
			ok, err := db.escalateRequest(ctx, r, why, now)
			if ok {
				n++
			}
			if err != nil {
				return n, err
			}
		}
	}
	return n, nil
}

// escalateRequest escalates r for why unless it was already (by this
// server or another), reporting whether it did.
func (db *DB) escalateRequest(ctx context.Context, r *Request, why string, now time.Time) (bool, error) {
	key := why
	if why == "not_accepted" {
		since := r.CreatedAt
		if r.Status == request.Dispatched {
			since = r.DispatchedAt
		}
		key += "@" + stamp(since)
	}
	if slices.Contains(strings.Fields(r.Escalated), key) {
		return false, nil
	}
	escalated := strings.TrimSpace(r.Escalated + " " + key)
	took := false
	err := db.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, db.q(`UPDATE requests SET escalated = ? WHERE id = ? AND escalated = ?`),
			escalated, r.ID, r.Escalated)
		if err != nil {
			return err
		}
		if k, err := res.RowsAffected(); err != nil || k == 0 {
			return err // another server escalated it
		}
		if err := db.requestEvent(ctx, tx, r.ID, "overdue", r.AssigneeID, why, "system"); err != nil {
			return err
		}
		if err := db.audit(ctx, tx, care.Actor{Username: "system"}, "escalate", "request", r.ID, nil, map[string]any{"overdue": why}); err != nil {
			return err
		}
		staff, _, err := db.onDuty(ctx, tx, r.CommunityID, now)
		if err != nil {
			return err
		}
		var text string
		if why == "not_accepted" {
			who := "尚未派单"
			if r.Status == request.Dispatched {
				who = "已派给 " + r.AssigneeName + "，2小时仍未接单"
			} else if r.Status == request.Declined {
				who = "志愿者已婉拒，尚未改派"
			}
			text = fmt.Sprintf("【求助超时】%s（%s）的求助（%s，%s）%s，请尽快派单或电话联系。", r.ElderName, r.ElderAddress, requestWhat(r),
				request.Label(request.Urgencies, r.Urgency).ZH, who)
		} else {
			text = fmt.Sprintf("【求助超时】%s（%s）的求助（%s）需要时间 %s 已过，仍未完成，请跟进。", r.ElderName, r.ElderAddress, requestWhat(r),
				r.WantedBy.In(db.Loc).Format("01-02 15:04"))
		}
		base := notify.Message{ID: notify.EventID("request", r.ID, "overdue", key), Kind: notify.KindEscalation, Text: text,
			ElderID: r.ElderID, CreatedAt: now}
		msgs, err := db.messagesFor(ctx, tx, base, staff)
		if err != nil {
			return err
		}
		took = true
		return db.enqueueTx(ctx, tx, msgs...)
	})
	if err == nil {
		r.Escalated = escalated
	}
	return took && err == nil, err
}

// requestElder lets a volunteer outside the elder's circle record the
// service of a request they have accepted (按需服务: dispatched to a suitable
// volunteer nearby): the elder of an accepted request assigned to them, for
// a record of the request's kind, while it is accepted (not once done or
// cancelled). The record creates no pairing, so it counts for no circle
// member's standard. Otherwise the scoped lookup's error (notFound) stands.
func (db *DB) requestElder(ctx context.Context, q querier, a care.Actor, r *care.ServiceRecord, notFound error) (*care.Elder, error) {
	var ce *care.Error
	if !errors.As(notFound, &ce) || ce.Code != care.ENotFound {
		return nil, notFound
	}
	row := q.QueryRowContext(ctx, db.q("SELECT "+elderColumns+` FROM elders e WHERE e.id = ? AND EXISTS (SELECT 1 FROM requests rq
 WHERE rq.elder_id = e.id AND rq.assignee_id = ? AND rq.status = ? AND rq.kind = ?)`), r.ElderID, a.VolunteerID, string(request.Accepted), r.Kind)
	e, err := db.scanElder(row)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound
	}
	return e, err
}
