package llm

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"syscall"

	openai "github.com/sashabaranov/go-openai"
)

// Kind classifies a failed call by what a user can do about it.
type Kind int

// The kinds of failure. The zero value is Unavailable so that a bare
// &Error{} still reads sensibly.
const (
	// Unavailable is a server error (5xx) or a network failure.
	Unavailable Kind = iota
	// RateLimited is a 429 that retries did not outlast.
	RateLimited
	// QuotaExhausted is a 429 or 402 saying the account has no credit left.
	QuotaExhausted
	// ModelNotFound is a 404 or a "model_not_found" error.
	ModelNotFound
	// ContextTooLong means the prompt did not fit the model's context.
	ContextTooLong
	// Unauthorized is a 401 or 403: the API key is missing or wrong.
	Unauthorized
	// Timeout means the call took longer than Options.Timeout, or its
	// context ended.
	Timeout
	// BadResponse is a reply that could not be read or was empty.
	BadResponse
	// Refused means the model declined to do the task.
	Refused
	// BadRequest is any other 4xx: the server rejected the request.
	BadRequest
	// NoSuchHost means the server's name did not resolve. It is not
	// retried: a wrong llm.base_url does not fix itself.
	NoSuchHost
	// ConnectionRefused means nothing listens at the server's address
	// (the model server is not running). It is not retried.
	ConnectionRefused
	// Ungrounded means the model's answer quoted words that are not in
	// the article, so it was dropped. Callers that check quotes use it.
	Ungrounded
)

// Sentence describes the failure in words safe to show a user: no provider
// text, no key, no URL.
func (k Kind) Sentence() string {
	switch k {
	case RateLimited:
		return "the language model is rate limited, try again later"
	case QuotaExhausted:
		return "the language model's quota is exhausted"
	case ModelNotFound:
		return "the configured model was not found on the language model server"
	case ContextTooLong:
		return "the article is too long for the language model's context"
	case Unauthorized:
		return "the language model server rejected the API key"
	case Timeout:
		return "the language model took too long to answer"
	case BadResponse:
		return "the language model gave a reply that could not be read"
	case Refused:
		return "the language model refused to do this"
	case BadRequest:
		return "the language model server rejected the request"
	case NoSuchHost:
		return "the language model server's name does not resolve (no such host)"
	case ConnectionRefused:
		return "the language model server refused the connection (is it running?)"
	case Ungrounded:
		return "the language model's answer quoted words that are not in the article, so it was not used"
	}
	return "the language model is unavailable, try again later"
}

// String is a short snake_case name for logs and metrics.
func (k Kind) String() string {
	switch k {
	case Unavailable:
		return "unavailable"
	case RateLimited:
		return "rate_limited"
	case QuotaExhausted:
		return "quota_exhausted"
	case ModelNotFound:
		return "model_not_found"
	case ContextTooLong:
		return "context_too_long"
	case Unauthorized:
		return "unauthorized"
	case Timeout:
		return "timeout"
	case BadResponse:
		return "bad_response"
	case Refused:
		return "refused"
	case BadRequest:
		return "bad_request"
	case NoSuchHost:
		return "no_such_host"
	case ConnectionRefused:
		return "connection_refused"
	case Ungrounded:
		return "ungrounded"
	}
	return fmt.Sprintf("kind(%d)", int(k))
}

// Error is every failure of a Client call. Its message is a sentence safe
// to show users; the provider's own error, which may quote the request, is
// only reachable through Unwrap.
type Error struct {
	Kind   Kind
	Status int   // HTTP status, 0 when there was no response
	Err    error // the underlying error; may be nil
	// Host is the model server's host[:port], from Options.BaseURL
	// without credentials, path or query; "" when unknown.
	Host string
}

// Error returns "llm: " and the Sentence.
func (e *Error) Error() string { return "llm: " + e.Sentence() }

// Sentence describes the failure in words safe to show a user: the
// kind's sentence, then the server's host and the HTTP status when
// known, as in "the language model server refused the connection (is it
// running?) (server localhost:11434)". Never the API key nor the
// provider's own text.
func (e *Error) Sentence() string {
	var where []string
	if e.Host != "" {
		where = append(where, "server "+e.Host)
	}
	if e.Status >= 400 {
		where = append(where, fmt.Sprintf("HTTP %d", e.Status))
	}
	if len(where) == 0 {
		return e.Kind.Sentence()
	}
	return e.Kind.Sentence() + " (" + strings.Join(where, ", ") + ")"
}

// Unwrap returns the underlying error.
func (e *Error) Unwrap() error { return e.Err }

// retryable reports whether trying the same call again may succeed.
func (e *Error) retryable() bool {
	return e.Kind == RateLimited || e.Kind == Unavailable
}

// errBodyTooLarge is returned when a reply exceeds maxReplyBytes.
var errBodyTooLarge = errors.New("llm: reply body too large")

