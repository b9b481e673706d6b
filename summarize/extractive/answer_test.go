package extractive

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestAnswer(t *testing.T) {
	tests := []struct {
		question string
		ok       bool
		want     string // a passage that must be among the answers
	}{
		{"When was the Solar Dynamics Observatory launched?", true, "The Solar Dynamics Observatory, launched in February 2010, recorded the eruption in extreme ultraviolet light."},
		{"What class was the flare?", true, "Dr. Alex Young, a solar physicist at Goddard, said the flare was classed X2.2, the strongest category."},
		{"Can flares disrupt GPS signals?", true, "Flares of this size can disrupt radio communications and GPS signals for about an hour."},
		{"what is the sunspot group called", true, "The sunspot group, known as AR 2297, has produced 12 smaller flares this week."},
		{"Who won the football match on Saturday?", false, ""},
		{"What is the price of bitcoin?", false, ""},
		{"What did the article say?", false, ""},
		{"", false, ""},
	}
	for _, tt := range tests {
		got, ok := Answer(article, tt.question, 0)
		if ok != tt.ok {
			t.Errorf("Answer(%q) ok = %v (passages %q), want %v", tt.question, ok, got, tt.ok)
			continue
		}
		if !ok {
			if len(got) != 0 {
				t.Errorf("Answer(%q) = %q with ok false, want no passages", tt.question, got)
			}
			continue
		}
		if len(got) == 0 || len(got) > DefaultMaxPassages {
			t.Errorf("Answer(%q): %d passages, want 1-%d", tt.question, len(got), DefaultMaxPassages)
		}
		if got[0] != tt.want {
			t.Errorf("Answer(%q) best = %q, want %q", tt.question, got[0], tt.want)
		}
		for _, p := range got {
			if !strings.Contains(article, p) {
				t.Errorf("Answer(%q): passage %q is not verbatim", tt.question, p)
			}
		}
	}
}

func TestAnswerMax(t *testing.T) {
	text := "The flare was strong. The flare was bright. The flare was long. The flare was new. Cats sleep."
	for _, max := range []int{1, 2, 3} {
		got, ok := Answer(text, "Tell me about the flare", max)
		if !ok || len(got) != max {
			t.Errorf("Answer(max %d) = %q, %v; want %d passages", max, got, ok, max)
		}
	}
}

// caseReport and bridgeNews are real-ish articles for TestAnswerQuestions.
const caseReport = `A 62-year-old man from rural Colorado became seriously ill with tularemia last summer, state health officials reported on Thursday.

The patient had hunted and ate a wild rabbit about a week before his symptoms began, according to the report.

He developed a high fever, swollen lymph nodes and a painful ulcer on his hand, and his condition worsened over several days.

Hospitalized patients with tularemia usually need two weeks of antibiotics, the report said.

The patient was hospitalized at Memorial Regional Hospital in Grand Junction, where doctors treated him for 14 days.

Tularemia is caused by the bacterium Francisella tularensis, which infects rabbits, hares and rodents.

Dr. Susan Patel, the state epidemiologist, said hunters should wear gloves when handling wild animals and cook the meat thoroughly.

Colorado recorded 11 cases of tularemia in 2025, up from six the year before.

The patient recovered and was discharged from the hospital in early September.`

const bridgeNews = `The Riverton city council voted seven to two on Tuesday to approve the new river bridge, ending a debate that lasted more than two decades.

Construction of the bridge is expected to cost 41.5 million dollars, according to the city engineer, who presented the final plans at the meeting.

Work on the bridge will start in March and take three years.

"We have waited for this bridge since 1998," said Mayor Ana Ruiz, who called the vote historic.

Critics said the bridge money should go to repairing existing roads, which they described as crumbling.

The state has promised to pay for half of the bridge, while the rest will come from a bond.`

