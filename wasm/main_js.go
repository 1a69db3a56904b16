//go:build js && wasm

// Command wasm is the Postvakt checker compiled to WebAssembly for the
// extension's service worker. It registers one global object and blocks
// forever (if main returned, every later call would throw «Go program has
// already exited»):
//
//	globalThis.postvakt = {
//	  loadBundle(json: string): string,          // {"version","rules"} | {"error"}
//	  check(draft: string, options?: string): string, // Report | {"error"}
//	  builtinBundle(): string,
//	  textHash(text: string): string,             // {"sha256"}
//	  loadCascade(bytes: Uint8Array): string,     // {"ok"} | {"error"}
//	  detectFaces(rgba: Uint8Array, w: number, h: number): string, // {"faces"} | {"error"}
//	  verifyConsistency(older: string, newer: string, proof: string, pubkey: string): string, // {"ok","old","size"} | {"error"}
//	}
//
// Every function takes and returns strings of JSON (see wasm/api), checks
// its arguments, and answers a recovered panic as {"error": {"code":
// "EINTERNAL"}} instead of throwing: an unrecovered panic would kill the
// instance and leave JavaScript with undefined. Storage and the clock stay
// with the host. Offsets in reports are UTF-16 code units.
package main

import (
	"syscall/js"

	"github.com/postvakt/postvakt/wasm/api"
)

func main() {
	var a api.API
	obj := js.Global().Get("Object").New()
	obj.Set("loadBundle", fn(1, func(args []js.Value) string { return a.LoadBundle(args[0].String()) }, js.TypeString))
	obj.Set("check", fn(1, func(args []js.Value) string {
		opts := ""
		if len(args) > 1 && args[1].Type() == js.TypeString {
			opts = args[1].String()
		}
		return a.Check(args[0].String(), opts)
	}, js.TypeString))
	obj.Set("builtinBundle", fn(0, func([]js.Value) string { return a.Builtin() }))
	obj.Set("textHash", fn(1, func(args []js.Value) string { return a.TextHash(args[0].String()) }, js.TypeString))
	obj.Set("loadCascade", fn(1, func(args []js.Value) string { return a.LoadCascade(bytesOf(args[0])) }, js.TypeObject))
	obj.Set("detectFaces", fn(3, func(args []js.Value) string {
		return a.DetectFaces(bytesOf(args[0]), args[1].Int(), args[2].Int())
	}, js.TypeObject, js.TypeNumber, js.TypeNumber))
	obj.Set("verifyConsistency", fn(4, func(args []js.Value) string {
		return a.VerifyConsistency(args[0].String(), args[1].String(), args[2].String(), args[3].String())
	}, js.TypeString, js.TypeString, js.TypeString, js.TypeString))
	obj.Set("ready", true)
	js.Global().Set("postvakt", obj)
	select {}
}

// fn wraps f as a JS function that checks its argument count and types and
// recovers panics.
func fn(n int, f func([]js.Value) string, types ...js.Type) js.Func {
	return js.FuncOf(func(this js.Value, args []js.Value) any {
		return api.Guard(func() string {
			if len(args) < n {
				return usage("expected %d argument(s), got %d", n, len(args))
			}
			for i, t := range types {
				if args[i].Type() != t {
					return usage("argument %d must be a %s, got %s", i+1, t.String(), args[i].Type().String())
				}
			}
			return f(args)
		})
	})
}

func usage(format string, args ...any) string {
	return api.Usage(format, args...)
}

// bytesOf copies a Uint8Array into Go.
func bytesOf(v js.Value) []byte {
	b := make([]byte, v.Get("length").Int())
	js.CopyBytesToGo(b, v)
	return b
}
