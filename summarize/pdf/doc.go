// Package pdf reads PDF files into the same Article the HTML extractor
// gives: the text in reading order (columns one after the other, words
// spaced from the glyphs' positions, ligatures and line-end hyphens
// undone, running heads, page numbers, footnotes, captions, tables and
// references left out, paragraphs separated by blank lines), with title,
// authors, date and language.
//
// It is its own small PDF reader, written for hostile input: every parse
// is bounded (pages, nesting, decoded bytes, content operators, time via
// the context) and a damaged file is one clear error, never a panic. The
// cross-reference data is rebuilt by a scan when it is broken; encrypted
// files open when their user password is empty (RC4, AES-128, AES-256).
package pdf
