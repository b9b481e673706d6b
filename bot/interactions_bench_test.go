package bot_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"

	"github.com/linkbrief/linkbrief/bot"
	"github.com/linkbrief/linkbrief/bot/discordtest"
	"github.com/linkbrief/linkbrief/commands"
	"github.com/linkbrief/linkbrief/store"
)

// BenchmarkInteractionsPing measures the endpoint's fixed cost per
// request: reading the body, checking the Ed25519 signature, answering.
func BenchmarkInteractionsPing(b *testing.B) {
	dc := discordtest.New(b, discordtest.Options{})
	st, err := store.Open(context.Background(), filepath.Join(b.TempDir(), "bench.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	bt, err := bot.New(bot.Options{Token: dc.Token(), APIURL: dc.APIURL(), Queue: pool(st)}, commands.New(refusingSummarizer{}, st, commands.Options{}))
	if err != nil {
		b.Fatal(err)
	}
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		b.Fatal(err)
	}
	h := bt.InteractionsHandler(pub)
	body := []byte(`{"id":"1","application_id":"2","type":1,"token":"t","version":1}`)
	sig := hex.EncodeToString(ed25519.Sign(priv, append([]byte("1700000000"), body...)))
	b.ReportAllocs()
	for b.Loop() {
		req := httptest.NewRequest(http.MethodPost, "/interactions", bytes.NewReader(body))
		req.Header.Set("X-Signature-Timestamp", "1700000000")
		req.Header.Set("X-Signature-Ed25519", sig)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatalf("status %d", rec.Code)
		}
	}
}
