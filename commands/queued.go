package commands

import "context"

// Events handled through a job queue are split in two. At receipt, in the
// process that got the event, AcceptMessage or AcceptInteraction decides
// cheaply whether the event needs a reply and claims it in the reply
// ledger, so a copy of the event (a replay, or a second process during a
// shard hand-off) is dropped there. The slow part then runs as a job, in
// any process and possibly again after a crash: MessageClaimed and
// InteractionClaimed do what Message and Interaction do without claiming,
// and return nil when the ledger shows the event already answered.

// AcceptMessage reports whether m needs a reply and this call claimed it:
// it returns the event ID to pass to MessageClaimed's job and true, or
// false when the message needs nothing or was already claimed. It makes
// the same store lookups as Message (thread, guild settings) but fetches
// and summarizes nothing.
func (h *Handler) AcceptMessage(ctx context.Context, m Message) (eventID string, ok bool) {
	h.message(ctx, m, func(ctx context.Context, id string) bool {
		eventID, ok = id, h.claim(ctx, id)
		return false // stop before any slow work
	})
	if !ok {
		return "", false
	}
	return eventID, true
}

// MessageClaimed returns the replies to a message AcceptMessage claimed,
// like Message, or nil when the message needs no reply or the reply
// ledger shows it already answered.
func (h *Handler) MessageClaimed(ctx context.Context, m Message) *Response {
	return h.message(ctx, m, h.unfinished)
}

// AcceptInteraction claims an interaction in the reply ledger, after it
// was acknowledged: it returns the event ID and true when this call owns
// it, false for a copy already claimed.
func (h *Handler) AcceptInteraction(ctx context.Context, in Interaction) (eventID string, ok bool) {
	if in.ID == "" {
		return "", false
	}
	eventID = "i" + in.ID
	if !h.claim(ctx, eventID) {
		return "", false
	}
	return eventID, true
}

// InteractionClaimed returns the replies to an interaction
// AcceptInteraction claimed, like Interaction, or nil when the reply
// ledger shows it already answered.
func (h *Handler) InteractionClaimed(ctx context.Context, in Interaction, ack Ack) *Response {
	return h.interaction(ctx, in, ack, h.unfinished)
}

// unfinished reports whether an event claimed at receipt still needs its
// reply. A ledger failure is logged and the event answered: a rare
// duplicate beats a lost reply.
func (h *Handler) unfinished(ctx context.Context, eventID string) bool {
	done, err := h.st.EventFinished(ctx, eventID)
	if err != nil {
		h.log.Warn("commands: reply ledger unavailable", "event", eventID, "err", err)
		return true
	}
	return !done
}
