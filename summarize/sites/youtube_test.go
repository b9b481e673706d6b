package sites

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/linkbrief/linkbrief/summarize/extract"
	"github.com/linkbrief/linkbrief/summarize/sites/sitestest"
)

func TestYouTubeMatch(t *testing.T) {
	const canon = "https://www.youtube.com/watch?v=bridgeVid01"
	checkMatch(t, NewYouTube(nil, Options{}), map[string]string{
		"https://www.youtube.com/watch?v=bridgeVid01":             canon,
		"https://youtube.com/watch?v=bridgeVid01&t=42s&list=PL1":  canon,
		"https://m.youtube.com/watch?feature=share&v=bridgeVid01": canon,
		"https://music.youtube.com/watch?v=bridgeVid01&si=abc":    canon,
		"https://youtu.be/bridgeVid01?si=xyz&t=9":                 canon,
		"https://www.youtube.com/shorts/bridgeVid01":              canon,
		"https://www.youtube.com/live/bridgeVid01?feature=shared": canon,
		"https://www.youtube.com/embed/bridgeVid01":               canon,
		"https://www.youtube-nocookie.com/embed/bridgeVid01":      canon,
		"https://www.youtube.com/watch?v=short":                   "",
		"https://www.youtube.com/watch?v=bridgeVid01x":            "",
		"https://www.youtube.com/@RivertonLokal":                  "",
		"https://www.youtube.com/playlist?list=PL1234567890":      "",
		"https://youtu.be/":                                        "",
		"https://notyoutube.com/watch?v=bridgeVid01":               "",
		"https://www.youtube.com/watch?v=bridgeVid01%22%3E%3Cb%3E": "",
	})
}

func TestYouTubeCaptionsByLanguage(t *testing.T) {
	srv, f := fakeAPI(t)
	yt := NewYouTube(f, Options{APIURL: srv.URL})
	const canon = "https://www.youtube.com/watch?v=bridgeVid01"
	tests := []struct {
		want, lang, phrase, note string
	}{
		{"", "de", "Der Stadtrat von Riverton hat am Dienstag", "automatic captions"},
		{"en", "en", "The Riverton city council voted seven to two on Tuesday", ""},
		{"en-GB", "en", "The Riverton city council", ""},
		{"fr", "de", "die neue Flussbrücke genehmigt.", "automatic captions"},
	}
	for _, tt := range tests {
		item, err := yt.Read(context.Background(), canon, Request{Language: tt.want})
		if err != nil {
			t.Fatalf("Read (want %q): %v", tt.want, err)
		}
		a := item.Article
		if a.Lang != tt.lang || !strings.Contains(a.Text, tt.phrase) {
			t.Errorf("wanted %q: lang %q text %.80q; want %q captions", tt.want, a.Lang, a.Text, tt.lang)
		}
		if (tt.note == "") != (item.Note == "") || !strings.Contains(item.Note, tt.note) {
			t.Errorf("wanted %q: note %q, want one saying %q", tt.want, item.Note, tt.note)
		}
		if a.Kind != extract.KindVideo || a.Byline != "Riverton Lokal" || a.Site != "YouTube" ||
			!strings.HasPrefix(a.Title, "Die neue Flussbrücke") || a.Published.Year() != 2026 {
			t.Errorf("metadata %+v", *a)
		}
		if strings.Contains(a.Text, "[Music]") || strings.Contains(a.Text, "[Musik]") {
			t.Errorf("sound notes left in the text: %.60q", a.Text)
		}
	}
	// The captions were asked of the configured host, not www.youtube.com.
	for _, r := range srv.Requests() {
		if r.Path == "/youtubei/v1/player" && (r.Header.Get("X-Youtube-Client-Name") != "3" || !strings.Contains(r.Body, `"ANDROID"`)) {
			t.Errorf("player request %+v, want the Android client", r)
		}
	}
}

func TestYouTubeMoments(t *testing.T) {
	srv, f := fakeAPI(t)
	item, err := NewYouTube(f, Options{APIURL: srv.URL}).Read(context.Background(), "https://www.youtube.com/watch?v=bridgeVid01", Request{Language: "en"})
	if err != nil {
		t.Fatal(err)
	}
	text := item.Article.Text
	for phrase, want := range map[string]string{
		"Construction is expected":      "&t=21s",
		"and to start in March":         "&t=21s",
		"Mayor Ana Ruiz called":         "&t=123s",
		"The Riverton city council":     "&t=4s",
		"ending a debate that lasted":   "&t=9s",
		"The state will pay for half":   "&t=51s",
		"repairing the existing roads":  "&t=36s",
		"designed to last at least one": "&t=43s",
	} {
		off := strings.Index(text, phrase)
		if off < 0 {
			t.Fatalf("%q not in the transcript %q", phrase, text)
		}
		if got := At(item.Moments, off); got != "https://www.youtube.com/watch?v=bridgeVid01"+want {
			t.Errorf("moment of %q = %q, want …%s", phrase, got, want)
		}
	}
	if !strings.Contains(text, "\n\n") {
		t.Errorf("transcript of two minutes is one paragraph: %q", text)
	}
}

