// Package api is the contract of the Megabox platform: domain types, the
// service interfaces implemented by the stores and by the HTTP client, and
// the error codes shared by both sides of the wire. It imports only the
// standard library.
package api
