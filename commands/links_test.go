package commands

import (
	"slices"
	"strings"
	"testing"
)

func TestFindLinks(t *testing.T) {
	tests := []struct {
		name    string
		content string
		max     int
		want    []string
	}{
		{"none", "no links here", 3, nil},
		{"one", "read https://example.com/a please", 3, []string{"https://example.com/a"}},
		{"http upper case", "HTTPS://Example.com/X", 3, []string{"HTTPS://Example.com/X"}},
		{"sentence end", "see https://example.com/a.", 3, []string{"https://example.com/a"}},
		{"comma and question", "https://a.example/x, or https://b.example/y?", 3, []string{"https://a.example/x", "https://b.example/y"}},
		{"balanced parens kept", "(see https://en.wikipedia.org/wiki/Go_(game)).", 3, []string{"https://en.wikipedia.org/wiki/Go_(game)"}},
		{"unbalanced paren dropped", "(https://example.com/a)", 3, []string{"https://example.com/a"}},
		{"masked link", "[the story](https://example.com/story)", 3, []string{"https://example.com/story"}},
		{"suppressed", "<https://example.com/hidden> and https://example.com/shown", 3, []string{"https://example.com/shown"}},
		{"suppressed masked", "[x](<https://example.com/hidden>)", 3, nil},
		{"spoiler", "||https://example.com/spoiler|| https://example.com/ok", 3, []string{"https://example.com/ok"}},
		{"spoiler with text", "|| look https://example.com/spoiler now ||", 3, nil},
		{"unclosed spoiler", "||https://example.com/a", 3, []string{"https://example.com/a"}},
		{"inline code", "`https://example.com/code` https://example.com/ok", 3, []string{"https://example.com/ok"}},
		{"code block", "```\nhttps://example.com/code\n```", 3, nil},
		{"at most max", "https://a.example/1 https://a.example/2 https://a.example/3 https://a.example/4", 3,
			[]string{"https://a.example/1", "https://a.example/2", "https://a.example/3"}},
		{"no cap", "https://a.example/1 https://a.example/2 https://a.example/3 https://a.example/4", 0,
			[]string{"https://a.example/1", "https://a.example/2", "https://a.example/3", "https://a.example/4"}},
		{"duplicates", "https://example.com/a https://example.com/a https://EXAMPLE.com/a?utm_source=x", 3, []string{"https://example.com/a"}},
		{"other schemes", "ftp://example.com/a javascript:alert(1) file:///etc/passwd", 3, nil},
		{"glued word", "xhttps://example.com/a", 3, nil},
		{"no host", "https:// and http:///path", 3, nil},
		{"angle ends link", "https://example.com/a<b", 3, []string{"https://example.com/a"}},
		{"mention after", "https://example.com/a <@123>", 3, []string{"https://example.com/a"}},
		{"multibyte path", "voir https://exemple.fr/été…", 3, []string{"https://exemple.fr/été…"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := FindLinks(tt.content, tt.max)
			if !slices.Equal(got, tt.want) {
				t.Errorf("FindLinks(%q, %d) = %q, want %q", tt.content, tt.max, got, tt.want)
			}
		})
	}
}

func TestFindLinksLong(t *testing.T) {
	long := "https://example.com/" + strings.Repeat("a", 3000)
	if got := FindLinks(long, 3); got != nil {
		t.Errorf("FindLinks(3020-byte link) = %d links, want none", len(got))
	}
}

func FuzzFindLinks(f *testing.F) {
	for _, s := range []string{
		"https://example.com", "<https://a.b>", "||https://a.b||", "`https://a.b`", "```https://a.b```",
		"(https://a.b/(c))", "[x](https://a.b)", "https://a.b/\x00", "HTTP://A.B:99999/",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		links := FindLinks(s, 3)
		if len(links) > 3 {
			t.Fatalf("FindLinks(%q) returned %d links, want at most 3", s, len(links))
		}
		for _, l := range links {
			if !isWebLink(l) {
				t.Fatalf("FindLinks(%q) returned %q, not a web link", s, l)
			}
			if !strings.Contains(s, l) {
				t.Fatalf("FindLinks(%q) returned %q, not in the input", s, l)
			}
		}
	})
}

