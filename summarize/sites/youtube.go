package sites

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/linkbrief/linkbrief/summarize/extract"
	"github.com/linkbrief/linkbrief/summarize/fetch"
)

// YouTube reads a video's captions through the InnerTube player endpoint
// with the Android client, which still answers with working caption URLs
// without a key (the web player's now need a token).
type YouTube struct {
	f    Fetcher
	base string
}

var _ Adapter = (*YouTube)(nil)

// DefaultYouTubeURL is the YouTube API base.
const DefaultYouTubeURL = "https://www.youtube.com"

// The Android client Linkbrief presents itself as.
const (
	ytClientName    = "ANDROID"
	ytClientID      = "3"
	ytClientVersion = "20.10.38"
	ytUserAgent     = "com.google.android.youtube/" + ytClientVersion + " (Linux; U; Android 14) gzip"
)

// NewYouTube returns the YouTube adapter; opts.APIURL replaces
// https://www.youtube.com.
func NewYouTube(f Fetcher, opts Options) *YouTube {
	return &YouTube{f: f, base: opts.base(DefaultYouTubeURL)}
}

// Name returns "youtube".
func (y *YouTube) Name() string { return "youtube" }

var videoID = lazyRegexp(`^[A-Za-z0-9_-]{11}$`)

// Match accepts youtube.com/watch?v=ID, youtu.be/ID, /shorts/ID, /live/ID
// and /embed/ID on the www., m. and music. hosts; the canonical form is
// https://www.youtube.com/watch?v=ID.
func (y *YouTube) Match(u *url.URL) (string, bool) {
	id := ""
	parts := pathParts(u)
	switch host(u) {
	case "youtu.be":
		if len(parts) == 1 {
			id = parts[0]
		}
	case "youtube.com", "music.youtube.com", "youtube-nocookie.com":
		switch {
		case len(parts) == 1 && parts[0] == "watch":
			id = u.Query().Get("v")
		case len(parts) == 2 && (parts[0] == "shorts" || parts[0] == "live" || parts[0] == "embed" || parts[0] == "v"):
			id = parts[1]
		}
	}
	if !videoID().MatchString(id) {
		return "", false
	}
	return "https://www.youtube.com/watch?v=" + id, true
}

// Read reads the video's captions (the wanted language's, else the
// video's own; manual before automatic) or, when it has none, its
// description, and says so in the note.
func (y *YouTube) Read(ctx context.Context, canon string, req Request) (*Item, error) {
	id := strings.TrimPrefix(canon, "https://www.youtube.com/watch?v=")
	if !videoID().MatchString(id) {
		return nil, &Error{Site: "YouTube", Reason: "that is not a YouTube video link"}
	}
	p, err := y.player(ctx, id)
	if err != nil {
		return nil, failure("YouTube", "The video", err, false)
	}
	if err := p.playable(); err != nil {
		return nil, err
	}
	if p.VideoDetails.VideoID != id {
		// Never summarize another video than the one linked.
		return nil, failure("YouTube", "The video", badShape("answer for video %q, asked %q", clip(p.VideoDetails.VideoID, 20), id), false)
	}
	art := &extract.Article{
		Title:  oneLine(p.VideoDetails.Title),
		Site:   "YouTube",
		Byline: oneLine(p.VideoDetails.Author),
		Kind:   extract.KindVideo,
	}
	art.Published = p.published()
	item := &Item{Article: art}

	track, ok := chooseTrack(p.Captions.Renderer.Tracks, req.Language)
	var segs []segment
	if ok {
		segs, err = y.captions(ctx, track)
		if err != nil && !errors.Is(err, errNoCaptions) {
			return nil, failure("YouTube", "The video's captions", err, false)
		}
	}
	if len(segs) == 0 {
		desc := description(p.VideoDetails.Description)
		if len(strings.Fields(desc)) < 5 {
			return nil, &Error{Site: "YouTube", Reason: "the video has no captions and no description to summarize"}
		}
		art.Text = desc
		if ok {
			item.Note = "YouTube gave no captions for this video, so this brief is made from its description."
		} else {
			item.Note = "The video has no captions, so this brief is made from its description."
		}
		return item, nil
	}
	art.Lang = baseLang(track.LanguageCode)
	art.Text, item.Moments = transcriptText(segs, canon)
	if track.Kind == "asr" {
		item.Note = "Made from YouTube's automatic captions, which may mishear words."
	}
	return item, nil
}

