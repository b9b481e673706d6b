// Package extractive is Linkbrief's offline summarizer: it needs no model
// files and no network, and gives the same output for the same input.
//
// It splits an article into sentences (Sentences), picks the sentences that
// best summarize it and the ones that carry the most checkable facts
// (Summarize), and answers follow-up questions by quoting the most relevant
// passages (Answer). Every sentence it returns is a verbatim substring of the
// input, so the pipeline can verify it as a quote.
//
// Ranking is unsupervised: a position prior (news puts the gist first),
// centrality against the title and the whole article, directed centrality
// (how much later sentences echo a sentence), the share of the article's
// important vocabulary a sentence adds per word, and penalties for captions,
// questions, teasers that address the reader and redundancy with sentences
// already chosen. A summary has two or three sentences whatever the
// article's length, as news highlights do. Boilerplate (bylines, "Scroll
// down for video", time stamps, share prompts, sports line-ups, and photo
// captions glued to the text without a full stop) is never chosen, and
// neither is a piece that is not a real sentence (cut mid-quote or
// mid-sentence, mostly a link, a photo credit, a list of names) unless the
// article has nothing else. Claims add to the summary: a summary sentence
// is a claim only when the article has nothing more to offer, and claims
// come in the order of what they add. BenchmarkDevROUGE measures all this
// against lead-3 on the dev yardstick, on each half of it and on the XSum
// rows, and counts claims that repeat a summary sentence.
//
// Every script is split by its own rules (。！？, the danda, ። ։ ؟ ။ ។, "."
// before a letter without case; Thai and Lao at the spaces between
// sentences), ranked on word units that fit it (character n-grams where
// words are not spaced), and measured by Words, in which a Chinese or
// Japanese character is half a word.
package extractive
