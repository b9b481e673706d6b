package bot_test

import (
	"strings"
	"testing"

	"github.com/linkbrief/linkbrief/bot/discordtest"
	"github.com/linkbrief/linkbrief/summarize/pdf/pdftest"
)

// paperPDF is the paper the test pages serve at any path ending in .pdf.
func paperPDF() []byte {
	body := strings.Repeat("Gauges on the upper river recorded the fastest rise in forty years, the survey found. ", 6)
	return pdftest.Paper{
		Title:    "River Gauges in the Valley Flood",
		Authors:  "Ana Ruiz",
		Abstract: "We compare river gauge readings during the valley flood with the previous forty years of records.",
		Sections: []pdftest.Section{{Heading: "1 Introduction", Paragraphs: []string{"The flood peaked on a Tuesday. " + body}}},
		Compress: true,
	}.Build()
}

// A PDF link posted in an auto channel gets a brief of the paper, in a
// thread named after its title.
func TestAutoModePDFLink(t *testing.T) {
	t.Parallel()
	h := start(t, config{autoChannels: []string{discordtest.DefaultChannelID}})
	src := h.post(discordtest.DefaultChannelID, "the survey: "+h.url("/survey.pdf"))
	reply := h.waitBotMessages(discordtest.DefaultChannelID, 1)[0]
	if reply.MessageReference == nil || reply.MessageReference.MessageID != src.ID || len(reply.Embeds) != 1 {
		t.Fatalf("reply = %+v, want a brief replying to %s", reply, src.ID)
	}
	if got := reply.Embeds[0].Title; got != "River Gauges in the Valley Flood" {
		t.Errorf("embed title = %q, want the paper's title", got)
	}
	h.dc.WaitFor(t, wait, func() bool { return len(h.dc.Threads()) == 1 }, "a thread on the reply")
	if th := h.dc.Threads()[0]; th.Name != "River Gauges in the Valley Flood" {
		t.Errorf("thread name = %q", th.Name)
	}
}

// A PDF attached to a message in an auto channel is read like a link to
// it, through the same fetcher.
func TestAutoModePDFAttachment(t *testing.T) {
	t.Parallel()
	h := start(t, config{autoChannels: []string{discordtest.DefaultChannelID}})
	if _, err := h.dc.PostMessage(discordtest.MessageSpec{ChannelID: discordtest.DefaultChannelID, Attachments: []discordtest.Attachment{
		{Filename: "survey.pdf", ContentType: "application/pdf", URL: h.url("/attachments/1/2/survey.pdf")},
	}}); err != nil {
		t.Fatal(err)
	}
	reply := h.waitBotMessages(discordtest.DefaultChannelID, 1)[0]
	if len(reply.Embeds) != 1 || reply.Embeds[0].Title != "River Gauges in the Valley Flood" {
		t.Errorf("reply = %+v, want a brief of the attached paper", reply)
	}
}