// player asks the InnerTube player endpoint about video id.
func (y *YouTube) player(ctx context.Context, id string) (*ytPlayer, error) {
	body, err := json.Marshal(map[string]any{
		"context": map[string]any{"client": map[string]any{
			"clientName": ytClientName, "clientVersion": ytClientVersion,
			"androidSdkVersion": 34, "hl": "en", "gl": "US",
		}},
		"videoId": id, "contentCheckOk": true, "racyCheckOk": true,
	})
	if err != nil {
		return nil, err
	}
	var p ytPlayer
	err = getJSON(ctx, y.f, fetch.Request{
		Method: http.MethodPost,
		URL:    y.base + "/youtubei/v1/player?prettyPrint=false",
		Body:   body,
		Header: http.Header{
			"Content-Type":             {"application/json"},
			"User-Agent":               {ytUserAgent},
			"X-Youtube-Client-Name":    {ytClientID},
			"X-Youtube-Client-Version": {ytClientVersion},
		},
	}, &p)
	if err != nil {
		return nil, err
	}
	return &p, nil
}

// ytPlayer is the part of the player answer Linkbrief reads.
type ytPlayer struct {
	PlayabilityStatus struct {
		Status string `json:"status"`
		Reason string `json:"reason"`
	} `json:"playabilityStatus"`
	VideoDetails struct {
		VideoID     string `json:"videoId"`
		Title       string `json:"title"`
		Author      string `json:"author"`
		Description string `json:"shortDescription"`
	} `json:"videoDetails"`
	Captions struct {
		Renderer struct {
			Tracks []ytTrack `json:"captionTracks"`
		} `json:"playerCaptionsTracklistRenderer"`
	} `json:"captions"`
	Microformat struct {
		Renderer struct {
			PublishDate string `json:"publishDate"`
			UploadDate  string `json:"uploadDate"`
		} `json:"playerMicroformatRenderer"`
	} `json:"microformat"`
}

// ytTrack is one caption track; Kind is "asr" for automatic captions.
type ytTrack struct {
	BaseURL      string `json:"baseUrl"`
	LanguageCode string `json:"languageCode"`
	Kind         string `json:"kind"`
	VssID        string `json:"vssId"`
}

// parsePlayer decodes a player answer; for the fuzz target.
func parsePlayer(data []byte) (*ytPlayer, error) {
	var p ytPlayer
	if err := json.Unmarshal(data, &p); err != nil {
		return nil, badShape("not JSON: %v", err)
	}
	return &p, nil
}

// playable turns a status other than OK into a sentence.
func (p *ytPlayer) playable() error {
	switch p.PlayabilityStatus.Status {
	case "OK":
		return nil
	case "LOGIN_REQUIRED":
		return &Error{Site: "YouTube", Reason: "YouTube asked Linkbrief to sign in before showing this video (it may be age-restricted, private, or YouTube is checking for bots)"}
	case "ERROR", "UNPLAYABLE", "CONTENT_CHECK_REQUIRED", "AGE_CHECK_REQUIRED", "LIVE_STREAM_OFFLINE":
		why := oneLine(p.PlayabilityStatus.Reason)
		if why == "" {
			return &Error{Site: "YouTube", Reason: "YouTube says the video is unavailable"}
		}
		return &Error{Site: "YouTube", Reason: "YouTube says the video is unavailable (" + clip(why, 200) + ")"}
	case "":
		return failure("YouTube", "The video", badShape("no playability status"), false)
	default:
		return &Error{Site: "YouTube", Reason: "YouTube would not show the video (" + clip(oneLine(p.PlayabilityStatus.Status), 40) + ")"}
	}
}

func (p *ytPlayer) published() time.Time {
	for _, s := range []string{p.Microformat.Renderer.PublishDate, p.Microformat.Renderer.UploadDate} {
		if t, err := time.Parse(time.RFC3339, s); err == nil {
			return t
		}
		if t, err := time.Parse("2006-01-02", s); err == nil {
			return t
		}
	}
	return time.Time{}
}