func TestAutoLinksSkipsWhatIsNeverWorthABrief(t *testing.T) {
	msg := "lol https://tenor.com/view/bridge-gif-123 https://media.tenor.com/abc/tenor.gif " +
		"https://giphy.com/gifs/xyz https://media2.giphy.com/media/xyz/giphy.gif " +
		"https://discord.com/channels/1/2/3 https://canary.discord.com/channels/1/2 https://discord.gg/abc " +
		"https://cdn.discordapp.com/emojis/123456.webp?size=48 https://cdn.discordapp.com/attachments/1/2/photo.PNG " +
		"https://media.discordapp.net/attachments/1/2/clip.mp4 https://cdn.discordapp.com/stickers/99.png " +
		"https://example.com/news https://cdn.discordapp.com/attachments/1/2/report.pdf " +
		"https://discord.com/blog/how-discord-stores-messages https://www.youtube.com/watch?v=bridgeVid01"
	got := AutoLinks(msg, 0)
	want := []string{"https://example.com/news", "https://cdn.discordapp.com/attachments/1/2/report.pdf",
		"https://discord.com/blog/how-discord-stores-messages", "https://www.youtube.com/watch?v=bridgeVid01"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("AutoLinks = %q\nwant %q", got, want)
	}
	// The cap counts only links worth a brief.
	if got := AutoLinks("https://tenor.com/a https://tenor.com/b https://tenor.com/c https://a.example/1 https://a.example/2", 1); len(got) != 1 || got[0] != "https://a.example/1" {
		t.Errorf("AutoLinks with a cap of 1 = %q, want the first article", got)
	}
}

func FuzzAutoLinks(f *testing.F) {
	f.Add("https://tenor.com/x https://example.com/a https://cdn.discordapp.com/emojis/1.png")
	f.Add("https://discord.com/channels/%zz https://[::1]/")
	f.Fuzz(func(t *testing.T, s string) {
		got := AutoLinks(s, 3)
		if len(got) > 3 {
			t.Fatalf("AutoLinks(%q, 3) gave %d links", s, len(got))
		}
		for _, l := range got {
			if notWorthBrief(l) {
				t.Fatalf("AutoLinks kept %q", l)
			}
		}
	})
}

func TestMessageLinks(t *testing.T) {
	pdf := Attachment{URL: "https://cdn.discordapp.com/attachments/1/2/paper.pdf?ex=1&is=2&hm=3", Filename: "paper.pdf", ContentType: "application/pdf"}
	txt := Attachment{URL: "https://cdn.discordapp.com/attachments/1/3/notes", Filename: "notes.txt"}
	html := Attachment{URL: "https://cdn.discordapp.com/attachments/1/4/page.htm", Filename: "page.htm", ContentType: "text/html; charset=utf-8"}
	png := Attachment{URL: "https://cdn.discordapp.com/attachments/1/5/cat.png", Filename: "cat.png", ContentType: "image/png"}
	bad := Attachment{URL: "javascript:alert(1)", Filename: "x.pdf"}
	tests := []struct {
		name    string
		content string
		atts    []Attachment
		want    []string
	}{
		{"attachments only", "", []Attachment{png, pdf, txt}, []string{pdf.URL, txt.URL}},
		{"content first", "see https://example.com/a", []Attachment{html}, []string{"https://example.com/a", html.URL}},
		{"capped at three", "https://example.com/a https://example.com/b", []Attachment{pdf, txt, html}, []string{"https://example.com/a", "https://example.com/b", pdf.URL}},
		{"not a web address", "", []Attachment{bad}, nil},
		{"same file twice", "", []Attachment{pdf, pdf}, []string{pdf.URL}},
	}
	for _, tt := range tests {
		if got := MessageLinks(tt.content, tt.atts, 3); !slices.Equal(got, tt.want) {
			t.Errorf("%s: MessageLinks = %q, want %q", tt.name, got, tt.want)
		}
	}
}
