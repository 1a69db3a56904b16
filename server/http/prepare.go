package http

import "github.com/postvakt/postvakt/server"

// Problem, PrepareBundle, ExampleProblems and ETag live in package
// server, with the admin service that uses them; these names keep the
// http package's API.
type Problem = server.Problem

var (
	PrepareBundle   = server.PrepareBundle
	ExampleProblems = server.ExampleProblems
	ETag            = server.ETag
)
