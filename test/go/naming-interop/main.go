// Command naming-interop drives the Go client's service discovery (go.etcd.io/etcd/clientv3/naming:
// the endpoints Manager and the gRPC resolver, etcd 3.4's Go sources) for the interop test of
// etcd-ts/naming (test/integration/naming-interop.test.ts). Each subcommand does one thing and
// prints JSON on stdout, one value per line; diagnostics go to stderr; exit status 1 on failure.
//
//	add     --target T --key K --addr A [--metadata JSON] [--lease-ttl S]   prints {"lease":"<hex>"} (0 without a lease)
//	delete  --target T --key K
//	list    --target T                                                     prints the Key2EndpointMap
//	watch   --target T --updates N          prints {"ready":true}, then each batch of updates until N updates were seen
//	call    --target T                      a gRPC health check through "etcd:///T" (the Go resolver); prints {"status":"SERVING"} and the peer
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"go.etcd.io/etcd/clientv3"
	"go.etcd.io/etcd/clientv3/naming/endpoints"
	"go.etcd.io/etcd/clientv3/naming/resolver"
	"google.golang.org/grpc"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/peer"
)

func main() {
	if len(os.Args) < 2 {
		fail(fmt.Errorf("usage: naming-interop add|delete|list|watch|call [flags]"))
	}
	command := os.Args[1]
	flags := flag.NewFlagSet(command, flag.ExitOnError)
	etcd := flags.String("endpoints", "127.0.0.1:2379", "etcd client URLs, comma-separated")
	target := flags.String("target", "", "the service name (key prefix of its endpoints)")
	key := flags.String("key", "", "the endpoint's key (<target>/<addr>)")
	addr := flags.String("addr", "", "the endpoint's address")
	metadata := flags.String("metadata", "", "the endpoint's metadata, as JSON")
	leaseTTL := flags.Int64("lease-ttl", 0, "attach the endpoint to a new lease of this TTL, seconds")
	updates := flags.Int("updates", 1, "watch: updates to wait for")
	timeout := flags.Duration("timeout", 20*time.Second, "overall deadline")
	_ = flags.Parse(os.Args[2:])

	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	cli, err := clientv3.New(clientv3.Config{Endpoints: strings.Split(*etcd, ","), DialTimeout: 5 * time.Second})
	if err != nil {
		fail(err)
	}
	defer cli.Close()
	manager, err := endpoints.NewManager(cli, *target)
	if err != nil {
		fail(err)
	}

	switch command {
	case "add":
		var meta interface{}
		if *metadata != "" {
			if err := json.Unmarshal([]byte(*metadata), &meta); err != nil {
				fail(err)
			}
		}
		var opts []clientv3.OpOption
		var lease clientv3.LeaseID
		if *leaseTTL > 0 {
			grant, err := cli.Grant(ctx, *leaseTTL)
			if err != nil {
				fail(err)
			}
			lease = grant.ID
			opts = append(opts, clientv3.WithLease(lease))
		}
		if err := manager.AddEndpoint(ctx, *key, endpoints.Endpoint{Addr: *addr, Metadata: meta}, opts...); err != nil {
			fail(err)
		}
		print(map[string]string{"lease": fmt.Sprintf("%x", int64(lease))})
	case "delete":
		if err := manager.DeleteEndpoint(ctx, *key); err != nil {
			fail(err)
		}
	case "list":
		list, err := manager.List(ctx)
		if err != nil {
			fail(err)
		}
		print(list)
	case "watch":
		ch, err := manager.NewWatchChannel(ctx)
		if err != nil {
			fail(err)
		}
		print(map[string]bool{"ready": true})
		seen := 0
		for seen < *updates {
			batch, ok := <-ch
			if !ok {
				fail(fmt.Errorf("watch channel closed after %d updates: %v", seen, ctx.Err()))
			}
			seen += len(batch)
			print(batch)
		}
	case "call":
		builder, err := resolver.NewBuilder(cli)
		if err != nil {
			fail(err)
		}
		conn, err := grpc.DialContext(ctx, "etcd:///"+*target, grpc.WithResolvers(builder), grpc.WithInsecure(), grpc.WithBlock())
		if err != nil {
			fail(err)
		}
		defer conn.Close()
		var p peer.Peer
		resp, err := healthpb.NewHealthClient(conn).Check(ctx, &healthpb.HealthCheckRequest{}, grpc.Peer(&p))
		if err != nil {
			fail(err)
		}
		print(map[string]string{"status": resp.Status.String(), "peer": p.Addr.String()})
	default:
		fail(fmt.Errorf("unknown command %q", command))
	}
}

func print(value interface{}) {
	line, err := json.Marshal(value)
	if err != nil {
		fail(err)
	}
	fmt.Println(string(line))
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "naming-interop:", err)
	os.Exit(1)
}
