package discordtest_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/linkbrief/linkbrief/bot/discordtest"
)

// post sends a message body over raw REST and returns the status and the
// answered message.
func post(t *testing.T, srv *discordtest.Server, body string) (int, discordtest.Message) {
	t.Helper()
	req, err := http.NewRequest("POST", srv.APIURL()+"channels/"+discordtest.DefaultChannelID+"/messages", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bot "+srv.Token())
	req.Header.Set("Content-Type", "application/json")
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var m discordtest.Message
	if resp.StatusCode == 200 {
		if err := json.Unmarshal(raw, &m); err != nil {
			t.Fatalf("answer %s: %v", raw, err)
		}
	}
	return resp.StatusCode, m
}

func TestEnforceNonce(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		first     string
		second    string
		wantSame  bool
		wantNonce string
	}{
		{"enforced string nonce", `{"content":"a","nonce":"123.0","enforce_nonce":true}`, `{"content":"b","nonce":"123.0","enforce_nonce":true}`, true, "123.0"},
		{"enforced integer nonce", `{"content":"a","nonce":42,"enforce_nonce":true}`, `{"content":"b","nonce":42,"enforce_nonce":true}`, true, "42"},
		{"nonce not enforced", `{"content":"a","nonce":"7"}`, `{"content":"b","nonce":"7"}`, false, "7"},
		{"different nonces", `{"content":"a","nonce":"1","enforce_nonce":true}`, `{"content":"b","nonce":"2","enforce_nonce":true}`, false, "1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := discordtest.New(t, discordtest.Options{})
			st1, m1 := post(t, srv, tt.first)
			st2, m2 := post(t, srv, tt.second)
			if st1 != 200 || st2 != 200 {
				t.Fatalf("statuses %d, %d, want 200, 200", st1, st2)
			}
			if same := m1.ID == m2.ID; same != tt.wantSame {
				t.Errorf("second send returned the first message: %v, want %v", same, tt.wantSame)
			}
			if m1.Nonce != tt.wantNonce {
				t.Errorf("nonce echoed %q, want %q", m1.Nonce, tt.wantNonce)
			}
			want := 2
			if tt.wantSame {
				want = 1
			}
			if n := len(srv.ChannelMessages(discordtest.DefaultChannelID)); n != want {
				t.Errorf("%d messages in the channel, want %d", n, want)
			}
		})
	}
}

func TestNonceValidation(t *testing.T) {
	t.Parallel()
	srv := discordtest.New(t, discordtest.Options{})
	for _, body := range []string{
		`{"content":"a","nonce":"` + strings.Repeat("x", 26) + `"}`,
		`{"content":"a","nonce":{"x":1}}`,
		`{"content":"a","nonce":"1","enforce_nonce":"yes"}`,
	} {
		if st, _ := post(t, srv, body); st != 400 {
			t.Errorf("POST %s = %d, want 400", body, st)
		}
	}
}

func TestFailAfter(t *testing.T) {
	t.Parallel()
	srv := discordtest.New(t, discordtest.Options{})
	srv.FailAfter(discordtest.RouteSendMessage, discordtest.ServerError, 1)
	if st, _ := post(t, srv, `{"content":"created anyway"}`); st != 500 {
		t.Errorf("first send = %d, want 500", st)
	}
	if st, _ := post(t, srv, `{"content":"second"}`); st != 200 {
		t.Errorf("second send = %d, want 200", st)
	}
	msgs := srv.ChannelMessages(discordtest.DefaultChannelID)
	if len(msgs) != 2 || msgs[0].Content != "created anyway" {
		t.Errorf("messages = %+v, want the failed send's message kept, then the second", msgs)
	}
}
