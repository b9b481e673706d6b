package extract

import "errors"

// ErrNotArticle matches (errors.Is) every *NotArticleError.
var ErrNotArticle = errors.New("no article found")

// Kind says why a page is not an article.
type Kind string

// The kinds of pages that are not articles.
const (
	ConsentWall Kind = "consent wall"
	LoginWall   Kind = "login wall"
	Paywall     Kind = "paywall"
	ScriptShell Kind = "page needs JavaScript"
	Empty       Kind = "empty page"
	Gallery     Kind = "image gallery"
	TooShort    Kind = "too little text"
	ListOfLinks Kind = "a list of links, not an article"
	NoProse     Kind = "no prose to summarize, only lists, tables or labels"
)

// NotArticleError reports a page that holds no article, and what it holds
// instead.
type NotArticleError struct {
	Kind Kind
}

// Error returns "no article found: " followed by the kind.
func (e *NotArticleError) Error() string {
	return ErrNotArticle.Error() + ": " + string(e.Kind)
}

// Is reports whether target is ErrNotArticle, or a *NotArticleError of the
// same kind (a nil-kind target matches any kind).
func (e *NotArticleError) Is(target error) bool {
	if target == ErrNotArticle {
		return true
	}
	t, ok := target.(*NotArticleError)
	return ok && t != nil && (t.Kind == "" || t.Kind == e.Kind)
}
