package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/alexedwards/argon2id"

	"carecircle/internal/care"
)

// dummyHash is compared against when a username does not exist, so a login
// takes the same time whether or not the account exists.
var dummyHash, _ = argon2id.CreateHash("carecircle-no-such-user", argon2id.DefaultParams)

// CreateUser creates an account with an argon2id password hash. Only an
// administrator may do this; the command line acts as one.
func (db *DB) CreateUser(ctx context.Context, a care.Actor, u *care.User, password string) error {
	if !a.ManagesAccounts() {
		return care.ErrForbidden()
	}
	if err := db.validateUser(ctx, u, password); err != nil {
		return err
	}
	hash, err := db.hashPassword(ctx, password)
	if err != nil {
		return err
	}
	return db.tx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, db.q(`INSERT INTO users (username, display_name, password_hash, role, street_id, community_id,
 volunteer_id, clinic_id, lang, disabled, created_at) VALUES (?,?,?,?,?,?,?,?,?,?,?) RETURNING id`),
			u.Username, u.DisplayName, hash, u.Role, nullID(u.StreetID), nullID(u.CommunityID), nullID(u.VolunteerID),
			nullID(u.ClinicID), u.Lang, false, db.now()).Scan(&u.ID)
		if care.ErrorCode(normalize(err)) == care.EConflict {
			return care.FieldErrors{"username": care.Msg{ZH: "用户名已被使用", EN: "username is taken"}}.Err()
		}
		if err != nil {
			return err
		}
		return db.audit(ctx, tx, a, "create", "user", u.ID, nil, u)
	})
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// validateUser checks the account and that it is tied to what its role needs:
// a street for station and clinic users, a community, volunteer or clinic record.
func (db *DB) validateUser(ctx context.Context, u *care.User, password string) error {
	f := care.FieldErrors{}
	u.Username = care.NormalizeUsername(u.Username)
	if u.Username == "" {
		f.Add("username", care.MsgRequired)
	} else if utf8.RuneCountInString(u.Username) > 40 || strings.ContainsAny(u.Username, " \t/") {
		f.Add("username", care.Msg{ZH: "用户名不能含空格或斜杠，最多40字", EN: "no spaces or slashes, at most 40 characters"})
	}
	if m, bad := care.PasswordProblem(u.Username, password); bad {
		f.Add("password", m)
	}
	if u.Lang == "" {
		u.Lang = "zh"
	}
	// An account's street is where its data lives. The administrator of a
	// street office who names a street and then a community (volunteer,
	// clinic) of another street has made a mistake: moving the account
	// silently to the other street would give it that street's data, so a
	// street_id that disagrees is refused, naming it; left empty, it is
	// taken from the community, volunteer or clinic.
	agree := func(field string, given, derived int64) int64 {
		if given != 0 && derived != 0 && given != derived {
			place := care.Msg{ZH: "街道", EN: "street"}
			if field == "community_id" {
				place = care.Msg{ZH: "社区", EN: "community"}
			}
			f.Add(field, care.Msg{ZH: "与所选" + tiedTo(u.Role).ZH + "所在的" + place.ZH + "不一致（可留空）",
				EN: "does not match the " + place.EN + " of the chosen " + tiedTo(u.Role).EN + " (may be left empty)"})
			return given
		}
		return derived
	}
	var need string
	switch u.Role {
	case care.RoleAdmin:
	case care.RoleViewer, care.RoleStation:
		if u.StreetID == 0 && u.Role == care.RoleStation {
			need = "street_id"
		} else if u.StreetID != 0 && db.lookupID(ctx, "SELECT id FROM streets WHERE id = ?", u.StreetID) == 0 {
			f.Add("street_id", care.Msg{ZH: "街道不存在", EN: "no such street"})
		}
	case care.RoleCommunity:
		need = "community_id"
		if u.CommunityID != 0 {
			need = ""
			street := db.lookupID(ctx, "SELECT street_id FROM communities WHERE id = ?", u.CommunityID)
			if street == 0 {
				f.Add("community_id", care.MsgUnknownComm)
			}
			u.StreetID = agree("street_id", u.StreetID, street)
		}
	case care.RoleVolunteer:
		need = "volunteer_id"
		if u.VolunteerID != 0 {
			need = ""
			community := db.lookupID(ctx, "SELECT community_id FROM volunteers WHERE id = ?", u.VolunteerID)
			street := db.lookupID(ctx, "SELECT street_id FROM communities WHERE id = ?", community)
			if street == 0 {
				f.Add("volunteer_id", care.Msg{ZH: "志愿者不存在", EN: "no such volunteer"})
			}
			u.CommunityID = agree("community_id", u.CommunityID, community)
			u.StreetID = agree("street_id", u.StreetID, street)
		}
	case care.RoleClinic:
		need = "clinic_id"
		if u.ClinicID != 0 {
			need = ""
			street := db.lookupID(ctx, "SELECT street_id FROM clinics WHERE id = ?", u.ClinicID)
			if street == 0 {
				f.Add("clinic_id", care.Msg{ZH: "卫生服务机构不存在", EN: "no such clinic"})
			}
			u.StreetID = agree("street_id", u.StreetID, street)
		}
	default:
		f.Add("role", care.MsgBadChoice)
	}
	if need != "" {
		f.Add(need, care.MsgRequired)
	}
	return f.Err()
}

