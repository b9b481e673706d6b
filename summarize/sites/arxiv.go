package sites

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"golang.org/x/net/html"

	"github.com/linkbrief/linkbrief/summarize/extract"
	"github.com/linkbrief/linkbrief/summarize/fetch"
)

// Arxiv reads an arXiv paper: title, authors, date and abstract from its
// abstract page, the body from its PDF (through the Service's pipeline,
// which reads PDFs). The abstract page (/abs/ID) and the PDF (/pdf/ID)
// are one item. When the PDF cannot be had, or is not the paper the
// abstract page names, the brief is made from the abstract and says so.
type Arxiv struct {
	f    Fetcher
	base string
}

var _ Adapter = (*Arxiv)(nil)

// DefaultArxivURL is where the abstract pages and PDFs are read.
const DefaultArxivURL = "https://arxiv.org"

// NewArxiv returns the arXiv adapter; opts.APIURL replaces
// https://arxiv.org (a mirror such as https://export.arxiv.org, or a fake).
func NewArxiv(f Fetcher, opts Options) *Arxiv {
	return &Arxiv{f: f, base: opts.base(DefaultArxivURL)}
}

// Name returns "arxiv".
func (a *Arxiv) Name() string { return "arxiv" }

// Match accepts arxiv.org/abs/ID and arxiv.org/pdf/ID (".pdf" allowed),
// with or without a version, for new identifiers (2101.00001v2) and old
// ones (hep-th/9901001, math.AG/0309136v1); the canonical form is
// https://arxiv.org/abs/ID, the version kept when the link has one.
func (a *Arxiv) Match(u *url.URL) (string, bool) {
	switch host(u) {
	case "arxiv.org", "export.arxiv.org":
	default:
		return "", false
	}
	parts := pathParts(u)
	if len(parts) < 2 || (parts[0] != "abs" && parts[0] != "pdf") {
		return "", false
	}
	id := strings.Join(parts[1:], "/")
	if parts[0] == "pdf" {
		id = strings.TrimSuffix(id, ".pdf")
	}
	if !arxivID(id) {
		return "", false
	}
	return "https://arxiv.org/abs/" + id, true
}

// arxivID reports a paper identifier with an optional version: YYMM.NNNN
// or YYMM.NNNNN (since 2007), or archive[.SUBJ]/YYMMNNN before.
func arxivID(id string) bool {
	if i := strings.LastIndexByte(id, 'v'); i > 0 && i < len(id)-1 && digits(id[i+1:]) && len(id)-i <= 4 {
		id = id[:i]
	}
	if archive, num, ok := strings.Cut(id, "/"); ok {
		if len(num) != 7 || !digits(num) || archive == "" || len(archive) > 20 {
			return false
		}
		for _, c := range archive {
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '-' || c == '.') {
				return false
			}
		}
		return true
	}
	yymm, num, ok := strings.Cut(id, ".")
	return ok && len(yymm) == 4 && digits(yymm) && (len(num) == 4 || len(num) == 5) && digits(num)
}

func digits(s string) bool {
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return s != ""
}

// abstractPage is what an abstract page says of its paper.
type abstractPage struct {
	title, abstract string
	authors         []string
	date            time.Time
}

// Read reads the abstract page and the PDF of the paper at canon.
func (a *Arxiv) Read(ctx context.Context, canon string, req Request) (*Item, error) {
	id := strings.TrimPrefix(canon, "https://arxiv.org/abs/")
	if !arxivID(id) {
		return nil, &Error{Site: "arXiv", Reason: "that is not an arXiv paper link"}
	}
	meta, metaErr := a.abstractPage(ctx, id)
	if metaErr != nil {
		var se *fetch.StatusError
		if errors.As(metaErr, &se) && se.Code == http.StatusNotFound {
			return nil, &Error{Site: "arXiv", Reason: "arXiv has no paper " + id, Err: metaErr}
		}
	}
	var body *extract.Article
	var pdfErr error
	if req.Reader == nil {
		pdfErr = errors.New("no reader for the PDF")
	} else {
		body, pdfErr = req.Reader.ReadURL(ctx, a.base+"/pdf/"+id)
	}
	if metaErr != nil {
		if pdfErr != nil {
			return nil, failure("arXiv", "The paper", metaErr, false)
		}
		body.Kind = extract.KindPaper
		body.Site = "arXiv"
		return &Item{Article: body, Note: "arXiv's abstract page could not be read, so the title and authors are the PDF's own."}, nil
	}
	art := &extract.Article{
		Title: meta.title, Byline: strings.Join(meta.authors, ", "), Published: meta.date,
		Site: "arXiv", Kind: extract.KindPaper,
	}
	abstract := "Abstract\n\n" + meta.abstract
	note := ""
	switch {
	case pdfErr != nil:
		note = "The paper's PDF could not be read (" + pdfReason(pdfErr) + "), so this brief is made from the abstract only."
	case !samePaper(meta.title, body):
		// Never summarize another paper's text under this one's title.
		note = "The PDF at arXiv did not match the paper's title, so this brief is made from the abstract only."
	}
	if note != "" || body == nil {
		art.Text = abstract
		art.Lang = extract.DetectLang(meta.abstract)
		return &Item{Article: art, Note: note}, nil
	}
	art.Lang = body.Lang
	art.Text = body.Text
	if first, _, _ := strings.Cut(body.Text, "\n\n"); !strings.EqualFold(first, "abstract") {
		// The PDF's abstract was not found as such: the page's leads.
		art.Text = abstract + "\n\n" + body.Text
	}
	return &Item{Article: art}, nil
}

