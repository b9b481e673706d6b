package summarize

import (
	"context"
	"errors"

	"github.com/linkbrief/linkbrief/summarize/extract"
	"github.com/linkbrief/linkbrief/summarize/fetch"
	"github.com/linkbrief/linkbrief/summarize/llm"
	"github.com/linkbrief/linkbrief/summarize/pdf"
	"github.com/linkbrief/linkbrief/summarize/sites"
)

// ErrSourceOff matches the refusal of a link whose site adapter is
// turned off (X's, by default): a sentence for someone who asked, and
// nothing at all in auto mode.
var ErrSourceOff = sites.ErrOff

// Explain returns one sentence, safe to show any user, for a failure of
// the pipeline, such as "Refusing to fetch a private network address."
// It returns "" for failures it does not know, whose details belong in
// logs only.
func Explain(err error) string {
	if err == nil {
		return ""
	}
	var nae *extract.NotArticleError
	if errors.As(err, &nae) {
		return sentence("no article found on that page (" + string(nae.Kind) + ")")
	}
	var site *sites.Error
	if errors.As(err, &site) {
		return sentence(site.Reason)
	}
	var se *fetch.StatusError
	if errors.As(err, &se) {
		return sentence(se.Error())
	}
	var size *fetch.SizeError
	if errors.As(err, &size) {
		return sentence(size.Error())
	}
	var fte *FileTypeError
	if errors.As(err, &fte) {
		return sentence(fte.Error())
	}
	var le *llm.Error
	if errors.As(err, &le) {
		return sentence(le.Sentence())
	}
	if errors.Is(err, ErrNoModel) {
		return "The language model was asked for, but none is configured."
	}
	for _, known := range []error{
		ErrBadURL, fetch.ErrBadURL, fetch.ErrScheme, fetch.ErrPort, fetch.ErrCredentials,
		fetch.ErrPrivateAddress, fetch.ErrTooManyRedirects, fetch.ErrTooLarge,
		fetch.ErrContentType, fetch.ErrTimeout, fetch.ErrNoSuchHost, fetch.ErrConnectionRefused,
		fetch.ErrTLS, fetch.ErrUnreachable, extract.ErrNotArticle,
		pdf.ErrScanned, pdf.ErrEncrypted, pdf.ErrDamaged, pdf.ErrNoFontMap, pdf.ErrTooComplex, pdf.ErrNotPDF,
	} {
		if errors.Is(err, known) {
			return sentence(known.Error())
		}
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return "That took too long; please try again later."
	}
	return ""
}

// sentence capitalizes s and ends it with a period.
func sentence(s string) string {
	if s == "" {
		return s
	}
	b := []byte(s)
	if b[0] >= 'a' && b[0] <= 'z' {
		b[0] -= 'a' - 'A'
	}
	if last := b[len(b)-1]; last != '.' && last != '!' && last != '?' {
		b = append(b, '.')
	}
	return string(b)
}
