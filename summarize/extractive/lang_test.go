package extractive

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestSentencesScripts(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []string
	}{
		{"Japanese full stops, no spaces",
			"北浜市は図書館を開館した。建設費は約42億円だ！本当か？",
			[]string{"北浜市は図書館を開館した。", "建設費は約42億円だ！", "本当か？"}},
		{"Japanese quotation inside a sentence",
			"市長は「本は町の宝です。毎日来てください。」と述べた。初日は混雑した。",
			[]string{"市長は「本は町の宝です。毎日来てください。」と述べた。", "初日は混雑した。"}},
		{"Chinese with a closing quotation mark",
			"他表示：“这座桥很重要。”大桥全长2.4公里。",
			[]string{"他表示：“这座桥很重要。”", "大桥全长2.4公里。"}},
		{"full-width stops", "第一句．第二句｡第三句",
			[]string{"第一句．", "第二句｡", "第三句"}},
		{"Korean, no capitals after the period",
			"서울시는 5일 밝혔다. 시에 따르면 예산은 120억 원이다.",
			[]string{"서울시는 5일 밝혔다.", "시에 따르면 예산은 120억 원이다."}},
		{"Hindi danda",
			"जयपुर में नई बसें चलेंगी। इस पर 900 करोड़ रुपये खर्च होंगे। क्या भीड़ कम होगी?",
			[]string{"जयपुर में नई बसें चलेंगी।", "इस पर 900 करोड़ रुपये खर्च होंगे।", "क्या भीड़ कम होगी?"}},
		{"Amharic full stop and word space",
			"መስመሩ፡ከቦሌ፡እስከ፡መርካቶ፡ይዘልቃል። ተማሪዎች፡በግማሽ፡ዋጋ፡መጓዝ፡ይችላሉ።",
			[]string{"መስመሩ፡ከቦሌ፡እስከ፡መርካቶ፡ይዘልቃል።", "ተማሪዎች፡በግማሽ፡ዋጋ፡መጓዝ፡ይችላሉ።"}},
		{"Arabic question mark and period",
			"هل تكفي هذه الكمية؟ وقال الوزير إن المحطة جديدة. وأضاف أن المياه ستصل.",
			[]string{"هل تكفي هذه الكمية؟", "وقال الوزير إن المحطة جديدة.", "وأضاف أن المياه ستصل."}},
		{"Hebrew", "הקו נפתח ביום שלישי. ביום הראשון נסעו בו רבים.",
			[]string{"הקו נפתח ביום שלישי.", "ביום הראשון נסעו בו רבים."}},
		{"Armenian full stop", "Քաղաքում բացվեց նոր կամուրջ։ Այն երկար է։",
			[]string{"Քաղաքում բացվեց նոր կամուրջ։", "Այն երկար է։"}},
		{"Burmese section mark",
			"စာကြည့်တိုက်အသစ် ဖွင့်လှစ်ခဲ့သည်။ စာအုပ်ပေါင်း ၂၅,၀၀၀ ကျော် ထားရှိသည်။",
			[]string{"စာကြည့်တိုက်အသစ် ဖွင့်လှစ်ခဲ့သည်။", "စာအုပ်ပေါင်း ၂၅,၀၀၀ ကျော် ထားရှိသည်။"}},
		{"Spanish inverted question mark",
			"Valencia tiene un parque nuevo. ¿Será suficiente el aparcamiento? Algunos dudan.",
			[]string{"Valencia tiene un parque nuevo.", "¿Será suficiente el aparcamiento?", "Algunos dudan."}},
		{"French guillemets set off by spaces",
			"La maire a dit « nous sommes prêts. » Plus de 6 000 visiteurs sont venus.",
			[]string{"La maire a dit « nous sommes prêts. »", "Plus de 6 000 visiteurs sont venus."}},
		{"German ordinal date and abbreviation",
			"Die Stadt will bis zum 1. Oktober Bäume pflanzen, z. B. Linden. Die Bahn fährt.",
			[]string{"Die Stadt will bis zum 1. Oktober Bäume pflanzen, z. B. Linden.", "Die Bahn fährt."}},
		{"Russian abbreviations before lower case",
			"Проехали около 40 тыс. автомобилей. Мост открыт.",
			[]string{"Проехали около 40 тыс. автомобилей.", "Мост открыт."}},
		{"a quotation left open is not waited for past a new one",
			`"The area has been the centre of the trade since medieval times. "Today, it keeps its name," she said.`,
			[]string{`"The area has been the centre of the trade since medieval times.`, `"Today, it keeps its name," she said.`}},
		{"a year glued to the next sentence",
			"The club won the cup in 2015.Defeat for the Blues means they are out.",
			[]string{"The club won the cup in 2015.", "Defeat for the Blues means they are out."}},
		{"a quotation of two sentences stays whole",
			`"I was scared. I did not know what to do," she said. Police came.`,
			[]string{`"I was scared. I did not know what to do," she said.`, "Police came."}},
	}
	for _, tt := range tests {
		if got := Sentences(tt.in); !slices.Equal(got, tt.want) {
			t.Errorf("%s: Sentences(%q)\n got %q\nwant %q", tt.name, tt.in, got, tt.want)
		}
	}
}

