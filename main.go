// Command linkbrief turns links into short, honest briefs: a summary and
// key claims each backed by a verbatim quote from the article. It runs as
// a Discord bot (linkbrief run) and from a terminal (linkbrief summarize).
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"

	"github.com/redis/go-redis/v9"
)

// version may be set at build time with -ldflags "-X main.version=...";
// otherwise the module version from the build information is shown.
var version = ""

const usage = `Linkbrief turns links into short, honest briefs.

Usage:
  linkbrief run [--config FILE] [--no-gateway]    the Discord bot (--no-gateway: HTTP interactions only)
  linkbrief summarize [flags] SOURCE...           brief of each SOURCE
      --config FILE  --backend auto|llm|extractive  --format text|markdown|json
      --lang CODE  --no-cache
  linkbrief ask [--config FILE] [--format text|json] --question TEXT SOURCE
  linkbrief extract [--config FILE] [--format text|json] SOURCE...
  linkbrief commands register [--config FILE] [--guild ID]
  linkbrief version

SOURCE is an http(s) URL, a path to an .html, .htm, .txt or .pdf file (.gz
allowed), or - for standard input. Other files are refused.

With no config file, linkbrief uses the offline summarizer and an SQLite
cache in the user cache directory. See config.example.toml for every key.
"linkbrief VERB --help" shows the flags of a verb.
`

// Exit statuses.
const (
	exitOK     = 0
	exitFailed = 1 // some SOURCE failed, or linkbrief run or commands register failed
	exitUsage  = 2 // usage or config error
)

func main() {
	// go-redis logs each failed dial of its pool on standard error, around
	// linkbrief's own one line; its errors reach linkbrief as errors.
	redis.SetLogger(quietRedis{})
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.Getenv)
	stop()
	os.Exit(code)
}

// quietRedis drops go-redis's own log lines.
type quietRedis struct{}

// Printf drops the line.
func (quietRedis) Printf(context.Context, string, ...any) {}

// env is what a command needs from the process: its streams and its
// environment, passed in so tests can run commands in-process.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string
}

// verbs are linkbrief's commands that take flags and do work; each
// returns an error that exitCode turns into the exit status.
var verbs = map[string]func(context.Context, *env, []string) error{
	"summarize": cmdSummarize,
	"ask":       cmdAsk,
	"extract":   cmdExtract,
	"run":       cmdRun,
	"commands":  cmdCommands,
}

// run dispatches a command line and returns the exit status.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) int {
	e := &env{stdin: stdin, stdout: stdout, stderr: stderr, getenv: getenv}
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return exitUsage
	}
	if verb, ok := verbs[args[0]]; ok {
		return exitCode(e, verb(ctx, e, args[1:]))
	}
	switch args[0] {
	case "version", "--version", "-version":
		if len(args) > 1 {
			if len(args) == 2 && isHelp(args[1]) {
				fmt.Fprintln(stdout, "Usage: linkbrief version\n\nPrints the module version and the VCS revision it was built from.")
				return exitOK
			}
			fmt.Fprintln(stderr, "linkbrief: usage: linkbrief version (it takes no arguments)")
			return exitUsage
		}
		fmt.Fprintln(stdout, "linkbrief", buildVersion())
		return exitOK
	case "help", "-h", "--help", "-help":
		fmt.Fprint(stdout, usage)
		return exitOK
	}
	fmt.Fprintf(stderr, "linkbrief: unknown command %q\n\n%s", args[0], usage)
	return exitUsage
}

// exitCode maps a verb's error to the exit status (DESIGN §6), printing
// it on standard error unless it was said already: nil and errHelp are
// 0; errFailed (each failed SOURCE had its own line) is 1; a usage or
// config error is 2; anything else is 1.
func exitCode(e *env, err error) int {
	switch {
	case err == nil, errors.Is(err, errHelp):
		return exitOK
	case errors.Is(err, errFailed):
		return exitFailed
	}
	fmt.Fprintln(e.stderr, "linkbrief:", err)
	if errors.Is(err, errUsage) || errors.Is(err, errConfig) {
		return exitUsage
	}
	return exitFailed
}

// buildVersion describes this binary: see versionLine.
func buildVersion() string {
	info, ok := debug.ReadBuildInfo()
	return versionLine(version, info, ok)
}

// isHelp reports whether arg asks for help.
func isHelp(arg string) bool {
	switch arg {
	case "-h", "-help", "--help", "--h", "help":
		return true
	}
	return false
}

// versionLine is what linkbrief version prints: the version set at build
// time, else the module version, then the VCS revision the binary was
// built from (marked "modified" when the work tree had changes), its
// commit time and the Go version.
// It does not start with "linkbrief".
func versionLine(stamped string, info *debug.BuildInfo, ok bool) string {
	v := stamped
	if v == "" && ok && info.Main.Version != "" {
		v = info.Main.Version
	}
	if v == "" {
		v = "(devel)"
	}
	var details []string
	if ok {
		settings := map[string]string{}
		for _, s := range info.Settings {
			settings[s.Key] = s.Value
		}
		if rev := settings["vcs.revision"]; rev != "" {
			details = append(details, "revision "+rev)
		} else {
			details = append(details, "no VCS revision recorded")
		}
		if settings["vcs.modified"] == "true" {
			details = append(details, "modified")
		}
		if t := settings["vcs.time"]; t != "" {
			details = append(details, t)
		}
		if info.GoVersion != "" {
			details = append(details, info.GoVersion)
		}
	}
	if len(details) == 0 {
		return v
	}
	return v + " (" + strings.Join(details, ", ") + ")"
}

// errUsage marks command-line mistakes, which exit with status 2.
var errUsage = errors.New("usage")

// errFailed says that some SOURCEs failed, each reported on its own line
// already: the command exits with status 1.
var errFailed = errors.New("some sources failed")

// newLogger returns the process logger: text lines on stderr.
func newLogger(w io.Writer, level slog.Level) *slog.Logger {
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: level}))
}
