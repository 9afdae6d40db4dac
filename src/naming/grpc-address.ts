/**
 * An endpoint's `addr` as the TCP address @grpc/grpc-js connects to: `host:port`, `[v6]:port`
 * (what Go's gRPC dials). Anything else is no address the resolver can hand over.
 */

/** A TCP address of @grpc/grpc-js (its `TcpSubchannelAddress`). */
export interface GrpcTcpAddress {
  /** Host name or IP address (an IPv6 address without brackets). */
  host: string;
  /** Port, 1-65535. */
  port: number;
}

const HOST_PORT = /^(?:\[([0-9A-Fa-f:.]+(?:%[\w.~-]+)?)\]|([^\s:/[\]]+)):(\d{1,5})$/;

/** `addr` as host and port, or undefined when it is not `host:port` / `[v6]:port` with a port in 1-65535. */
export function grpcAddress(addr: string): GrpcTcpAddress | undefined {
  const match = HOST_PORT.exec(addr);
  if (match === null) return undefined;
  const port = Number(match[3]);
  if (port < 1 || port > 65_535) return undefined;
  return { host: match[1] ?? match[2]!, port };
}