// tiedTo names what an account of role is tied to, for validateUser's
// messages.
func tiedTo(role string) care.Msg {
	switch role {
	case care.RoleVolunteer:
		return care.Msg{ZH: "志愿者", EN: "volunteer"}
	case care.RoleClinic:
		return care.Msg{ZH: "卫生服务机构", EN: "clinic"}
	}
	return care.Msg{ZH: "社区", EN: "community"}
}

func (db *DB) lookupID(ctx context.Context, query string, id int64) int64 {
	var out sql.NullInt64
	db.read.QueryRowContext(ctx, db.q(query), id).Scan(&out)
	return out.Int64
}

const userColumns = `id, username, display_name, role, COALESCE(street_id, 0), COALESCE(community_id, 0),
 COALESCE(volunteer_id, 0), COALESCE(clinic_id, 0), lang, disabled, must_change_password`

func scanUser(row interface{ Scan(...any) error }) (*care.User, error) {
	var u care.User
	err := row.Scan(&u.ID, &u.Username, &u.DisplayName, &u.Role, &u.StreetID, &u.CommunityID, &u.VolunteerID, &u.ClinicID, &u.Lang, &u.Disabled, &u.MustChangePassword)
	return &u, err
}

// Authenticate checks a username (care.NormalizeUsername, as the login
// limiter sees it) and password. It answers the same unauthorized error
// for a wrong password, an unknown user and a disabled account.
func (db *DB) Authenticate(ctx context.Context, username, password string) (*care.User, error) {
	var hash string
	u, err := scanUserHash(db.read.QueryRowContext(ctx, db.q("SELECT "+userColumns+", password_hash FROM users WHERE username = ?"), care.NormalizeUsername(username)), &hash)
	bad := &care.Error{Code: care.EUnauth, Message: "用户名或密码错误 / wrong username or password"}
	if errors.Is(err, sql.ErrNoRows) {
		hash = dummyHash // the same work, so timing tells no username
	} else if err != nil {
		return nil, err
	}
	var ok bool
	if err2 := withHashSlot(ctx, func() { ok, err = argon2id.ComparePasswordAndHash(password, hash) }); err2 != nil {
		return nil, err2
	}
	if err != nil {
		return nil, err
	}
	if hash == dummyHash {
		return nil, bad
	}
	if !ok || u.Disabled {
		return nil, bad
	}
	return u, nil
}

func scanUserHash(row *sql.Row, hash *string) (*care.User, error) {
	var u care.User
	err := row.Scan(&u.ID, &u.Username, &u.DisplayName, &u.Role, &u.StreetID, &u.CommunityID, &u.VolunteerID, &u.ClinicID, &u.Lang, &u.Disabled, &u.MustChangePassword, hash)
	return &u, err
}

// Users lists all accounts (admin only).
func (db *DB) Users(ctx context.Context, a care.Actor) ([]care.User, error) {
	if !a.ManagesAccounts() {
		return nil, care.ErrForbidden()
	}
	rows, err := db.read.QueryContext(ctx, "SELECT "+userColumns+" FROM users ORDER BY id")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []care.User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *u)
	}
	return out, rows.Err()
}

