package bot

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"sync"

	"github.com/bwmarrin/discordgo"
)

// apiPath matches the path of a Discord REST base such as "/api/v9/"
// (an optional prefix is allowed, for REST proxies mounted below a path).
var apiPath = regexp.MustCompile(`^(.*/)api/v([1-9][0-9]*)/$`)

// endpointsMu serialises SetAPIBase's writes to discordgo's endpoint
// variables.
var endpointsMu sync.Mutex

// SetAPIBase points discordgo at the Discord REST base apiURL, such as
// "https://discord.com/api/v9/" or a local test server's
// "http://127.0.0.1:1234/api/v9/". The scheme must be http or https and the
// path must end in /api/v<N>/ (a missing final slash is added).
//
// discordgo computes its endpoint strings once, at package initialisation,
// so SetAPIBase re-derives every one of them (REST, gateway, webhooks,
// applications, OAuth2) from apiURL. It mutates discordgo's package
// variables: one process talks to one Discord. That is a documented
// exception to Linkbrief's rule against package-level state, forced by the
// library. Calling it again with the same value changes nothing and is safe
// while sessions run; call it with a new value only before any discordgo
// session of the process is in use.
func SetAPIBase(apiURL string) error {
	base, version, err := parseAPIBase(apiURL)
	if err != nil {
		return err
	}

	endpointsMu.Lock()
	defer endpointsMu.Unlock()
	if base == discordgo.EndpointAPI {
		return nil
	}
	root := strings.TrimSuffix(base, "api/v"+version+"/")

	discordgo.APIVersion = version
	discordgo.EndpointDiscord = root
	discordgo.EndpointAPI = base
	discordgo.EndpointGuilds = base + "guilds/"
	discordgo.EndpointChannels = base + "channels/"
	discordgo.EndpointUsers = base + "users/"
	discordgo.EndpointGateway = base + "gateway"
	discordgo.EndpointGatewayBot = discordgo.EndpointGateway + "/bot"
	discordgo.EndpointWebhooks = base + "webhooks/"
	discordgo.EndpointStickers = base + "stickers/"
	discordgo.EndpointStageInstances = base + "stage-instances"
	discordgo.EndpointSKUs = base + "skus"
	// discordgo's own values carry the double slash too ("v9//voice/").
	discordgo.EndpointVoice = base + "/voice/"
	discordgo.EndpointVoiceRegions = discordgo.EndpointVoice + "regions"
	discordgo.EndpointNitroStickersPacks = base + "/sticker-packs"
	discordgo.EndpointGuildCreate = base + "guilds"
	discordgo.EndpointApplications = base + "applications"
	discordgo.EndpointOAuth2 = base + "oauth2/"
	discordgo.EndpointOAuth2Applications = discordgo.EndpointOAuth2 + "applications"
	discordgo.EndpointOauth2 = discordgo.EndpointOAuth2
	discordgo.EndpointOauth2Applications = discordgo.EndpointOAuth2Applications
	return nil
}

// parseAPIBase validates apiURL and returns it normalised with a final slash,
// along with the API version number it names.
func parseAPIBase(apiURL string) (base, version string, err error) {
	u, err := url.Parse(strings.TrimSpace(apiURL))
	if err != nil {
		return "", "", fmt.Errorf("bot: discord api url %q: %w", apiURL, err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return "", "", fmt.Errorf("bot: discord api url %q: scheme must be http or https", apiURL)
	}
	if u.Host == "" {
		return "", "", fmt.Errorf("bot: discord api url %q: missing host", apiURL)
	}
	if u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return "", "", fmt.Errorf("bot: discord api url %q: must not carry credentials, a query or a fragment", apiURL)
	}
	p := u.EscapedPath()
	if !strings.HasSuffix(p, "/") {
		p += "/"
	}
	m := apiPath.FindStringSubmatch(p)
	if m == nil {
		return "", "", fmt.Errorf("bot: discord api url %q: path must end with /api/v<N>/", apiURL)
	}
	return u.Scheme + "://" + u.Host + p, m[2], nil
}