// TestSentencesThai cuts Thai, which marks no sentence end, at the spaces
// between sentences into units a reader can take in, but not at the space
// inside a name.
func TestSentencesThai(t *testing.T) {
	in := "กรุงเทพมหานครเปิดสวนสาธารณะแห่งใหม่ริมแม่น้ำเจ้าพระยาเมื่อวันเสาร์ที่ผ่านมา " +
		"นายสมชาย ใจดี ผู้อำนวยการสำนักสิ่งแวดล้อมกล่าวว่าสวนแห่งนี้จะเป็นพื้นที่สีเขียวสำหรับทุกคน " +
		"สวนเปิดทุกวัน"
	want := []string{
		"กรุงเทพมหานครเปิดสวนสาธารณะแห่งใหม่ริมแม่น้ำเจ้าพระยาเมื่อวันเสาร์ที่ผ่านมา",
		"นายสมชาย ใจดี ผู้อำนวยการสำนักสิ่งแวดล้อมกล่าวว่าสวนแห่งนี้จะเป็นพื้นที่สีเขียวสำหรับทุกคน สวนเปิดทุกวัน",
	}
	if got := Sentences(in); !slices.Equal(got, want) {
		t.Errorf("Sentences(Thai)\n got %q\nwant %q", got, want)
	}
}

// TestSentencesLongUnits cuts a "sentence" with no full stop at clause
// marks so that no unit is longer than maxUnitWords.
func TestSentencesLongUnits(t *testing.T) {
	zh := strings.Repeat("大桥设有双向六车道，", 40)
	en := strings.Repeat("the council met and voted, ", 60)
	for _, in := range []string{zh, en} {
		got := Sentences(in)
		if len(got) < 2 {
			t.Errorf("Sentences(%.30q...) = %d units, want it cut", in, len(got))
		}
		for _, s := range got {
			if Words(s) > maxUnitWords {
				t.Errorf("unit of %d words > %d: %.40q", Words(s), maxUnitWords, s)
			}
			if !strings.Contains(in, s) {
				t.Errorf("unit %.40q is not verbatim", s)
			}
		}
	}
}

func TestWords(t *testing.T) {
	tests := []struct {
		in   string
		want int
	}{
		{"The council's vote", 4}, // as the ROUGE tokenizer: council, s
		{"北浜市は図書館を開館した。", 6},
		{"서울시는 5일 밝혔다.", 3},
		{"መስመሩ፡ከቦሌ፡እስከ፡መርካቶ", 4},
		{"जयपुर में नई बसें", 4},
		{"می‌شود و کتاب‌ها", 3},
		{"กรุงเทพมหานคร", 3},
	}
	for _, tt := range tests {
		if got := Words(tt.in); got != tt.want {
			t.Errorf("Words(%q) = %d, want %d", tt.in, got, tt.want)
		}
	}
}

func TestContentStemsScripts(t *testing.T) {
	st := newStemmer("")
	tests := []struct {
		in   string
		want []string
	}{
		{"大桥通车", []string{"大桥", "桥通", "通车"}},
		{"図書館を開館", []string{"図書", "書館", "開館"}},
		{"서울시는 밝혔다", []string{"서울", "밝혔"}},
		{"The patient ate", []string{"patient", "eat"}},
		{"Мосты открыли", []string{"мост", "откр"}},
	}
	for _, tt := range tests {
		if got := st.contentStems(tt.in); !slices.Equal(got, tt.want) {
			t.Errorf("contentStems(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestJoin(t *testing.T) {
	tests := []struct {
		in   []string
		want string
	}{
		{[]string{"北浜市は開館した。", "建設費は42億円だ。"}, "北浜市は開館した。建設費は42億円だ。"},
		{[]string{"他表示：“很重要。”", "大桥很长。"}, "他表示：“很重要。”大桥很长。"},
		{[]string{"One.", "Two."}, "One. Two."},
		{[]string{"जयपुर में बसें चलेंगी।", "खर्च होगा।"}, "जयपुर में बसें चलेंगी। खर्च होगा।"},
	}
	for _, tt := range tests {
		if got := Join(tt.in); got != tt.want {
			t.Errorf("Join(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestSummarizeEveryLanguage summarizes a short news article in each
// language of the fixtures: never an empty summary, one to five verbatim
// sentences within MaxSummaryWords, at least two distinct claims, each a
// sentence of the article, and the zero-width joiners of the source kept.
func TestSummarizeEveryLanguage(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "testdata", "lang", "*.txt"))
	if err != nil {
		t.Fatal(err)
	}
	have := map[string]bool{}
	for _, f := range files {
		lang := strings.TrimSuffix(filepath.Base(f), ".txt")
		have[lang] = true
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		title, text, _ := strings.Cut(string(raw), "\n\n")
		sents := Sentences(text)
		got := Summarize(title, text, Options{Lang: lang})
		if n := len(got.Sentences); n < 1 || n > 5 {
			t.Errorf("%s: %d summary sentences, want 1-5", lang, n)
		}
		if w := Words(Join(got.Sentences)); w > MaxSummaryWords {
			t.Errorf("%s: summary of %d words > %d", lang, w, MaxSummaryWords)
		}
		for _, s := range append(slices.Clone(got.Sentences), got.Claims...) {
			if !slices.Contains(sents, s) {
				t.Errorf("%s: %q is not a sentence of the article", lang, s)
			}
		}
		distinct := slices.Compact(slices.Sorted(slices.Values(got.Claims)))
		if len(distinct) < 2 {
			t.Errorf("%s: claims %q, want at least 2 distinct", lang, got.Claims)
		}
		if j := strings.Count(text, "\u200c") + strings.Count(text, "\u200d"); j > 0 {
			kept := 0
			for _, s := range append(got.Sentences, got.Claims...) {
				kept += strings.Count(s, "\u200c") + strings.Count(s, "\u200d")
			}
			if kept == 0 {
				t.Errorf("%s: no zero-width joiner survived in %q", lang, got)
			}
		}
	}
	for _, lang := range []string{"ja", "zh", "ko", "th", "hi", "ar", "ru", "de", "es"} {
		if !have[lang] {
			t.Errorf("no fixture for %s", lang)
		}
	}
}
