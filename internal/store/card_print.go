package store

import (
	"context"

	"carecircle/internal/care"
)

// SignerName is how a printed card names the account that signed it: its
// display name, or its role (街道志愿站) when it has none; never the login
// name ("签字人：station" meant nothing on paper).
func (db *DB) SignerName(ctx context.Context, username string) string {
	var name, role string
	err := db.read.QueryRowContext(ctx, db.q("SELECT display_name, role FROM users WHERE username = ?"), username).Scan(&name, &role)
	switch {
	case err != nil:
		return care.Label(care.Roles, care.RoleStation, "zh")
	case name != "":
		return name
	}
	return care.Label(care.Roles, role, "zh")
}
