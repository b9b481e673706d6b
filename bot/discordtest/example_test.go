package discordtest_test

import (
	"fmt"
	"log"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/linkbrief/linkbrief/bot/discordtest"
)

// A bot under test answers a posted link; the test drives the user's side
// and reads what the bot sent. In a test function, use discordtest.New(t,
// ...) and srv.WaitFor instead of Start and the polling loop.
func Example() {
	srv, err := discordtest.Start(discordtest.Options{})
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()

	s, err := discordgo.New("Bot " + srv.Token())
	if err != nil {
		log.Fatal(err)
	}
	s.Client = srv.Client()
	s.LogLevel = -1
	s.Identify.Intents = discordgo.IntentsGuildMessages | discordgo.IntentsMessageContent
	s.AddHandler(func(s *discordgo.Session, m *discordgo.MessageCreate) {
		if m.Author.Bot {
			return // the fake echoes the bot's own messages, as Discord does
		}
		_, _ = s.ChannelMessageSendComplex(m.ChannelID, &discordgo.MessageSend{
			Content:         "Got " + m.Content,
			Reference:       m.Reference(),
			AllowedMentions: &discordgo.MessageAllowedMentions{Parse: []discordgo.AllowedMentionType{}},
		})
	})
	if err := s.Open(); err != nil {
		log.Fatal(err)
	}
	defer s.Close()

	if _, err := srv.PostMessage(discordtest.MessageSpec{Content: "https://example.com/story"}); err != nil {
		log.Fatal(err)
	}
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if len(srv.CallsTo("POST", discordtest.RouteSendMessage[len("POST "):])) > 0 {
			break
		}
	}
	msgs := srv.ChannelMessages(discordtest.DefaultChannelID)
	last := msgs[len(msgs)-1]
	fmt.Println(last.Content)
	fmt.Println(last.MessageReference.MessageID == msgs[0].ID, len(last.AllowedMentions.Parse))
	// Output:
	// Got https://example.com/story
	// true 0
}
