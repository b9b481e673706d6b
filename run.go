package main

import (
	"context"
	"errors"
)

func cmdRun(ctx context.Context, e *env, args []string) error {
	return errors.New("the Discord bot is not built yet")
}

func cmdRegister(ctx context.Context, e *env, args []string) error {
	return errors.New("the Discord bot is not built yet")
}