// CountAdmins tells whether the first administrator still has to be created.
func (db *DB) CountAdmins(ctx context.Context) (int, error) {
	var n int
	err := db.read.QueryRowContext(ctx, db.q("SELECT COUNT(*) FROM users WHERE role = ?"), care.RoleAdmin).Scan(&n)
	return n, err
}

// SetUserLang remembers the user's language choice.
func (db *DB) SetUserLang(ctx context.Context, userID int64, lang string) error {
	_, err := db.write.ExecContext(ctx, db.q("UPDATE users SET lang = ? WHERE id = ?"), lang, userID)
	return err
}

// Session is a logged-in web session or an API token.
type Session struct {
	Token string // plain; only the hash is stored
	CSRF  string
	User  *care.User
}

// Session lifetimes.
const (
	WebSessionTTL = 12 * time.Hour
	APITokenTTL   = 30 * 24 * time.Hour
)

func randomToken() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic("no randomness: " + err.Error())
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

func tokenHash(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}

// NewSession starts a web session (kind "web") or issues an API token ("api").
func (db *DB) NewSession(ctx context.Context, u *care.User, kind string) (*Session, error) {
	ttl := WebSessionTTL
	if kind == "api" {
		ttl = APITokenTTL
	}
	s := &Session{Token: randomToken(), CSRF: randomToken(), User: u}
	now := db.Now()
	err := db.tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, db.q(`INSERT INTO sessions (token_hash, user_id, kind, csrf, created_at, expires_at) VALUES (?,?,?,?,?,?)`),
			tokenHash(s.Token), u.ID, kind, s.CSRF, stamp(now), stamp(now.Add(ttl)))
		if err != nil {
			return err
		}
		return db.audit(ctx, tx, care.ActorOf(u), "login", "session", u.ID, nil, map[string]string{"kind": kind})
	})
	return s, err
}

// LookupSession returns the live session of a token of the given kind.
// Every API call and page asks, so it is one prepared query.
func (db *DB) LookupSession(ctx context.Context, token, kind string) (*Session, error) {
	var u care.User
	var csrf, expires string
	err := db.readRow(ctx, db.q("SELECT s.csrf, s.expires_at, u.id, u.username, u.display_name, u.role, COALESCE(u.street_id, 0),"+
		" COALESCE(u.community_id, 0), COALESCE(u.volunteer_id, 0), COALESCE(u.clinic_id, 0), u.lang, u.disabled, u.must_change_password"+
		" FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = ? AND s.kind = ?"), tokenHash(token), kind).
		Scan(&csrf, &expires, &u.ID, &u.Username, &u.DisplayName, &u.Role, &u.StreetID, &u.CommunityID, &u.VolunteerID, &u.ClinicID, &u.Lang, &u.Disabled, &u.MustChangePassword)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && parseStamp(expires).Before(db.Now())) {
		return nil, &care.Error{Code: care.EUnauth, Message: "请先登录 / please log in"}
	}
	if err != nil {
		return nil, err
	}
	if u.Disabled {
		return nil, &care.Error{Code: care.EUnauth, Message: "账号已停用 / account disabled"}
	}
	return &Session{Token: token, CSRF: csrf, User: &u}, nil
}

// EndSession logs out.
func (db *DB) EndSession(ctx context.Context, token string) error {
	_, err := db.write.ExecContext(ctx, db.q("DELETE FROM sessions WHERE token_hash = ?"), tokenHash(token))
	return err
}

// DisplayNames maps the user names of the accounts that have a display
// name to it, so a signature, a history or a print names people
// (王芳) rather than accounts (station, community1).
func (db *DB) DisplayNames(ctx context.Context) (map[string]string, error) {
	rows, err := db.read.QueryContext(ctx, db.q(`SELECT username, display_name FROM users WHERE display_name <> ''`))
	if err != nil {
		return nil, fmt.Errorf("display names: %w", err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var u, d string
		if err := rows.Scan(&u, &d); err != nil {
			return nil, err
		}
		out[u] = d
	}
	return out, rows.Err()
}
