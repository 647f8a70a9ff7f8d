package care

// Roles of §1.
const (
	RoleAdmin     = "admin"
	RoleStation   = "station"
	RoleCommunity = "community"
	RoleVolunteer = "volunteer"
	RoleClinic    = "clinic"
	RoleViewer    = "viewer"
)

// User is an account.
type User struct {
	ID          int64
	Username    string
	DisplayName string
	Role        string
	StreetID    int64
	CommunityID int64 // community users
	VolunteerID int64 // volunteer users
	ClinicID    int64 // clinic users
	Lang        string
	Disabled    bool
	// MustChangePassword is set by an administrator's password reset: the
	// temporary password only lets the user choose a new one.
	MustChangePassword bool
}

// Actor is who is asking. Every store query takes one and limits what it
// returns to what the role may see (SPEC §1), so that scoping never depends
// on the UI hiding a link.
type Actor struct {
	UserID      int64
	Username    string
	Role        string
	StreetID    int64
	CommunityID int64
	VolunteerID int64
	ClinicID    int64
}

// ActorOf returns the actor for a user.
func ActorOf(u *User) Actor {
	return Actor{UserID: u.ID, Username: u.Username, Role: u.Role, StreetID: u.StreetID,
		CommunityID: u.CommunityID, VolunteerID: u.VolunteerID, ClinicID: u.ClinicID}
}

// SeesPeople reports whether the role may see personal data of elders at all.
func (a Actor) SeesPeople() bool {
	switch a.Role {
	case RoleStation, RoleCommunity, RoleVolunteer, RoleClinic:
		return true
	}
	return false
}

// EditsRegistry reports whether the role may register and edit elders and volunteers.
func (a Actor) EditsRegistry() bool {
	return a.Role == RoleStation || a.Role == RoleCommunity
}

// RevealsIDs reports whether the role may reveal full ID numbers (audited).
func (a Actor) RevealsIDs() bool {
	return a.Role == RoleStation || a.Role == RoleCommunity
}

// ManagesOrg reports whether the role may edit communities, buildings and clinics.
func (a Actor) ManagesOrg() bool {
	return a.Role == RoleStation || a.Role == RoleAdmin
}

// ManagesAccounts reports whether the role may create and edit accounts.
func (a Actor) ManagesAccounts() bool { return a.Role == RoleAdmin }

// ErrForbidden is returned when the role may not do something at all.
func ErrForbidden() error {
	return &Error{Code: EForbidden, Message: "您的角色无权进行此操作 / your role may not do this"}
}

// ErrNotFound is returned for missing records and for records outside the
// actor's scope alike, so that scope does not leak what exists.
func ErrNotFound(what string) error {
	return &Error{Code: ENotFound, Message: what + " 不存在 / not found"}
}
