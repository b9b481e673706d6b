package commands

import (
	"fmt"
	"strings"
	"testing"
)

// TestLinkbriefUsageForEveryMember: /linkbrief is registered without a
// default permission, so every member sees /linkbrief usage; the settings
// subcommands are refused by the handler to a member without Manage
// Server, and change nothing.
func TestLinkbriefUsageForEveryMember(t *testing.T) {
	var def *Definition
	for _, d := range Definitions() {
		if d.Name == CmdLinkbrief {
			def = &d
		}
	}
	if def == nil {
		t.Fatal("no /linkbrief definition")
	}
	if def.Permissions != 0 {
		t.Errorf("/linkbrief default permission = %#x, want 0 so that every member can use /linkbrief usage", def.Permissions)
	}

	e := newEnv(t, Options{GuildDailyTokens: 1000})
	const member = 1<<10 | 1<<11 // VIEW_CHANNEL | SEND_MESSAGES: an ordinary member
	for i, sub := range def.Options {
		opts := map[string]any{}
		for _, o := range sub.Options {
			switch o.Type {
			case OptionBoolean:
				opts[o.Name] = true
			case OptionString:
				opts[o.Name] = "fr"
			case OptionChannel:
				opts[o.Name] = "c2"
			}
		}
		in := Interaction{ID: fmt.Sprint("p", i), GuildID: "g1", ChannelID: "c", UserID: "u1", Permissions: member,
			Command: CmdLinkbrief, Subcommand: sub.Name, Options: opts}
		plan := planOf(t, e.h, in)
		r := run(ctx, e.h, plan).Replies[0]
		refused := strings.Contains(r.Content, "You need the Manage Server permission")
		if wantRefused := sub.Name != SubUsage; refused != wantRefused || !r.Ephemeral || !plan.Ephemeral {
			t.Errorf("/linkbrief %s by a member: reply %q (ephemeral %v, plan %+v); want refused=%v, ephemeral", sub.Name, r.Content, r.Ephemeral, plan, wantRefused)
		}
	}
	set, _ := e.st.GuildSettings(ctx, "g1")
	if len(set.AutoChannels) != 0 || set.Language != "" {
		t.Errorf("a member changed the settings: %+v", set)
	}
}
