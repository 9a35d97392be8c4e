// Command pulumi-language-nodejs is a Node.js language host for the Pulumi engine: it runs a
// Pulumi program with @pulumi/pulumi's `cmd/run` and a CrossGuard policy pack with its
// `cmd/run-policy-pack` (the engine's RunPlugin), both resolved from the program's own
// node_modules, the way Pulumi's published host does.
//
// The engine starts it as `pulumi-language-nodejs [flags] <engine address>`, reads the port of
// its gRPC server from the first line of stdout, and talks to it over the LanguageRuntime
// protocol (sdk/v3/proto/language.proto). It exits when the engine stops answering health
// checks or sends SIGINT.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
)

// version is what GetPluginInfo reports; .ci/setup-tools sets it to the Pulumi version the host
// is built against (-ldflags "-X main.version=...").
var version = "0.0.0-dev"

func main() {
	// Flags the engine may pass to every plugin, and those of Pulumi's own host; only the engine
	// address (the first positional argument) is used.
	flags := flag.NewFlagSet("pulumi-language-nodejs", flag.ContinueOnError)
	flags.String("tracing", "", "Zipkin-compatible tracing endpoint (ignored)")
	flags.Bool("logtostderr", false, "log to stderr (ignored)")
	flags.Bool("logflow", false, "flow log settings to child processes (ignored)")
	flags.Int("v", 0, "log verbosity (ignored)")
	flags.String("root", "", "project root (ignored: the engine sends it with each request)")
	if err := flags.Parse(os.Args[1:]); err != nil {
		os.Exit(2)
	}
	engineAddress := flags.Arg(0)

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if engineAddress != "" {
		// Stop when the engine goes away, so no host outlives the CLI that started it.
		if err := rpcutil.Healthcheck(ctx, engineAddress, 5*time.Minute, stop); err != nil {
			fail("could not start the engine health check: %v", err)
		}
	}

	cancel := make(chan bool)
	go func() {
		<-ctx.Done()
		close(cancel)
	}()
	handle, err := rpcutil.ServeWithOptions(rpcutil.ServeOptions{
		Cancel: cancel,
		Init: func(srv *grpc.Server) error {
			pulumirpc.RegisterLanguageRuntimeServer(srv, newHost(engineAddress))
			return nil
		},
	})
	if err != nil {
		fail("could not start the language host's gRPC server: %v", err)
	}
	fmt.Printf("%d\n", handle.Port)
	if err := <-handle.Done; err != nil {
		fail("the language host's gRPC server stopped: %v", err)
	}
}

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "pulumi-language-nodejs: "+format+"\n", args...)
	os.Exit(1)
}