// chooseTrack picks the captions to read: in the wanted language, else in
// the video's own (the language of its automatic captions, else of its
// first track), manual before automatic within each; else the first.
func chooseTrack(tracks []ytTrack, want string) (ytTrack, bool) {
	var usable []ytTrack
	for _, t := range tracks {
		if t.BaseURL != "" {
			usable = append(usable, t)
		}
	}
	if len(usable) == 0 {
		return ytTrack{}, false
	}
	own := ""
	for _, t := range usable {
		if t.Kind == "asr" {
			own = baseLang(t.LanguageCode)
			break
		}
	}
	if own == "" {
		own = baseLang(usable[0].LanguageCode)
	}
	for _, lang := range []string{baseLang(want), own} {
		if lang == "" {
			continue
		}
		for _, asr := range []bool{false, true} {
			for _, t := range usable {
				if baseLang(t.LanguageCode) == lang && (t.Kind == "asr") == asr {
					return t, true
				}
			}
		}
	}
	return usable[0], true
}

// baseLang is the primary subtag of a language code, lower case: "en"
// for "en-GB".
func baseLang(code string) string {
	code = strings.ToLower(strings.TrimSpace(code))
	if i := strings.IndexAny(code, "-_"); i >= 0 {
		code = code[:i]
	}
	return code
}

// errNoCaptions is an empty caption answer: YouTube now gives one for
// some requests instead of an error.
var errNoCaptions = errors.New("no captions in the answer")

// captions downloads a track from the configured host (whatever host
// the answer names) and parses it.
func (y *YouTube) captions(ctx context.Context, t ytTrack) ([]segment, error) {
	u, err := url.Parse(t.BaseURL)
	if err != nil || !strings.HasPrefix(u.Path, "/api/timedtext") {
		return nil, badShape("caption URL %q", clip(t.BaseURL, 80))
	}
	q := u.Query()
	q.Set("fmt", "json3")
	page, err := y.f.Do(ctx, fetch.Request{
		URL:    y.base + u.Path + "?" + q.Encode(),
		Header: http.Header{"User-Agent": {ytUserAgent}, "Accept": {"application/json, text/xml;q=0.9"}},
		Types:  append([]string{"text/xml", "application/xml"}, jsonTypes...),
	})
	if err != nil {
		return nil, err
	}
	return parseCaptions(page.Body)
}

// segment is one caption: its start and its text.
type segment struct {
	start time.Duration
	text  string
}

// parseCaptions reads captions in YouTube's json3 format, its srv3 XML
// (<p t="ms">) or the classic XML (<text start="s">).
func parseCaptions(data []byte) ([]segment, error) {
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) == 0 {
		return nil, errNoCaptions
	}
	var segs []segment
	var err error
	if trimmed[0] == '{' {
		segs, err = parseJSON3(trimmed)
	} else {
		segs, err = parseTimedXML(trimmed)
	}
	if err != nil {
		return nil, err
	}
	if len(segs) == 0 {
		return nil, errNoCaptions
	}
	sort.SliceStable(segs, func(i, j int) bool { return segs[i].start < segs[j].start })
	return segs, nil
}

