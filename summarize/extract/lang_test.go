package extract

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestDetectLangEveryScript detects the language of a short news article
// in each language the offline summarizer is tested on, with no declared
// language to lean on.
func TestDetectLangEveryScript(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "testdata", "lang", "*.txt"))
	if err != nil || len(files) < 16 {
		t.Fatalf("fixtures: %v, %d files", err, len(files))
	}
	for _, f := range files {
		want := strings.TrimSuffix(filepath.Base(f), ".txt")
		body, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if got := detectLang(string(body), ""); got != want {
			t.Errorf("detectLang(%s) = %q, want %q", f, got, want)
		}
	}
}

func TestDetectLangSmall(t *testing.T) {
	tests := []struct{ text, declared, want string }{
		// More kanji than kana is still Japanese.
		{"東京都知事選挙の投票率は前回選挙を大幅に上回る見通しと発表された。", "", "ja"},
		{"北京市政府今天宣布新的交通政策将于明年实施。", "", "zh"},
		{"Wananchi wa kijiji hicho walisema kwamba maji ni shida kubwa katika eneo hilo na kwa sasa hakuna msaada.", "", "sw"},
		{"The council said the bridge would open in the spring, and that the road would close for a week.", "", "en"},
		{"anything", "pt-BR", "pt"},
	}
	for _, tt := range tests {
		if got := detectLang(tt.text, tt.declared); got != tt.want {
			t.Errorf("detectLang(%q, %q) = %q, want %q", tt.text, tt.declared, got, tt.want)
		}
	}
}

func TestCountWordsScripts(t *testing.T) {
	tests := []struct {
		text string
		want int
	}{
		{"one two  three", 3},
		{"北浜市は", 4},
		{"የአዲስ፡አበባ፡ከተማ፡አስተዳደር", 4},
		// Eight Thai letters (the vowel signs do not count) are two words.
		{"กรุงเทพมหานคร", 3},
		{"a\u200cb", 1},
	}
	for _, tt := range tests {
		if got := countWords(tt.text); got != tt.want {
			t.Errorf("countWords(%q) = %d, want %d", tt.text, got, tt.want)
		}
	}
}

func TestFromTextKeepsJoiners(t *testing.T) {
	text := strings.Repeat("کتاب‌ها را در کتابخانه‌ی مرکزی نگه‌داری می‌کنند و هر روز می‌خوانند. ", 10)
	art, err := FromText([]byte(text), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := strings.Count(art.Text, "\u200c"), strings.Count(text, "\u200c"); got != want {
		t.Errorf("FromText kept %d zero-width non-joiners, want %d", got, want)
	}
}
