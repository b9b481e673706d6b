package bot_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/linkbrief/linkbrief/bot"
	"github.com/linkbrief/linkbrief/bot/discordtest"
	"github.com/linkbrief/linkbrief/commands"
	"github.com/linkbrief/linkbrief/store"
	"github.com/linkbrief/linkbrief/summarize"
)

// refusingSummarizer fails every request at once, so fuzzed URLs are
// never fetched.
type refusingSummarizer struct{}

func (refusingSummarizer) Summarize(ctx context.Context, rawURL string, req summarize.Request) (*summarize.Brief, error) {
	return nil, errors.New("summarize: refused in the fuzz test")
}

func (refusingSummarizer) Estimate(ctx context.Context, rawURL string, req summarize.Request) (int64, error) {
	return 0, errors.New("summarize: refused in the fuzz test")
}

func (refusingSummarizer) EstimateAnswer(ctx context.Context, rawURL string) (int64, error) {
	return 0, nil
}

func (refusingSummarizer) Ask(ctx context.Context, rawURL, question string) (*summarize.Answer, error) {
	return nil, errors.New("summarize: refused in the fuzz test")
}

// FuzzInteractionsHandler posts correctly signed, arbitrary bodies to the
// HTTP interactions endpoint: whatever Discord (or someone holding the
// key) sends, the handler answers with a valid status and never panics,
// and the work started in the background ends at shutdown.
func FuzzInteractionsHandler(f *testing.F) {
	seeds := []string{
		`{"type":1}`,
		`{"id":"1","application_id":"2","token":"t","type":2,"guild_id":"3","channel_id":"4","member":{"user":{"id":"5"},"permissions":"32"},"data":{"name":"summarize","type":1,"options":[{"name":"url","type":3,"value":"https://example.com/"}]}}`,
		`{"id":"1","application_id":"2","token":"t","type":2,"guild_id":"3","channel_id":"4","channel":{"type":11},"data":{"name":"ask","type":1,"options":[{"name":"question","type":3,"value":7}]}}`,
		`{"id":"1","application_id":"2","token":"t","type":2,"guild_id":"3","data":{"name":"linkbrief","type":1,"options":[{"name":"auto","type":1,"options":[{"name":"enabled","type":5,"value":"yes"},{"name":"channel","type":7,"value":null}]}]}}`,
		`{"id":"1","application_id":"2","token":"t","type":2,"guild_id":"3","data":{"name":"Summarize links","type":3,"target_id":"9","resolved":{"messages":{"9":{"id":"9","content":"see https://example.com/a"}}}}}`,
		`{"id":"1","application_id":"2","token":"t","type":2,"data":null}`,
		`{"id":"1","application_id":"2","token":"t","type":2,"user":{"id":"5"},"data":{"name":"summarize","options":[{"type":1,"options":[{"type":2}]}]}}`,
		`{"id":"1","application_id":"2","token":"t","type":2,"channel":{"type":"eleven"},"data":{}}`,
		`{"type":4,"data":{}}`,
		`[]`,
		``,
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	dc := discordtest.New(f, discordtest.Options{})
	st, err := store.Open(context.Background(), filepath.Join(f.TempDir(), "fuzz.db"))
	if err != nil {
		f.Fatal(err)
	}
	b, err := bot.New(bot.Options{Token: dc.Token(), APIURL: dc.APIURL(), Queue: pool(st)},
		commands.New(refusingSummarizer{}, st, commands.Options{}))
	if err != nil {
		f.Fatal(err)
	}
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		f.Fatal(err)
	}
	h := b.InteractionsHandler(pub)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- b.RunWithoutGateway(ctx) }()
	f.Cleanup(func() {
		cancel()
		<-done
		st.Close()
	})

	f.Fuzz(func(t *testing.T, body []byte) {
		req := httptest.NewRequest(http.MethodPost, "/interactions", strings.NewReader(string(body)))
		req.Header.Set("X-Signature-Timestamp", "1700000000")
		req.Header.Set("X-Signature-Ed25519", hex.EncodeToString(ed25519.Sign(priv, append([]byte("1700000000"), body...))))
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		switch rec.Code {
		case http.StatusOK:
			var r struct {
				Type int `json:"type"`
			}
			if err := json.Unmarshal(rec.Body.Bytes(), &r); err != nil || (r.Type != 1 && r.Type != 4 && r.Type != 5) {
				t.Errorf("body %q: answered 200 %q, want an interaction response of type 1, 4 or 5", body, rec.Body)
			}
		case http.StatusBadRequest, http.StatusRequestEntityTooLarge:
		default:
			t.Errorf("body %q: status %d, want 200, 400 or 413", body, rec.Code)
		}
	})
}
