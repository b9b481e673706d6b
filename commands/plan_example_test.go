package commands_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"

	"github.com/linkbrief/linkbrief/commands"
	"github.com/linkbrief/linkbrief/store"
	"github.com/linkbrief/linkbrief/store/briefcache"
	"github.com/linkbrief/linkbrief/summarize"
	"github.com/linkbrief/linkbrief/summarize/fetch"
)

// ExampleHandler_Plan follows one message through the seam between the bot
// and the commands: Plan at receipt, the Plan as a job's payload, Run in
// the job (in whatever process takes it).
func ExampleHandler_Plan() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "linkbrief-example")
	defer os.RemoveAll(dir)
	st, err := store.Open(ctx, filepath.Join(dir, "linkbrief.db"))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer st.Close()
	page := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, `<!doctype html><html lang="en"><head><title>Rain returns to the valley</title></head><body><article><h1>Rain returns to the valley</h1>`+
			strings.Repeat(`<p>Heavy rain returned to the valley on Monday after a dry spell of eleven weeks, the regional weather office said in a statement.</p>
<p>The office measured 42 millimetres of rain in Riverton during the first twelve hours, and farmers said the reservoirs had fallen to their lowest level since 1998.</p>`, 3)+
			`</article></body></html>`)
	}))
	defer page.Close()
	svc := summarize.New(fetch.New(fetch.Options{AllowPrivateNetworks: true}), briefcache.New(st),
		summarize.Options{Backend: summarize.BackendExtractive})
	h := commands.New(svc, st, commands.Options{})

	// At receipt: decide what the message asks for; nothing is fetched.
	p, ok := h.Plan(ctx, commands.Event{Message: &commands.Message{
		ID: "1001", ChannelID: "2002", GuildID: "3003", AuthorID: "4004", AutoChannel: true,
		Content: "worth a read: " + page.URL + "/rain",
	}})
	fmt.Println(ok, p.EventID, len(p.Links))
	payload, _ := json.Marshal(p) // the job's payload

	// In the job: do the work and get the replies to send.
	var job commands.Plan
	if err := json.Unmarshal(payload, &job); err != nil {
		fmt.Println(err)
		return
	}
	resp := h.Run(ctx, job)
	for _, r := range resp.Replies {
		fmt.Println(r.Embeds[0].Title, "| thread:", r.Thread.Name)
	}
	// Output:
	// true m1001 1
	// Rain returns to the valley | thread: Rain returns to the valley
}
