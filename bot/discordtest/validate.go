package discordtest

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// apiError is Discord's JSON error body.
type apiError struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
	Errors  any    `json:"errors,omitempty"`
	status  int
}

func errorOf(f Failure) *apiError {
	return &apiError{status: f.Status, Code: f.Code, Message: f.Message}
}

// formError is one invalid field: a dotted path such as "embeds.0.title",
// with Discord's error code and message.
type formError struct {
	path, code, message string
}

type formErrors []formError

func (fe *formErrors) add(path, code, format string, args ...any) {
	*fe = append(*fe, formError{path: path, code: code, message: fmt.Sprintf(format, args...)})
}

func (fe *formErrors) maxLen(path, s string, limit int) {
	if utf8.RuneCountInString(s) > limit {
		fe.add(path, "BASE_TYPE_MAX_LENGTH", "Must be %d or fewer in length.", limit)
	}
}

// apiError renders the errors as 400 code 50035 Invalid Form Body with the
// nested "errors" object Discord sends; nil when there are none.
func (fe formErrors) apiError() *apiError {
	if len(fe) == 0 {
		return nil
	}
	root := map[string]any{}
	for _, e := range fe {
		node := root
		if e.path != "" {
			for _, part := range strings.Split(e.path, ".") {
				next, ok := node[part].(map[string]any)
				if !ok {
					next = map[string]any{}
					node[part] = next
				}
				node = next
			}
		}
		list, _ := node["_errors"].([]any)
		node["_errors"] = append(list, map[string]string{"code": e.code, "message": e.message})
	}
	return &apiError{status: 400, Code: 50035, Message: "Invalid Form Body", Errors: root}
}

// Discord's message and embed limits.
const (
	maxContent          = 2000
	maxEmbeds           = 10
	maxEmbedTitle       = 256
	maxEmbedDescription = 4096
	maxEmbedFields      = 25
	maxFieldName        = 256
	maxFieldValue       = 1024
	maxFooterText       = 2048
	maxAuthorName       = 256
	maxEmbedTotal       = 6000
	maxThreadName       = 100
)

// validateMessage checks content, embeds and allowed_mentions as Discord
// does and appends the problems to fe.
func validateMessage(fe *formErrors, m *Message, am *AllowedMentions) {
	fe.maxLen("content", m.Content, maxContent)
	if len(m.Embeds) > maxEmbeds {
		fe.add("embeds", "BASE_TYPE_MAX_LENGTH", "Must be %d or fewer in length.", maxEmbeds)
	}
	total := 0
	count := func(s string) int { return utf8.RuneCountInString(strings.TrimSpace(s)) }
	for i, e := range m.Embeds {
		p := "embeds." + strconv.Itoa(i) + "."
		fe.maxLen(p+"title", strings.TrimSpace(e.Title), maxEmbedTitle)
		fe.maxLen(p+"description", strings.TrimSpace(e.Description), maxEmbedDescription)
		total += count(e.Title) + count(e.Description)
		if len(e.Fields) > maxEmbedFields {
			fe.add(p+"fields", "BASE_TYPE_MAX_LENGTH", "Must be %d or fewer in length.", maxEmbedFields)
		}
		for j, f := range e.Fields {
			fp := p + "fields." + strconv.Itoa(j) + "."
			if strings.TrimSpace(f.Name) == "" {
				fe.add(fp+"name", "BASE_TYPE_REQUIRED", "This field is required")
			}
			if strings.TrimSpace(f.Value) == "" {
				fe.add(fp+"value", "BASE_TYPE_REQUIRED", "This field is required")
			}
			fe.maxLen(fp+"name", strings.TrimSpace(f.Name), maxFieldName)
			fe.maxLen(fp+"value", strings.TrimSpace(f.Value), maxFieldValue)
			total += count(f.Name) + count(f.Value)
		}
		if e.Footer != nil {
			fe.maxLen(p+"footer.text", strings.TrimSpace(e.Footer.Text), maxFooterText)
			total += count(e.Footer.Text)
		}
		if e.Author != nil {
			fe.maxLen(p+"author.name", strings.TrimSpace(e.Author.Name), maxAuthorName)
			total += count(e.Author.Name)
		}
	}
	if total > maxEmbedTotal {
		fe.add("embeds", "MAX_EMBED_SIZE_EXCEEDED", "Embed size exceeds maximum size of %d", maxEmbedTotal)
	}
	if am != nil {
		for i, p := range am.Parse {
			if p != "users" && p != "roles" && p != "everyone" {
				fe.add("allowed_mentions.parse."+strconv.Itoa(i), "BASE_TYPE_CHOICES", "Value must be one of {'everyone', 'roles', 'users'}.")
			}
			if (p == "users" && len(am.Users) > 0) || (p == "roles" && len(am.Roles) > 0) {
				fe.add("allowed_mentions", "MESSAGE_ALLOWED_MENTIONS_PARSE_EXCLUSIVE", "parse:[%q] and %s: [ids...] are mutually exclusive.", p, p)
			}
		}
		if len(am.Users) > 100 {
			fe.add("allowed_mentions.users", "BASE_TYPE_MAX_LENGTH", "Must be 100 or fewer in length.")
		}
		if len(am.Roles) > 100 {
			fe.add("allowed_mentions.roles", "BASE_TYPE_MAX_LENGTH", "Must be 100 or fewer in length.")
		}
	}
}

// validateThreadName checks a thread name: 1 to 100 characters.
func validateThreadName(fe *formErrors, name string) {
	n := utf8.RuneCountInString(strings.TrimSpace(name))
	switch {
	case n == 0:
		fe.add("name", "BASE_TYPE_REQUIRED", "This field is required")
	case n > maxThreadName:
		fe.add("name", "BASE_TYPE_BAD_LENGTH", "Must be between 1 and %d in length.", maxThreadName)
	}
}

// validateArchiveDuration checks auto_archive_duration (0 means unset).
func validateArchiveDuration(fe *formErrors, d int) {
	switch d {
	case 0, 60, 1440, 4320, 10080:
	default:
		fe.add("auto_archive_duration", "BASE_TYPE_CHOICES", "Value must be one of (60, 1440, 4320, 10080).")
	}
}

// isEmptyMessage reports whether a message would show nothing: Discord
// refuses it with 50006.
func isEmptyMessage(m *Message, stickers, files int) bool {
	return strings.TrimSpace(m.Content) == "" && len(m.Embeds) == 0 && len(m.Components) == 0 &&
		stickers == 0 && files == 0 && len(m.Attachments) == 0
}

var errEmptyMessage = &apiError{status: 400, Code: 50006, Message: "Cannot send an empty message"}