// TestAnswerQuestions is a table of questions people ask about articles:
// the answer must be the sentence that answers, found through other word
// forms (ate for eat) and the kind of thing asked for (who, where, when,
// how many).
func TestAnswerQuestions(t *testing.T) {
	tests := []struct {
		text, question string
		want           string // the best passage; "" = the article doesn't say
	}{
		{caseReport, "What did the patient eat?", "The patient had hunted and ate a wild rabbit about a week before his symptoms began, according to the report."},
		{caseReport, "What did the man eat?", "The patient had hunted and ate a wild rabbit about a week before his symptoms began, according to the report."},
		{caseReport, "Where was the patient hospitalized?", "The patient was hospitalized at Memorial Regional Hospital in Grand Junction, where doctors treated him for 14 days."},
		{caseReport, "Who is the state epidemiologist?", "Dr. Susan Patel, the state epidemiologist, said hunters should wear gloves when handling wild animals and cook the meat thoroughly."},
		{caseReport, "When was the patient discharged?", "The patient recovered and was discharged from the hospital in early September."},
		{caseReport, "How many cases of tularemia were there in Colorado?", "Colorado recorded 11 cases of tularemia in 2025, up from six the year before."},
		{caseReport, "What causes tularemia?", "Tularemia is caused by the bacterium Francisella tularensis, which infects rabbits, hares and rodents."},
		{caseReport, "Who won the election?", ""},
		{bridgeNews, "How much will the bridge cost?", "Construction of the bridge is expected to cost 41.5 million dollars, according to the city engineer, who presented the final plans at the meeting."},
		{bridgeNews, "When will work on the bridge start?", "Work on the bridge will start in March and take three years."},
		{bridgeNews, "Who called the vote historic?", `"We have waited for this bridge since 1998," said Mayor Ana Ruiz, who called the vote historic.`},
		{bridgeNews, "Who pays for the bridge?", "The state has promised to pay for half of the bridge, while the rest will come from a bond."},
		{bridgeNews, "What is the price of bitcoin?", ""},
	}
	for _, tt := range tests {
		got, ok := Answer(tt.text, tt.question, 0)
		if tt.want == "" {
			if ok {
				t.Errorf("Answer(%q) = %q, want the article doesn't say", tt.question, got)
			}
			continue
		}
		if !ok || len(got) == 0 || got[0] != tt.want {
			t.Errorf("Answer(%q) = %q, %v; want first %q", tt.question, got, ok, tt.want)
		}
	}
}

// TestAnswerScripts asks about the articles in other languages, in their
// language: the answer is the sentence that holds the number or date asked
// for.
func TestAnswerScripts(t *testing.T) {
	tests := []struct {
		lang, file, question, want string
	}{
		{"ja", "ja.txt", "建設費はいくらですか？", "建設費は約42億円で、市が10年かけて計画してきた事業だ。"},
		{"ja", "ja.txt", "分館の本はいつ新館へ移されますか？", "市によると、分館の本は来年3月までに新館へ移される予定だ。"},
		{"zh", "zh.txt", "通车首日有多少辆汽车经过大桥？", "据市交通局统计，通车首日共有约3.2万辆汽车经过大桥。"},
		{"ko", "ko.txt", "시범 운영은 버스 몇 대에서 시작하나요?", "시는 올해 하반기에 버스 200대에서 시범 운영을 먼저 시작한다."},
		{"es", "es.txt", "¿Cuántas personas visitaron el parque?", "Según el Ayuntamiento, unas 15.000 personas visitaron el parque el primer día."},
		{"ru", "ru.txt", "Сколько автомобилей проехали по мосту в первый день?", "По словам главы городского транспорта, в первый день по мосту проехали около 40 тыс. автомобилей."},
		{"de", "de.txt", "Wie viele Fahrgäste fuhren am ersten Tag?", "Nach Angaben der Verkehrsbetriebe fuhren am ersten Tag etwa 18.000 Fahrgäste mit der neuen Bahn."},
	}
	for _, tt := range tests {
		raw, err := os.ReadFile(filepath.Join("..", "testdata", "lang", tt.file))
		if err != nil {
			t.Fatal(err)
		}
		got, ok := AnswerIn(tt.lang, string(raw), tt.question, 0)
		if !ok || got[0] != tt.want {
			t.Errorf("AnswerIn(%s, %q) = %q, %v; want first %q", tt.lang, tt.question, got, ok, tt.want)
		}
	}
}
