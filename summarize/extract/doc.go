// Package extract turns an HTML page (or plain text) into an Article: its
// readable main text, with paragraphs separated by blank lines, and its
// title, site name, byline, publication date and language.
//
// It also decides when a page is not an article at all (a consent wall, a
// login wall, a paywall teaser, a page that needs JavaScript, an empty page,
// an image gallery, too little text, a list of links such as a section
// front, a category grid or a site's home page, or a page without prose
// such as a spec sheet) and reports that as a *NotArticleError matching
// ErrNotArticle. A forum thread or a Q&A page is read as a discussion
// (Article.Kind KindDiscussion), its posts its text; product, service and
// documentation pages are read when they hold prose.
//
// Extraction never fetches anything: the caller hands over the bytes. Text
// hidden from readers (display:none, the hidden attribute,
// aria-hidden="true", comments, templates, scripts) never reaches
// Article.Text, because hidden text is a common prompt-injection carrier.
// One exception: a page that shows almost nothing while one hidden
// element holds nearly all its text is a page whose content waits for a
// script to fade it in, and that element is read.
package extract
