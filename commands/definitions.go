package commands

// Kind is the type of an application command.
type Kind int

// Command kinds, numbered as Discord numbers them.
const (
	KindSlash   Kind = 1 // CHAT_INPUT
	KindMessage Kind = 3 // MESSAGE context menu
)

// OptionType is the type of a command option.
type OptionType int

// Option types, numbered as Discord numbers them.
const (
	OptionSubcommand OptionType = 1
	OptionString     OptionType = 3
	OptionBoolean    OptionType = 5
	OptionChannel    OptionType = 7
)

// Definition describes one application command for registration.
type Definition struct {
	Kind        Kind
	Name        string
	Description string // "" for context-menu commands
	Options     []OptionDef
	// Permissions is the default member permission needed to see the
	// command (0 = everyone). Admins can change it in the server; the
	// handler checks the member's permissions again.
	Permissions int64
}

// OptionDef describes an option or a subcommand.
type OptionDef struct {
	Type        OptionType
	Name        string
	Description string
	Required    bool
	MaxLength   int         // string options; 0 = Discord's default
	Options     []OptionDef // a subcommand's options
}

// Definitions returns Linkbrief's application commands, all usable in
// servers only. A bulk overwrite with them replaces every command the
// application had.
func Definitions() []Definition {
	return []Definition{
		{
			Kind: KindSlash, Name: CmdSummarize,
			Description: "Summarize a web page, with key claims quoted from it",
			Options: []OptionDef{
				{Type: OptionString, Name: "url", Description: "The link to summarize", Required: true, MaxLength: maxLinkLen},
				{Type: OptionBoolean, Name: "private", Description: "Only you see the brief (no thread)"},
			},
		},
		{Kind: KindMessage, Name: CmdSummarizeIn},
		{
			Kind: KindSlash, Name: CmdAsk,
			Description: "Ask about the article of this Linkbrief thread",
			Options: []OptionDef{
				{Type: OptionString, Name: "question", Description: "Your question", Required: true, MaxLength: 1000},
			},
		},
		{
			Kind: KindSlash, Name: CmdLinkbrief,
			Description: "Linkbrief settings for this server",
			// No default permission: every member may see /linkbrief
			// usage; auto and language check Manage Server in the
			// handler (Discord cannot set a permission per subcommand).
			Options: []OptionDef{
				{Type: OptionSubcommand, Name: SubAuto, Description: "Summarize every link posted in a channel", Options: []OptionDef{
					{Type: OptionBoolean, Name: "enabled", Description: "On or off", Required: true},
					{Type: OptionChannel, Name: "channel", Description: "The channel (default: this one)"},
				}},
				{Type: OptionSubcommand, Name: SubLanguage, Description: "The language briefs are written in", Options: []OptionDef{
					{Type: OptionString, Name: "code", Description: "A language code such as en or pt-BR, or auto", Required: true, MaxLength: 35},
				}},
				{Type: OptionSubcommand, Name: SubUsage, Description: "This server's usage today and its limits"},
			},
		},
	}
}
