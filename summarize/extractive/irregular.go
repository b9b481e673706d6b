package extractive

// irregular returns the base form of an English irregular verb form or
// plural ("ate" -> "eat", "children" -> "child"), which a suffix stemmer
// leaves alone, so that a question about eating finds the sentence where
// someone ate. Forms that are mostly other words ("saw", "left", "lay",
// "felt") are left out.
func irregular(w string) (string, bool) {
	switch w {
	case "ate", "eaten":
		return "eat", true
	case "was", "were", "been":
		return "be", true
	case "had":
		return "have", true
	case "did", "done":
		return "do", true
	case "went", "gone":
		return "go", true
	case "came":
		return "come", true
	case "seen":
		return "see", true
	case "took", "taken":
		return "take", true
	case "gave", "given":
		return "give", true
	case "got", "gotten":
		return "get", true
	case "made":
		return "make", true
	case "knew", "known":
		return "know", true
	case "thought":
		return "think", true
	case "told":
		return "tell", true
	case "found":
		return "find", true
	case "became":
		return "become", true
	case "began", "begun":
		return "begin", true
	case "kept":
		return "keep", true
	case "held":
		return "hold", true
	case "brought":
		return "bring", true
	case "bought":
		return "buy", true
	case "wrote", "written":
		return "write", true
	case "stood":
		return "stand", true
	case "heard":
		return "hear", true
	case "ran":
		return "run", true
	case "met":
		return "meet", true
	case "paid":
		return "pay", true
	case "sat":
		return "sit", true
	case "spoke", "spoken":
		return "speak", true
	case "led":
		return "lead", true
	case "grew", "grown":
		return "grow", true
	case "lost":
		return "lose", true
	case "fell", "fallen":
		return "fall", true
	case "sent":
		return "send", true
	case "built":
		return "build", true
	case "understood":
		return "understand", true
	case "drew", "drawn":
		return "draw", true
	case "broke", "broken":
		return "break", true
	case "spent":
		return "spend", true
	case "rose", "risen":
		return "rise", true
	case "drove", "driven":
		return "drive", true
	case "won":
		return "win", true
	case "caught":
		return "catch", true
	case "fought":
		return "fight", true
	case "taught":
		return "teach", true
	case "sold":
		return "sell", true
	case "sought":
		return "seek", true
	case "threw", "thrown":
		return "throw", true
	case "flew", "flown":
		return "fly", true
	case "chose", "chosen":
		return "choose", true
	case "wore", "worn":
		return "wear", true
	case "drank", "drunk":
		return "drink", true
	case "swam", "swum":
		return "swim", true
	case "sang", "sung":
		return "sing", true
	case "rode", "ridden":
		return "ride", true
	case "hid", "hidden":
		return "hide", true
	case "bit", "bitten":
		return "bite", true
	case "shot":
		return "shoot", true
	case "slept":
		return "sleep", true
	case "fed":
		return "feed", true
	case "fled":
		return "flee", true
	case "struck", "stricken":
		return "strike", true
	case "stole", "stolen":
		return "steal", true
	case "froze", "frozen":
		return "freeze", true
	case "woke", "woken":
		return "wake", true
	case "forgot", "forgotten":
		return "forget", true
	case "forgave", "forgiven":
		return "forgive", true
	case "hung":
		return "hang", true
	case "dug":
		return "dig", true
	case "shook", "shaken":
		return "shake", true
	case "swore", "sworn":
		return "swear", true
	case "tore", "torn":
		return "tear", true
	case "died":
		return "die", true
	case "lying":
		return "lie", true
	case "children":
		return "child", true
	case "men":
		return "man", true
	case "women":
		return "woman", true
	case "mice":
		return "mouse", true
	case "feet":
		return "foot", true
	case "teeth":
		return "tooth", true
	case "geese":
		return "goose", true
	}
	return "", false
}
