package commands

import (
	"net/url"
	"path"
	"strings"
)

// AutoLinks is FindLinks for auto mode: links never worth a brief —
// Discord message links and invites, Discord CDN images, stickers and
// emoji, GIF hosts — are left out quietly, before the cap of max.
func AutoLinks(content string, max int) []string {
	var out []string
	for _, link := range FindLinks(content, 0) {
		if notWorthBrief(link) {
			continue
		}
		out = append(out, link)
		if max > 0 && len(out) == max {
			break
		}
	}
	return out
}

// gifHosts serve reaction GIFs and stickers, never something to read.
var gifHosts = []string{"tenor.com", "giphy.com", "gph.is", "gfycat.com", "imgflip.com"}

// mediaExts are the file types of images and clips on Discord's CDN;
// documents there (a PDF, a text file) are worth a brief.
var mediaExts = map[string]bool{
	".png": true, ".jpg": true, ".jpeg": true, ".gif": true, ".webp": true, ".avif": true,
	".bmp": true, ".svg": true, ".mp4": true, ".mov": true, ".webm": true, ".mp3": true, ".ogg": true,
}

// notWorthBrief reports whether a link is one that auto mode skips.
func notWorthBrief(link string) bool {
	u, err := url.Parse(link)
	if err != nil {
		return false
	}
	h := strings.TrimSuffix(strings.ToLower(u.Hostname()), ".")
	p := strings.ToLower(u.Path)
	for _, g := range gifHosts {
		if h == g || strings.HasSuffix(h, "."+g) {
			return true
		}
	}
	switch h {
	case "discord.com", "discordapp.com", "www.discord.com", "ptb.discord.com", "canary.discord.com":
		return strings.HasPrefix(p, "/channels/") || strings.HasPrefix(p, "/invite/")
	case "discord.gg":
		return true
	case "cdn.discordapp.com", "media.discordapp.net", "images-ext-1.discordapp.net", "images-ext-2.discordapp.net":
		if strings.HasPrefix(p, "/emojis/") || strings.HasPrefix(p, "/stickers/") || strings.HasPrefix(p, "/avatars/") ||
			strings.HasPrefix(p, "/external/") || strings.HasPrefix(p, "/icons/") {
			return true
		}
		return mediaExts[path.Ext(p)]
	}
	return false
}
