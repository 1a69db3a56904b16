package http

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

func (s *Server) pageRoutes() {}

func (s *Server) renderError(c echo.Context, status int, msg string) {
	c.String(status, msg)
}

var _ = http.StatusOK
