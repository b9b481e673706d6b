// Package extract turns an HTML page (or plain text) into an Article: its
// readable main text, with paragraphs separated by blank lines, and its
// title, site name, byline, publication date and language.
//
// It also decides when a page is not an article at all (a consent wall, a
// login wall, a paywall teaser, a page that needs JavaScript, an empty page,
// an image gallery, or too little text) and reports that as a
// *NotArticleError matching ErrNotArticle.
//
// Extraction never fetches anything: the caller hands over the bytes. Text
// hidden from readers (display:none, the hidden attribute,
// aria-hidden="true", comments, templates, scripts) never reaches
// Article.Text, because hidden text is a common prompt-injection carrier.
// One exception: a page that shows almost nothing while one hidden
// element holds nearly all its text is a page whose content waits for a
// script to fade it in, and that element is read.
package extract
