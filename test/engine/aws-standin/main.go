// Command pulumi-resource-aws is a stand-in for Pulumi's aws resource provider plugin, which
// cannot be had on these machines. It answers the provider gRPC protocol
// (sdk/v3/proto/provider.proto) for the resource types tf-bootstrap registers, and fills their
// computed outputs the way AWS would: ARNs in the account the provider is pinned to, in its
// partition and region; ids; KMS key ids; unique ids of roles (AROA...) and users (AIDA...);
// access keys as secrets. It calls no AWS API. With TFB_STANDIN_STORE set it remembers each
// resource it creates in that directory (its "cloud", shared by every provider process of a
// run), so a resource can be imported (Read without state) and a delete removes it.
//
// What it cannot show: the real provider's own validation beyond required arguments and
// well-formed JSON documents, and everything AWS itself would check or refuse.
//
// A resource type it does not model fails the operation loudly, naming the type.
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

// version is the @pulumi/aws version of the repository's package.json; .ci/setup-tools sets it
// (-ldflags "-X main.version=..."), and the engine loads the plugin only under that version.
var version = "0.0.0-dev"

func main() {
	flags := flag.NewFlagSet("pulumi-resource-aws", flag.ContinueOnError)
	flags.String("tracing", "", "Zipkin-compatible tracing endpoint (ignored)")
	flags.Bool("logtostderr", false, "log to stderr (ignored)")
	flags.Bool("logflow", false, "flow log settings to child processes (ignored)")
	flags.Int("v", 0, "log verbosity (ignored)")
	if err := flags.Parse(os.Args[1:]); err != nil {
		os.Exit(2)
	}
	engineAddress := flags.Arg(0)

	// The engine sends SIGINT when it is done with the provider.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if engineAddress != "" {
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
			pulumirpc.RegisterResourceProviderServer(srv, newProvider())
			return nil
		},
	})
	if err != nil {
		fail("could not start the provider's gRPC server: %v", err)
	}
	fmt.Printf("%d\n", handle.Port)
	if err := <-handle.Done; err != nil {
		fail("the provider's gRPC server stopped: %v", err)
	}
}

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "pulumi-resource-aws (stand-in): "+format+"\n", args...)
	os.Exit(1)
}
