package http

import (
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/postvakt/postvakt/server"
)

// The accounts page (/admin/accounts) and the password-reset page
// (/reset). Every change goes through server.Accounts, so it ends the
// account's sessions and tokens and is recorded in the audit log.

var roleNames = map[string]string{server.RoleStaff: "ansatt", server.RoleAdmin: "administrator", server.RoleCompliance: "arkiv/personvern", server.RoleArkiv: "arkiv (journalføring)"}

// roleName is a role as the pages name it.
func roleName(r string) string {
	if n, ok := roleNames[r]; ok {
		return n
	}
	return r
}

func (s *Server) accountService() *server.Accounts {
	return &server.Accounts{Users: s.cfg.Users, Log: s.cfg.Audit, Now: s.cfg.Now}
}

func actorOf(cl *Claims) server.Actor { return server.Actor{Name: cl.Name, Unit: cl.Unit} }

type resetCode struct {
	Name    string
	Link    string
	Expires time.Time
}

type accountsData struct {
	Users []*server.User
	Roles []string
	Code  *resetCode
}

// renderAccounts shows the accounts page with flash, err or a new code.
func (s *Server) renderAccounts(c echo.Context, status int, flash, errMsg string, code *resetCode) error {
	us, err := s.cfg.Users.ListUsers(c.Request().Context())
	if err != nil {
		return err
	}
	return s.render(c, status, "accounts", page{Title: "Kontoer", Nav: "accounts", Flash: flash, Error: errMsg,
		Data: accountsData{Users: us, Roles: server.Roles, Code: code}})
}

func (s *Server) handleAccountsPage() echo.HandlerFunc {
	return func(c echo.Context) error {
		flash := ""
		name := c.QueryParam("u")
		switch c.QueryParam("msg") {
		case "disabled":
			flash = name + " er deaktivert. Innloggingene avsluttes innen få sekunder."
		case "enabled":
			flash = name + " er aktivert igjen."
		case "roles":
			flash = "Roller og enhet for " + name + " er lagret. Brukeren må logge inn på nytt."
		}
		return s.renderAccounts(c, http.StatusOK, flash, "", nil)
	}
}

// handleAccountChange applies one change to the account in the path.
func (s *Server) handleAccountChange(what string) echo.HandlerFunc {
	return func(c echo.Context) error {
		ctx := c.Request().Context()
		name, actor := c.Param("name"), actorOf(claimsOf(c))
		accts := s.accountService()
		var u *server.User
		var err error
		switch what {
		case "disable", "enable":
			u, err = accts.SetDisabled(ctx, actor, name, what == "disable")
		case "roles":
			var roles []string
			form, _ := c.FormParams()
			for _, r := range form["role"] {
				if slices.Contains(server.Roles, r) && !slices.Contains(roles, r) {
					roles = append(roles, r)
				}
			}
			u, err = accts.SetRoles(ctx, actor, name, roles, sanitize(c.FormValue("unit")))
		case "reset":
			var code string
			code, u, err = accts.ResetPassword(ctx, actor, name)
			if err == nil {
				s.accounts.forget(u.ID)
				link := c.Scheme() + "://" + c.Request().Host + "/reset?code=" + url.QueryEscape(code)
				return s.renderAccounts(c, http.StatusOK, "", "", &resetCode{Name: u.Name, Link: link, Expires: s.cfg.Now().Add(server.ResetCodeTTL)})
			}
		}
		if err != nil {
			if code := server.ErrorCode(err); code == server.EINVALID {
				return s.renderAccounts(c, http.StatusUnprocessableEntity, "", accountError(err), nil)
			}
			return err
		}
		s.accounts.forget(u.ID)
		msg := map[string]string{"disable": "disabled", "enable": "enabled", "roles": "roles"}[what]
		return c.Redirect(http.StatusSeeOther, "/admin/accounts?msg="+msg+"&u="+url.QueryEscape(u.Name))
	}
}

// accountError says in Norwegian why a change was refused.
func accountError(err error) string {
	switch server.ErrorMessage(err) {
	case "You cannot disable your own account.":
		return "Du kan ikke deaktivere din egen konto."
	case "You cannot take the admin role from your own account.":
		return "Du kan ikke ta administratorrollen fra din egen konto."
	case "An account needs at least one role.":
		return "En konto må ha minst én rolle."
	case "A unit is at most 200 bytes.":
		return "Enheten kan være høyst 200 tegn."
	}
	return server.ErrorMessage(err)
}

func (s *Server) handleResetPage() echo.HandlerFunc {
	return func(c echo.Context) error {
		return s.render(c, http.StatusOK, "reset", page{Title: "Nytt passord", Data: c.QueryParam("code")})
	}
}