func TestYouTubeWithoutCaptions(t *testing.T) {
	srv, f := fakeAPI(t)
	item, err := NewYouTube(f, Options{APIURL: srv.URL}).Read(context.Background(), "https://www.youtube.com/watch?v=noCaptions1", Request{})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(item.Note, "no captions") || !strings.Contains(item.Note, "description") {
		t.Errorf("note = %q, want it to say the brief is from the description", item.Note)
	}
	if !strings.Contains(item.Article.Text, "140 tonnes of weathering steel") || strings.Contains(item.Article.Text, "https://") {
		t.Errorf("text = %q, want the description without bare links", item.Article.Text)
	}
	if item.Article.Kind != extract.KindVideo || len(item.Moments) != 0 {
		t.Errorf("kind %q moments %d", item.Article.Kind, len(item.Moments))
	}
}

func TestYouTubeRefusals(t *testing.T) {
	srv, f := fakeAPI(t)
	yt := NewYouTube(f, Options{APIURL: srv.URL})
	for id, want := range map[string]string{
		"signInVid01": "sign in",
		"missingVid1": "unavailable",
	} {
		_, err := yt.Read(context.Background(), "https://www.youtube.com/watch?v="+id, Request{})
		se := siteError(t, err)
		if !strings.Contains(se.Reason, want) || se.Fallback {
			t.Errorf("%s: reason %q fallback %v, want %q and no HTML fallback", id, se.Reason, se.Fallback, want)
		}
	}
	// Site down: a sentence, no fallback to the player's page.
	srv.Close()
	_, err := yt.Read(context.Background(), "https://www.youtube.com/watch?v=bridgeVid01", Request{})
	if se := siteError(t, err); !strings.Contains(se.Reason, "could not connect") || se.Fallback {
		t.Errorf("site down: %q fallback %v", se.Reason, se.Fallback)
	}
}

func TestParseCaptionsFormats(t *testing.T) {
	classic := `<?xml version="1.0" encoding="utf-8" ?><transcript><text start="0.5" dur="2.1">It&amp;#39;s a bridge</text>` +
		`<text start="3.25" dur="1">&amp;quot;over&amp;quot; the river</text><text start="bad">skipped</text></transcript>`
	segs, err := parseCaptions([]byte(classic))
	if err != nil {
		t.Fatal(err)
	}
	if len(segs) != 2 || segs[0].text != "It's a bridge" || segs[1].text != `"over" the river` || segs[1].start != 3250*time.Millisecond {
		t.Errorf("classic captions = %+v", segs)
	}
	segs, err = parseCaptions(sitestest.Fixture("youtube/timedtext_bridgeVid01_de.xml"))
	if err != nil || len(segs) != 8 || segs[0].text != "Der Stadtrat von Riverton hat am Dienstag" {
		t.Errorf("srv3 captions = %+v, %v", segs, err)
	}
	for _, empty := range []string{"", "  ", `{"events":[]}`, `<timedtext><body></body></timedtext>`} {
		if _, err := parseCaptions([]byte(empty)); err != errNoCaptions {
			t.Errorf("parseCaptions(%q) err = %v, want errNoCaptions", empty, err)
		}
	}
}

func FuzzParseCaptions(f *testing.F) {
	f.Add(sitestest.Fixture("youtube/timedtext_bridgeVid01_de.xml"))
	f.Add(sitestest.Fixture("youtube/timedtext_bridgeVid01_en.json"))
	f.Add([]byte(`<transcript><text start="1e308">x</text><text start="NaN">y</text></transcript>`))
	f.Add([]byte(`{"events":[{"tStartMs":-5,"segs":[{"utf8":"a"}]}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		segs, err := parseCaptions(data)
		if err != nil {
			return
		}
		text, moments := transcriptText(segs, "https://www.youtube.com/watch?v=x")
		for i, m := range moments {
			if m.Offset < 0 || m.Offset > len(text) || (i > 0 && m.Offset < moments[i-1].Offset) {
				t.Fatalf("moment %d offset %d out of order or outside %d bytes", i, m.Offset, len(text))
			}
		}
	})
}

func FuzzParsePlayer(f *testing.F) {
	f.Add(sitestest.Fixture("youtube/player_bridgeVid01.json"))
	f.Add(sitestest.Fixture("youtube/player_noCaptions1.json"))
	f.Add(sitestest.Fixture("youtube/player_signInVid01.json"))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := parsePlayer(data)
		if err != nil {
			return
		}
		_ = p.playable()
		_ = p.published()
		chooseTrack(p.Captions.Renderer.Tracks, "en")
		_ = description(p.VideoDetails.Description)
	})
}