// pdfReason says in a few words why the PDF could not be read.
func pdfReason(err error) string {
	if r := describe(err); r != "the request failed" {
		return r
	}
	// The PDF reader's own sentences ("this PDF has no text to read (it
	// looks scanned)") come last in the chain of prefixes.
	msg := err.Error()
	if i := strings.Index(msg, "this PDF"); i >= 0 {
		return msg[i:]
	}
	return "it could not be read"
}

// samePaper reports whether the PDF's title or first page carries most
// of the words of the paper's title.
func samePaper(title string, pdf *extract.Article) bool {
	words := strings.FieldsFunc(strings.ToLower(title), func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r > 127)
	})
	var sig []string
	for _, w := range words {
		if len(w) > 3 {
			sig = append(sig, w)
		}
	}
	if len(sig) == 0 {
		return true
	}
	head := pdf.Text
	if len(head) > 4000 {
		head = head[:4000]
	}
	hay := strings.ToLower(pdf.Title + " " + head)
	found := 0
	for _, w := range sig {
		if strings.Contains(hay, w) {
			found++
		}
	}
	return found*10 >= len(sig)*6
}

// abstractPage reads the paper's metadata from its abstract page: the
// citation_* meta tags arXiv writes, and the abstract's blockquote.
func (a *Arxiv) abstractPage(ctx context.Context, id string) (*abstractPage, error) {
	page, err := a.f.Do(ctx, fetch.Request{URL: a.base + "/abs/" + id})
	if err != nil {
		return nil, err
	}
	m, err := parseAbstractPage(page.Body)
	if err != nil {
		return nil, err
	}
	return m, nil
}

// parseAbstractPage reads an arXiv abstract page.
func parseAbstractPage(body []byte) (*abstractPage, error) {
	z := html.NewTokenizer(bytes.NewReader(body))
	m := &abstractPage{}
	var quote strings.Builder
	inQuote, skip := 0, 0
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			break
		}
		tok := z.Token()
		switch tt {
		case html.StartTagToken, html.SelfClosingTagToken:
			switch tok.Data {
			case "meta":
				name, content := attr(tok, "name"), attr(tok, "content")
				switch name {
				case "citation_title":
					m.title = oneLine(content)
				case "citation_author":
					if len(m.authors) < 200 {
						m.authors = append(m.authors, authorName(content))
					}
				case "citation_date", "citation_online_date":
					if t, err := time.Parse("2006/01/02", strings.TrimSpace(content)); err == nil && m.date.IsZero() {
						m.date = t
					}
				case "citation_abstract":
					m.abstract = oneLine(content)
				}
			case "blockquote":
				if strings.Contains(" "+attr(tok, "class")+" ", " abstract ") && tt == html.StartTagToken {
					inQuote = 1
				} else if inQuote > 0 {
					inQuote++
				}
			case "span":
				if inQuote > 0 && strings.Contains(attr(tok, "class"), "descriptor") && tt == html.StartTagToken {
					skip = 1
				}
			}
		case html.EndTagToken:
			switch {
			case tok.Data == "blockquote" && inQuote > 0:
				inQuote--
			case tok.Data == "span" && skip > 0:
				skip = 0
			}
		case html.TextToken:
			if inQuote > 0 && skip == 0 && quote.Len() < 1<<16 {
				quote.WriteString(tok.Data)
				quote.WriteByte(' ')
			}
		}
	}
	if q := oneLine(quote.String()); q != "" {
		m.abstract = q
	}
	if m.title == "" || m.abstract == "" {
		return nil, badShape("abstract page without title or abstract")
	}
	return m, nil
}

func attr(t html.Token, key string) string {
	for _, a := range t.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

// authorName turns arXiv's "Last, First" into "First Last".
func authorName(s string) string {
	s = oneLine(s)
	if last, first, ok := strings.Cut(s, ", "); ok && first != "" {
		return first + " " + last
	}
	return s
}