// classify maps what go-openai returned for one attempt to an *Error.
// info holds what the transport saw; timedOut says the attempt's own
// deadline passed; parent is the caller's context.
func classify(err error, info *callInfo, timedOut bool, parent context.Context) *Error {
	if parent.Err() != nil {
		return &Error{Kind: Timeout, Err: fmt.Errorf("llm: %w", parent.Err())}
	}
	if timedOut {
		return &Error{Kind: Timeout, Status: info.status, Err: fmt.Errorf("llm: %w: %w", context.DeadlineExceeded, err)}
	}
	var (
		status              int
		code, typ, message  string
		apiErr              *openai.APIError
		reqErr              *openai.RequestError
		haveProviderMessage bool
	)
	switch {
	case errors.As(err, &apiErr):
		status = apiErr.HTTPStatusCode
		if apiErr.Code != nil {
			code = fmt.Sprint(apiErr.Code)
		}
		typ, message, haveProviderMessage = apiErr.Type, apiErr.Message, true
		if apiErr.Param != nil {
			message += " " + *apiErr.Param
		}
	case errors.As(err, &reqErr):
		status = reqErr.HTTPStatusCode
		message, haveProviderMessage = string(reqErr.Body), true
	}
	if status == 0 && haveProviderMessage {
		status = info.status
	}
	if status >= 400 {
		return &Error{Kind: kindForStatus(status, code, typ, message), Status: status, Err: err}
	}
	var syntaxErr *json.SyntaxError
	var typeErr *json.UnmarshalTypeError
	switch {
	case errors.Is(err, errBodyTooLarge):
		return &Error{Kind: BadResponse, Status: info.status, Err: err}
	case info.readErr != nil:
		// The connection broke while the reply was read.
		return &Error{Kind: Unavailable, Status: info.status, Err: err}
	case info.status != 0 && (errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) ||
		errors.As(err, &syntaxErr) || errors.As(err, &typeErr)):
		// The whole body arrived and is not a completion.
		return &Error{Kind: BadResponse, Status: info.status, Err: err}
	case isNoSuchHost(err):
		return &Error{Kind: NoSuchHost, Err: err}
	case errors.Is(err, syscall.ECONNREFUSED):
		return &Error{Kind: ConnectionRefused, Err: err}
	case isTransportFailure(err):
		return &Error{Kind: Unavailable, Status: info.status, Err: err}
	case errors.As(err, &syntaxErr) || errors.As(err, &typeErr):
		return &Error{Kind: BadResponse, Status: info.status, Err: err}
	}
	return &Error{Kind: Unavailable, Status: info.status, Err: err}
}

// isNoSuchHost reports a name that did not resolve (not a DNS timeout,
// which is worth a retry).
func isNoSuchHost(err error) bool {
	var dnsErr *net.DNSError
	return errors.As(err, &dnsErr) && !dnsErr.IsTimeout && !dnsErr.IsTemporary
}

// isTransportFailure reports a broken connection or a body cut short.
func isTransportFailure(err error) bool {
	var netErr net.Error
	return errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.ECONNREFUSED) ||
		errors.Is(err, syscall.EPIPE) || errors.As(err, &netErr)
}

// kindForStatus maps an HTTP error reply to a Kind, looking at the error
// code and message where the status alone is ambiguous.
func kindForStatus(status int, code, typ, message string) Kind {
	text := strings.ToLower(code + " " + typ + " " + message)
	switch {
	case strings.Contains(text, "context_length") || strings.Contains(text, "context length") ||
		strings.Contains(text, "maximum context") || strings.Contains(text, "too many tokens") ||
		strings.Contains(text, "context window") || strings.Contains(text, "context size") ||
		status == 413:
		return ContextTooLong
	case strings.Contains(text, "insufficient_quota") || status == 402 ||
		((status == 429 || status == 403) && (strings.Contains(text, "quota") || strings.Contains(text, "billing"))):
		return QuotaExhausted
	case strings.Contains(text, "model_not_found") || status == 404:
		return ModelNotFound
	case status == 401 || status == 403:
		return Unauthorized
	case status == 429:
		return RateLimited
	case status == 408 || status >= 500:
		return Unavailable
	}
	return BadRequest
}

// rejectsResponseFormat reports whether a 4xx reply says the server does
// not accept the response_format we sent, so a simpler one may work.
func rejectsResponseFormat(err *Error) bool {
	if err.Status < 400 || err.Status >= 500 || err.Kind != BadRequest {
		return false
	}
	var text string
	var apiErr *openai.APIError
	var reqErr *openai.RequestError
	switch {
	case errors.As(err.Err, &apiErr):
		text = apiErr.Message
		if apiErr.Param != nil {
			text += " " + *apiErr.Param
		}
		if apiErr.Code != nil {
			text += " " + fmt.Sprint(apiErr.Code)
		}
	case errors.As(err.Err, &reqErr):
		text = string(reqErr.Body)
	}
	text = strings.ToLower(text)
	for _, s := range []string{"response_format", "response format", "json_schema", "json_object", "unsupported", "not supported"} {
		if strings.Contains(text, s) {
			return true
		}
	}
	return false
}
