package store

import (
	"testing"
)

func TestEventFinished(t *testing.T) {
	forEngine(t, func(t *testing.T, e engine) {
		s := e.openAt(t, e.fresh(t), Options{})
		ctx := t.Context()
		if _, err := s.ClaimEvent(ctx, "claimed"); err != nil {
			t.Fatal(err)
		}
		for _, id := range []string{"finished", "released"} {
			if _, err := s.ClaimEvent(ctx, id); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.FinishEvent(ctx, "finished", "r1"); err != nil {
			t.Fatal(err)
		}
		if err := s.ReleaseEvent(ctx, "released"); err != nil {
			t.Fatal(err)
		}
		tests := []struct {
			id   string
			want bool
		}{
			{"never-claimed", false},
			{"claimed", false},
			{"released", false},
			{"finished", true},
		}
		for _, tt := range tests {
			got, err := s.EventFinished(ctx, tt.id)
			if err != nil || got != tt.want {
				t.Errorf("EventFinished(%s) = %v, %v; want %v, nil", tt.id, got, err, tt.want)
			}
		}
		if _, err := s.EventFinished(ctx, ""); err == nil {
			t.Error("EventFinished(\"\") = nil error, want one")
		}
	})
}
