// Package llm summarizes articles and answers questions about them with a
// language model behind any OpenAI-compatible chat completions API
// (OpenAI, Ollama, llama.cpp, vLLM, LM Studio...). It is Linkbrief's only
// user of go-openai.
//
// A Client asks for JSON output with response_format json_schema, falls
// back to json_object and then to plain prompting with a tolerant parser
// (ParseSummary), and remembers what the server accepted. The article is
// untrusted data: it travels inside a fence whose boundary the article
// cannot forge, and the system prompt tells the model to ignore any
// instruction found there; the model is given no tools.
//
// Calls are retried with backoff on rate limits and server errors,
// honouring Retry-After; each call has its own timeout; every failure is an
// *Error whose Kind has a sentence that is safe to show users. Articles
// longer than the token budget are summarized in chunks that are then
// merged (map-reduce); when even that cannot cover the whole text, the
// result says so with Truncated.
package llm
