package store

import (
	"path/filepath"
	"testing"
)

func TestEventFinished(t *testing.T) {
	t.Parallel()
	stores := map[string]func(t *testing.T) Store{
		"sqlite": func(t *testing.T) Store {
			return openSQLite(t, filepath.Join(t.TempDir(), "linkbrief.db"), Options{})
		},
		"postgres": func(t *testing.T) Store { return openPostgres(t, testSchema(t), Options{}) },
	}
	for name, open := range stores {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			s := open(t)
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
}
