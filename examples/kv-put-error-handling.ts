/**
 * Go `ExampleKV_putErrorHandling`: a put with an empty key, and how to tell the kinds of failure
 * apart. The client refuses the empty key before sending anything, with the same `EmptyKeyError`
 * the server would return, so this prints `client-side error: etcdserver: key is not provided`.
 * Run: `npx tsx examples/kv-put-error-handling.ts` (endpoints from ETCD_ENDPOINTS, default
 * http://127.0.0.1:2379).
 */
import { Client, DeadlineExceededError, EmptyKeyError } from '../src/index.js';
import { DIAL_TIMEOUT_MS, REQUEST_TIMEOUT_MS, runIfMain } from './run.js';

export async function main(endpoints: string[]): Promise<void> {
  await using client = new Client({ endpoints, dialTimeout: DIAL_TIMEOUT_MS });
  try {
    await client.put('', 'sample_value', { timeout: REQUEST_TIMEOUT_MS });
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') {
      // the call's `signal` was aborted (Go: context.Canceled)
      console.log(`ctx is canceled by another routine: ${error.message}`);
    } else if (error instanceof DeadlineExceededError) {
      // the call's `timeout` passed (Go: context.DeadlineExceeded)
      console.log(`ctx is attached with a deadline is exceeded: ${error.details}`);
    } else if (error instanceof EmptyKeyError) {
      // `details` is etcd's own text for this error
      console.log(`client-side error: ${error.details}`);
    } else {
      console.log(`bad cluster endpoints, which are not etcd servers: ${String(error)}`);
    }
  }
}

runIfMain(import.meta.url, main);