func parseJSON3(data []byte) ([]segment, error) {
	var doc struct {
		Events []struct {
			Start int64 `json:"tStartMs"`
			Segs  []struct {
				UTF8 string `json:"utf8"`
			} `json:"segs"`
		} `json:"events"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, badShape("captions are not json3: %v", err)
	}
	var out []segment
	for _, e := range doc.Events {
		var b strings.Builder
		for _, s := range e.Segs {
			b.WriteString(s.UTF8)
		}
		if text := cleanCaption(b.String()); text != "" {
			out = append(out, segment{start: millis(e.Start), text: text})
		}
	}
	return out, nil
}

// parseTimedXML reads srv3 (<p t="1200" d="…">, times in ms, words in
// <s>) and the classic format (<text start="1.2" dur="…">, seconds).
func parseTimedXML(data []byte) ([]segment, error) {
	d := xml.NewDecoder(bytes.NewReader(data))
	d.Strict = false
	d.Entity = xml.HTMLEntity
	d.CharsetReader = func(label string, r io.Reader) (io.Reader, error) {
		if l := strings.ToLower(label); l == "utf-8" || l == "utf8" {
			return r, nil
		}
		return nil, fmt.Errorf("charset %q", label)
	}
	var out []segment
	var cur *segment
	var text strings.Builder
	depth := 0
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, badShape("captions are not XML: %v", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if cur != nil {
				depth++
				if t.Name.Local == "br" {
					text.WriteByte(' ')
				}
				continue
			}
			switch t.Name.Local {
			case "p":
				if ms, ok := attrNumber(t, "t"); ok {
					cur = &segment{start: millis(int64(ms))}
				}
			case "text":
				if s, ok := attrNumber(t, "start"); ok {
					cur = &segment{start: time.Duration(s * float64(time.Second))}
				}
			}
			text.Reset()
		case xml.EndElement:
			if cur == nil {
				continue
			}
			if depth > 0 {
				depth--
				continue
			}
			// The classic format escapes its text twice ("&amp;#39;").
			if s := cleanCaption(html.UnescapeString(text.String())); s != "" {
				cur.text = s
				out = append(out, *cur)
			}
			cur = nil
		case xml.CharData:
			if cur != nil && text.Len() < 1<<16 {
				text.Write(t)
			}
		}
	}
	return out, nil
}

func attrNumber(t xml.StartElement, name string) (float64, bool) {
	for _, a := range t.Attr {
		if a.Name.Local == name {
			f, err := strconv.ParseFloat(strings.TrimSpace(a.Value), 64)
			if err != nil || f < 0 || f > 1e9 || f != f {
				return 0, false
			}
			return f, true
		}
	}
	return 0, false
}

func millis(ms int64) time.Duration {
	if ms < 0 {
		return 0
	}
	return time.Duration(min(ms, 1e9)) * time.Millisecond
}

// soundTag is a caption's note of a sound, not speech: [Music],
// (applause), ♪.
var soundTag = lazyRegexp(`\[[^\]]{0,40}\]|\((?i:music|applause|laughter|laughs|inaudible)\)|[♪♫]+`)

// cleanCaption drops sound notes and joins a caption's lines.
func cleanCaption(s string) string {
	s = soundTag().ReplaceAllString(s, " ")
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) && r != '\n' && r != '\t' {
			return -1
		}
		return r
	}, s)
	return oneLine(s)
}

// Paragraphs of a transcript close after a sentence once they are this
// long, and in any case at the hard limit.
const (
	paragraphTime = 30 * time.Second
	paragraphMax  = 90 * time.Second
)

// transcriptText joins captions into paragraphs and links each caption's
// place in the text to its moment in the video.
func transcriptText(segs []segment, canon string) (string, []Moment) {
	var b strings.Builder
	var moments []Moment
	paraStart := segs[0].start
	lastSecond := -1
	for i, s := range segs {
		if i > 0 {
			prev := segs[i-1].text
			long := s.start-paraStart >= paragraphTime && endsSentence(prev)
			if long || s.start-paraStart >= paragraphMax {
				b.WriteString("\n\n")
				paraStart = s.start
			} else {
				b.WriteByte(' ')
			}
		}
		if sec := int(s.start / time.Second); sec != lastSecond {
			moments = append(moments, Moment{Offset: b.Len(), URL: canon + "&t=" + strconv.Itoa(sec) + "s"})
			lastSecond = sec
		}
		b.WriteString(s.text)
		if b.Len() > 4<<20 {
			break
		}
	}
	return b.String(), moments
}

func endsSentence(s string) bool {
	s = strings.TrimRight(s, "\"'”’)")
	return strings.HasSuffix(s, ".") || strings.HasSuffix(s, "?") || strings.HasSuffix(s, "!")
}

// bareLink is a description line that is only a link, a hashtag list or
// a timestamp list entry's link.
var bareLink = lazyRegexp(`^(\S+:\s*)?https?://\S+$|^(#\S+\s*)+$`)

// description is a video's description as paragraphs, without lines
// that are only links or hashtags.
func description(s string) string {
	var keep []string
	for _, line := range strings.Split(strings.ReplaceAll(s, "\r", ""), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || bareLink().MatchString(line) {
			keep = append(keep, "")
			continue
		}
		keep = append(keep, line)
	}
	var paras []string
	var cur []string
	for _, l := range append(keep, "") {
		if l == "" {
			if len(cur) > 0 {
				paras = append(paras, strings.Join(cur, "\n"))
				cur = nil
			}
			continue
		}
		cur = append(cur, l)
	}
	return clip(paragraphs(paras...), 64<<10)
}
