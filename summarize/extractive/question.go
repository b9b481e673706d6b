package extractive

import (
	"strings"
	"unicode"
)

// answerKind is what a question asks for.
type answerKind int

const (
	anyKind    answerKind = iota
	personKind            // who
	placeKind             // where
	timeKind              // when
	numberKind            // how many, how much
)

// kindBoost multiplies the score of a passage that holds what the question
// asks for.
const kindBoost = 1.6

// questionKind tells what a question asks for from its question words, in
// English and a few other languages.
func questionKind(q string) answerKind {
	low := " " + strings.Join(strings.FieldsFunc(strings.ToLower(q), func(r rune) bool {
		return !isWordRune(r) && r != '\''
	}), " ") + " "
	has := func(ws ...string) bool {
		for _, w := range ws {
			if strings.Contains(low, " "+w+" ") {
				return true
			}
		}
		return false
	}
	switch {
	case has("how many", "how much", "how long", "how old", "how far", "how big", "how large", "how often",
		"what percentage", "what share", "what number", "combien", "cuántos", "cuántas", "cuánto",
		"wie viele", "wie viel", "сколько", "quanti", "quante", "quanto", "quantos", "quantas"):
		return numberKind
	case has("when", "what time", "what year", "what date", "which year", "which day", "what day",
		"quand", "cuándo", "wann", "когда", "quando"):
		return timeKind
	case has("where", "which city", "what city", "which country", "what country", "which town",
		"où", "dónde", "wo", "где", "dove", "onde"):
		return placeKind
	case has("who", "whom", "whose", "qui", "quién", "quiénes", "wer", "кто", "chi", "quem"):
		return personKind
	}
	// Chinese, Japanese and Korean write their question words inside the
	// sentence, with no space around them.
	switch {
	case containsAny(q, "いくら", "何人", "何回", "何年", "何本", "何台", "多少", "几", "몇", "얼마"):
		return numberKind
	case containsAny(q, "いつ", "何時", "何日", "什么时候", "何时", "哪天", "哪年", "언제"):
		return timeKind
	case containsAny(q, "どこ", "哪里", "哪儿", "何处", "어디"):
		return placeKind
	case containsAny(q, "誰", "だれ", "谁", "누구", "누가"):
		return personKind
	}
	return anyKind
}

func containsAny(s string, subs ...string) bool {
	for _, sub := range subs {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}

// answersKind reports whether the passage s holds something of kind k.
func answersKind(s string, k answerKind) bool {
	words := strings.Fields(s)
	switch k {
	case numberKind:
		for _, w := range tokens(s) {
			if isNumber(w) || numberWord(w) || strings.ContainsFunc(w, unicode.IsDigit) {
				return true
			}
		}
	case timeKind:
		// "3日", "2025年", "5일": a number with a date's unit.
		if dateUnitAfterDigit(s) {
			return true
		}
		for _, w := range tokens(s) {
			if (isDateWord(w) && w != "may" && w != "am") || timeWord(w) || (len(w) == 4 && isNumber(w) && (w[:2] == "19" || w[:2] == "20")) {
				return true
			}
		}
	case placeKind:
		// A named place: "in Grand Junction", "Memorial Regional Hospital".
		for i, w := range words {
			lw := strings.ToLower(strings.Trim(w, ",.;:()\"'"))
			if i > 0 && placeNoun(lw) && isCapitalized(w) {
				return true
			}
			if i+1 < len(words) && isCapitalized(words[i+1]) {
				switch lw {
				case "in", "at", "from", "near", "to", "outside", "inside", "into":
					return true
				}
			}
		}
	case personKind:
		for i := 1; i+1 < len(words); i++ {
			if isCapitalized(words[i]) && isCapitalized(words[i+1]) {
				return true // a name: "Susan Patel", "Dr. Patel"
			}
		}
	}
	return false
}

// dateUnitAfterDigit reports a digit followed by a Chinese, Japanese or
// Korean unit of date or time.
func dateUnitAfterDigit(s string) bool {
	prevDigit := false
	for _, r := range s {
		if prevDigit {
			switch r {
			case '年', '月', '日', '時', '时', '년', '월', '일', '시':
				return true
			}
		}
		prevDigit = unicode.IsDigit(r)
	}
	return false
}

func isCapitalized(w string) bool {
	w = strings.TrimLeft(w, "\"'“‘(")
	r := firstRune(w)
	return unicode.IsUpper(r) && len(w) > 1
}

func numberWord(w string) bool {
	switch w {
	case "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
		"eleven", "twelve", "fifteen", "twenty", "thirty", "forty", "fifty", "hundred",
		"hundreds", "thousand", "thousands", "million", "millions", "billion", "dozen",
		"dozens", "half", "twice", "percent":
		return true
	}
	return false
}

func timeWord(w string) bool {
	switch w {
	case "yesterday", "today", "tomorrow", "ago", "tonight", "morning", "afternoon",
		"evening", "night", "week", "weeks", "month", "months", "year", "years",
		"spring", "summer", "autumn", "fall", "winter", "weekend", "midnight", "noon",
		"early", "late", "since", "until", "decade", "century":
		return true
	}
	return false
}

func placeNoun(w string) bool {
	switch w {
	case "hospital", "clinic", "city", "town", "village", "county", "state", "country",
		"province", "region", "street", "road", "avenue", "airport", "station", "school",
		"university", "centre", "center", "park", "river", "island", "capital", "port",
		"district", "neighbourhood", "neighborhood", "border", "coast", "mountains":
		return true
	}
	return false
}