// minPassword is the shortest password the reset page accepts (as
// postvakt user add).
const minPassword = 10

func (s *Server) handleResetSubmit() echo.HandlerFunc {
	return func(c echo.Context) error {
		code, pw := c.FormValue("code"), c.FormValue("password")
		again := func(msg string) error {
			return s.render(c, http.StatusUnprocessableEntity, "reset", page{Title: "Nytt passord", Error: msg, Data: code})
		}
		if len([]rune(pw)) < minPassword {
			return again("Passordet må ha minst 10 tegn.")
		}
		if pw != c.FormValue("password2") {
			return again("Passordene er ikke like.")
		}
		if len(pw) > 72 {
			return again("Passordet kan ha høyst 72 byte.")
		}
		hash, err := HashPassword(pw, 0)
		if err != nil {
			return err
		}
		u, err := s.accountService().UseResetCode(c.Request().Context(), code, hash)
		if server.ErrorCode(err) == server.ENOTFOUND {
			return again("Koden er ukjent, brukt eller utløpt. Be en administrator om en ny.")
		} else if err != nil {
			return err
		}
		s.accounts.forget(u.ID)
		return s.render(c, http.StatusOK, "login", page{Title: "Logg inn", Flash: "Passordet er lagret. Logg inn med det nye passordet.", Data: "/"})
	}
}

// accountInfo is an account as the API shows it.
type accountInfo struct {
	Name      string     `json:"name"`
	Unit      string     `json:"unit"`
	Roles     []string   `json:"roles"`
	Disabled  bool       `json:"disabled"`
	CreatedAt time.Time  `json:"created_at"`
	LastLogin *time.Time `json:"last_login,omitempty"`
}

func infoOfUser(u *server.User) accountInfo {
	a := accountInfo{Name: u.Name, Unit: u.Unit, Roles: u.Roles, Disabled: u.Disabled, CreatedAt: u.CreatedAt}
	if !u.LastLogin.IsZero() {
		t := u.LastLogin
		a.LastLogin = &t
	}
	return a
}

func handleUserList(users server.UserStore) echo.HandlerFunc {
	return func(c echo.Context) error {
		us, err := users.ListUsers(c.Request().Context())
		if err != nil {
			return err
		}
		out := []accountInfo{}
		for _, u := range us {
			out = append(out, infoOfUser(u))
		}
		return c.JSON(http.StatusOK, map[string]any{"users": out})
	}
}

// handleUserUpdate changes an account: {"disabled"?, "roles"?, "unit"?}.
// Roles and unit are set together; a missing unit keeps the old one.
func (s *Server) handleUserUpdate() echo.HandlerFunc {
	type request struct {
		Disabled *bool    `json:"disabled"`
		Roles    []string `json:"roles"`
		Unit     *string  `json:"unit"`
	}
	return func(c echo.Context) error {
		var req request
		if err := bindJSON(c, &req); err != nil {
			return err
		}
		ctx, name, actor := c.Request().Context(), c.Param("name"), actorOf(claimsOf(c))
		accts := s.accountService()
		u, err := s.cfg.Users.FindUserByName(ctx, name)
		if err != nil {
			return err
		}
		if req.Roles != nil || req.Unit != nil {
			roles, unit := u.Roles, u.Unit
			if req.Roles != nil {
				roles = req.Roles
			}
			if req.Unit != nil {
				unit = sanitize(*req.Unit)
			}
			if u, err = accts.SetRoles(ctx, actor, name, roles, unit); err != nil {
				return err
			}
		}
		if req.Disabled != nil && *req.Disabled != u.Disabled {
			if u, err = accts.SetDisabled(ctx, actor, name, *req.Disabled); err != nil {
				return err
			}
		}
		s.accounts.forget(u.ID)
		return c.JSON(http.StatusOK, infoOfUser(u))
	}
}

// handleUserReset issues a one-time password-reset code.
func (s *Server) handleUserReset() echo.HandlerFunc {
	return func(c echo.Context) error {
		code, u, err := s.accountService().ResetPassword(c.Request().Context(), actorOf(claimsOf(c)), c.Param("name"))
		if err != nil {
			return err
		}
		s.accounts.forget(u.ID)
		return c.JSON(http.StatusOK, map[string]any{"code": code, "expires_at": s.cfg.Now().Add(server.ResetCodeTTL).UTC(),
			"url": c.Scheme() + "://" + c.Request().Host + "/reset?code=" + url.QueryEscape(code)})
	}
}
